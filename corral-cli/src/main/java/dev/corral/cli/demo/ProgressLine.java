package dev.corral.cli.demo;

import java.io.PrintWriter;

/**
 * A one-line progress report on the error stream, rewritten in place with a carriage return, so
 * that progress never mixes with the results on the output stream. It is drawn only when the error
 * stream is a {@link TerminalWriter}: output redirected to a file or a pipe gets the results alone.
 * Not thread-safe: one thread (the one running the measurements) writes it.
 */
public final class ProgressLine {

    private final PrintWriter err;
    private final boolean enabled;
    private int width;

    /** A progress line on {@code err}, silent unless {@code err} is a {@link TerminalWriter}. */
    public ProgressLine(PrintWriter err) {
        this.err = err;
        this.enabled = err instanceof TerminalWriter;
    }

    /** Replaces the line with {@code text} (nothing, off a terminal). */
    public void show(String text) {
        if (!enabled) {
            return;
        }
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
