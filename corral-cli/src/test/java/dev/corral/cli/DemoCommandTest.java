package dev.corral.cli;

import static dev.corral.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class DemoCommandTest {

    /** A row of the report: mode, clients, TPS, mean, p95, p99, errors. */
    private static final Pattern ROW = Pattern.compile(
            "(?m)^(thread|tpe|corral)\\s+(\\d+)\\s+([\\d,]+)\\s+([\\d.,]+)\\s+([\\d.,]+)\\s+([\\d.,]+)\\s+([\\d.]+)%\\s*$");

    private static final String[] TINY = {
        // The warmup matters: in a cold JVM on a busy machine, starting the first platform threads
        // can take a few hundred milliseconds, which would leave the thread mode's window empty.
        "demo", "--duration", "500ms", "--warmup", "500ms", "--clients", "4", "--io", "1ms", "--cpu", "50us"
    };

    @Test
    void demoRunsEveryModeEndToEndAndReportsThroughputAndNoCorralErrors() {
        CliRun run = CliRun.onTerminal(TINY);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).contains(Runtime.getRuntime().availableProcessors() + " cores")
                .contains("jvm ").contains("date ");
        List<Row> rows = rows(run.out);
        assertThat(rows).extracting(Row::mode).as(run.out).containsExactly("thread", "tpe", "corral");
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.clients).isEqualTo(4);
            assertThat(r.tps).as("TPS of %s", r.mode).isPositive();
            assertThat(r.p99).as("p99 of %s", r.mode).isGreaterThanOrEqualTo(r.p95);
        });
        assertThat(rows.get(2).errorPercent).as("corral errors").isZero();
        assertThat(run.out).containsPattern("(?m)^4 clients: corral [\\d,]+ TPS, [\\d.]+x thread, [\\d.]+x tpe; p99 ");
        assertThat(run.err).as("progress on stderr").contains("[1/3] thread, 4 clients");
    }

    @Test
    void modesSelectsWhichWaysRunInTheGivenOrder() {
        CliRun run = run("demo", "--duration", "200ms", "--warmup", "0ms", "--clients", "2,3", "--io", "1ms",
                "--cpu", "20us", "--modes", "CORRAL,tpe", "--workers", "2", "--queue", "0", "--virtual");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.err).as("no progress off a terminal").isEmpty();
        assertThat(rows(run.out)).extracting(r -> r.mode + "/" + r.clients)
                .containsExactly("corral/2", "tpe/2", "corral/3", "tpe/3");
        assertThat(run.out).contains("workers(2).queueCapacity(0)").contains("virtual threads")
                .contains("SynchronousQueue");
    }

    @Test
    void helpListsEveryOption() {
        CliRun run = run("demo", "--help");

        assertThat(run.exitCode).isZero();
        List<String> expected = List.of("--duration", "--warmup", "--clients", "--workers", "--queue", "--virtual",
                "--cpu", "--io", "--modes", "--dashboard", "--port", "--linger", "--report", "--help", "--version");
        assertThat(run.out).contains(expected);
        CommandLine demo = CorralCommand.commandLine().getSubcommands().get("demo");
        for (OptionSpec option : demo.getCommandSpec().options()) {
            assertThat(run.out).contains(option.longestName());
            assertThat(option.description()).as("description of %s", option.longestName()).isNotEmpty();
        }
        assertThat(demo.getCommandSpec().options()).hasSize(expected.size());
    }

    @Test
    void topLevelHelpListsTheDemoAndVersionNamesTheProject() {
        CliRun help = run("--help");
        CliRun version = run("--version");

        assertThat(help.exitCode).isZero();
        assertThat(help.out).contains("demo");
        assertThat(version.exitCode).isZero();
        assertThat(version.out).startsWith("corral ").contains("JVM: " + System.getProperty("java.version"));
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = run();

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("Missing a command").contains("demo");
    }

    @Test
    void badDurationIsAUsageErrorNamingTheOptionAndTheValue() {
        CliRun run = run("demo", "--duration", "soon");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--duration").contains("'soon'").contains("500ms");
    }

    @Test
    void badNumbersAndModesAreUsageErrors() {
        assertThat(run("demo", "--clients", "0").err).contains("--clients must all be 1 or more");
        assertThat(run("demo", "--workers", "0").err).contains("--workers must be 1 or more");
        assertThat(run("demo", "--queue", "-1").err).contains("--queue must be 0 or more");
        assertThat(run("demo", "--duration", "0s").err).contains("--duration': must be more than zero, got '0s'");
        CliRun mode = run("demo", "--modes", "fork-join");
        assertThat(mode.exitCode).isEqualTo(2);
        assertThat(mode.err).contains("'fork-join' is not a mode: expected one of thread, tpe, corral");
    }

    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(out);
        while (m.find()) {
            rows.add(new Row(m.group(1), Integer.parseInt(m.group(2)), number(m.group(3)),
                    number(m.group(5)), number(m.group(6)), number(m.group(7))));
        }
        return rows;
    }

    private static double number(String s) {
        return Double.parseDouble(s.replace(",", ""));
    }

    private record Row(String mode, int clients, double tps, double p95, double p99, double errorPercent) {
    }
}
