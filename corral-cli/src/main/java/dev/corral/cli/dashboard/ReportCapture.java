package dev.corral.cli.dashboard;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;

/**
 * The output stream of a command that also writes an HTML report: what the command prints goes to
 * the terminal as before and is kept, to be shown in the report as it was printed.
 */
public final class ReportCapture {

    private final StringWriter kept = new StringWriter();
    private final PrintWriter out;

    /** Copies what is printed to {@code terminal}. */
    public ReportCapture(PrintWriter terminal) {
        this.out = new PrintWriter(new Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
                terminal.write(buf, off, len);
                kept.write(buf, off, len);
            }

            @Override
            public void flush() {
                terminal.flush();
            }

            @Override
            public void close() {
                terminal.flush();
            }
        }, true);
    }

    /** The stream to print to. */
    public PrintWriter out() {
        return out;
    }

    /** Everything printed so far. */
    public String text() {
        out.flush();
        return kept.toString();
    }
}
