package dev.corral.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The suite's command line: help and refusals come before any benchmark runs. */
class BenchMainTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BenchMain.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheOptionsAndRunsNothing() {
        // --rounds 1000 too: had the suite started, the test would time out long before it ended.
        Run run = run("--rounds", "1000", "--out", dir.resolve("report.md").toString(), "--help");

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("Usage: corral bench").contains("--quick", "--rounds", "--only", "--out",
                "--log-dir", "--help", "current directory");
        assertThat(run.err).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aTypoIsRefusedInOneLineInsteadOfStartingTheSuite() {
        Run run = run("--quik");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines()).hasSize(1);
        assertThat(run.err).startsWith("corral bench: Unknown option: '--quik'")
                .endsWith("See 'corral bench --help'." + System.lineSeparator());
        assertThat(run.out).isEmpty();
    }

    @Test
    void strayArgumentsAndBadValuesAreRefusedToo() {
        assertThat(run("quick").err).contains("Unmatched argument at index 0: 'quick'");
        assertThat(run("--rounds", "0").err).contains("--rounds must be 1 or more, got 0");
        assertThat(run("--rounds", "two").err).contains("'two' is not an int");
        Run only = run("--only", "tiny,fan-out");
        assertThat(only.exitCode).isEqualTo(2);
        assertThat(only.err).contains("'fan-out' is not a scenario: expected one of tiny, blocking, handoff, ")
                .contains(String.join(", ", BenchMain.Cli.SCENARIOS));
    }
}
