package dev.corral.cli;

import dev.corral.cli.demo.TerminalWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import picocli.CommandLine;

/** One in-process run of the {@code corral} command line and what it printed; the CLI tests share it. */
final class CliRun {

    final int exitCode;
    final String out;
    final String err;

    private CliRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code corral <args>} with its output captured, as if redirected to files (no progress). */
    static CliRun run(String... args) {
        return run(false, args);
    }

    /** Runs {@code corral <args>} with its output captured, as if on a terminal (progress drawn). */
    static CliRun onTerminal(String... args) {
        return run(true, args);
    }

    private static CliRun run(boolean terminal, String... args) {
        return run(CorralCommand.commandLine(), terminal, args);
    }

    /** Runs {@code cmd} with {@code args}, its output captured. */
    static CliRun run(CommandLine cmd, boolean terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(terminal ? new TerminalWriter(err) : new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "exit %d%n--- out ---%n%s%n--- err ---%n%s", exitCode, out, err);
    }
}
