package dev.corral.cli.demo;

import java.io.PrintWriter;

/**
 * A one-line progress report on the error stream, rewritten in place with a carriage return, so
 * that progress never mixes with the results on the output stream. Not thread-safe: one thread
 * (the one running the measurements) writes it.
 */
public final class ProgressLine {

    private final PrintWriter err;
    private int width;

    public ProgressLine(PrintWriter err) {
        this.err = err;
    }

    /** Replaces the line with {@code text}. */
    public void show(String text) {
        int pad = Math.max(0, width - text.length());
        err.print("\r" + text + " ".repeat(pad));
        err.flush();
        width = text.length();
    }

    /** Blanks the line and returns to its start, before results are printed. */
    public void clear() {
        if (width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            width = 0;
        }
    }
}
