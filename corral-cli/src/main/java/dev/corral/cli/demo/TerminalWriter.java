package dev.corral.cli.demo;

import java.io.Console;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.Charset;

/**
 * The error stream of a {@code corral} run that a person is watching on a terminal. Only on such a
 * stream does a {@link ProgressLine} draw anything: redirected to a file or a pipe, a run prints its
 * results and warnings alone, with no carriage-return noise.
 *
 * <p>{@code CorralCommand.main} wraps the process's error stream in one when {@link #detect()} says
 * so; tests hand one to a command to see its progress.
 */
public final class TerminalWriter extends PrintWriter {

    /** Creates a writer to {@code out}, flushing on every line, that marks a terminal. */
    public TerminalWriter(OutputStream out, Charset charset) {
        super(out, true, charset);
    }

    /** Creates a writer onto {@code out} that marks a terminal (for tests). */
    public TerminalWriter(java.io.Writer out) {
        super(out, true);
    }

    /**
     * Whether this process writes to a terminal. The system property {@code corral.terminal}
     * ({@code true}/{@code false}) decides if set (the {@code ./corral} script sets it from
     * {@code [ -t 1 ] && [ -t 2 ]}); otherwise the JDK's console: on JDK 21 there is one only when
     * standard input and output are a terminal, from JDK 22 on {@code Console.isTerminal()} says so.
     */
    public static boolean detect() {
        String forced = System.getProperty("corral.terminal");
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal"); // JDK 22+; we compile for 21
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
