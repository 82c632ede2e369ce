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

class LimitsCommandTest {

    /** A row of the table: strategy, limit, offered/s, TPS, mean, p95, p99, rejected %, running. */
    private static final Pattern ROW = Pattern.compile("(?m)^(semaphore|token-bucket|pool-size|adaptive|pool\\+rate)"
            + "\\s+(\\S+(?: & \\S+)?)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d.,]+)\\s+([\\d.,]+)\\s+([\\d.,]+)"
            + "\\s+([\\d.]+)%\\s+([\\d,]+)\\s*$");

    private static final List<String> ALL = List.of("semaphore", "token-bucket", "pool-size", "adaptive", "pool+rate");

    @Test
    void everyStrategyRunsEndToEndAndRejectsNothingWhenTheLoadIsFarBelowTheLimit() {
        // 4 at a time of ~2 ms requests serve ~2,000/s; 300/s is far below.
        CliRun run = CliRun.onTerminal("limits", "--limit", "4", "--rate", "300", "--io", "2ms", "--cpu", "20us",
                "--duration", "400ms", "--warmup", "200ms", "--max-wait", "200ms");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).contains(Runtime.getRuntime().availableProcessors() + " cores")
                .contains("jvm ").contains("date ").contains("open loop").contains("300/s arriving");
        List<Row> rows = rows(run.out);
        assertThat(rows).extracting(Row::strategy).as(run.out).containsExactlyElementsOf(ALL);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.offered).as("offered/s of %s", r.strategy).isBetween(250.0, 350.0);
            assertThat(r.tps).as("TPS of %s", r.strategy).isGreaterThan(150.0);
            assertThat(r.mean).as("mean of %s", r.strategy).isPositive();
            assertThat(r.p99).as("p99 of %s", r.strategy).isGreaterThanOrEqualTo(r.p95);
            assertThat(r.rejectedPercent).as("rejected %% of %s", r.strategy).isLessThan(1.0);
        });
        assertThat(rows).filteredOn(r -> !r.strategy.equals("adaptive")).extracting(Row::limit)
                .containsExactly("4", "1,980/s", "4", "4 & 1,980/s"); // 4 / 2.02 ms
        assertThat(run.out).containsPattern("(?m)^adaptive: the adaptive limit ended at \\d+");
        assertThat(run.err).as("progress on stderr").contains("[1/5] semaphore: ");
    }

    @Test
    void everyStrategyRejectsWhenTheLoadIsFarAboveTheLimit() {
        // 2 at a time of 5 ms requests serve at most 400/s; 2,000/s arrive.
        CliRun run = run("limits", "--limit", "2", "--rate", "2000", "--io", "5ms", "--cpu", "0",
                "--adaptive-max", "2", "--max-wait", "10ms", "--duration", "400ms", "--warmup", "200ms");

        assertThat(run.exitCode).as(run.toString()).isZero();
        List<Row> rows = rows(run.out);
        assertThat(rows).extracting(Row::strategy).as(run.out).containsExactlyElementsOf(ALL);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.rejectedPercent).as("rejected %% of %s", r.strategy).isGreaterThan(30.0);
            assertThat(r.tps).as("TPS of %s", r.strategy).isPositive().isLessThan(600.0);
        });
        assertThat(rows).filteredOn(r -> !r.strategy.equals("token-bucket"))
                .allSatisfy(r -> assertThat(r.running).as("running of %s", r.strategy).isBetween(1.0, 2.0));
    }

    @Test
    void strategiesSelectsWhichRunInTheGivenOrderAndOptionsShowInTheHeader() {
        CliRun run = run("limits", "--strategies", "POOL+RATE,semaphore,pool+rate", "--limit", "3", "--rate", "100",
                "--token-rate", "50", "--burst", "7", "--queue", "9", "--io", "1ms", "--cpu", "0",
                "--duration", "200ms", "--warmup", "0ms");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(rows(run.out)).extracting(Row::strategy).containsExactly("pool+rate", "semaphore");
        assertThat(run.out).contains("workers(3).queueCapacity(9).startRate(tokenBucket(50/s, 7))")
                .contains("ConcurrencyLimiter.of(3)").doesNotContain("token-bucket ");
    }

    @Test
    void helpListsEveryOptionWithADescriptionAndExplainsTheLoad() {
        CliRun run = run("limits", "--help");

        assertThat(run.exitCode).isZero();
        List<String> expected = List.of("--duration", "--warmup", "--limit", "--rate", "--token-rate", "--burst",
                "--max-wait", "--queue", "--adaptive-max", "--adaptive-timeout", "--cpu", "--io", "--strategies",
                "--report", "--help", "--version");
        assertThat(run.out).contains(expected).contains("open loop").contains("pool+rate");
        CommandLine limits = CorralCommand.commandLine().getSubcommands().get("limits");
        for (OptionSpec option : limits.getCommandSpec().options()) {
            assertThat(option.description()).as("description of %s", option.longestName()).isNotEmpty();
        }
        assertThat(limits.getCommandSpec().options()).hasSize(expected.size());
    }

    @Test
    void topLevelHelpListsTheLimitsCommand() {
        CliRun help = run("--help");

        assertThat(help.exitCode).isZero();
        assertThat(help.out).contains("limits").contains("demo");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        assertThat(run("limits", "--limit", "0").err).contains("--limit must be 1 or more");
        assertThat(run("limits", "--rate", "0").err).contains("--rate must be more than 0");
        assertThat(run("limits", "--token-rate", "-5").err).contains("--token-rate must be more than 0");
        assertThat(run("limits", "--burst", "0").err).contains("--burst must be 1 or more");
        assertThat(run("limits", "--queue", "0").err).contains("--queue must be 1 or more");
        assertThat(run("limits", "--adaptive-max", "0").err).contains("--adaptive-max must be 1 or more");
        assertThat(run("limits", "--duration", "0s").err).contains("--duration': must be more than zero, got '0s'");
        assertThat(run("limits", "--cpu", "0", "--io", "0").err).contains("give --rate and --token-rate");
        assertThat(run("limits", "--max-wait", "soon").err).contains("--max-wait").contains("'soon'");
        CliRun strategy = run("limits", "--strategies", "leaky-bucket");
        assertThat(strategy.exitCode).isEqualTo(2);
        assertThat(strategy.err).contains("'leaky-bucket' is not a strategy: expected one of semaphore, "
                + "token-bucket, pool-size, adaptive, pool+rate");
    }

    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(out);
        while (m.find()) {
            rows.add(new Row(m.group(1), m.group(2), number(m.group(3)), number(m.group(4)), number(m.group(5)),
                    number(m.group(6)), number(m.group(7)), number(m.group(8)), number(m.group(9))));
        }
        return rows;
    }

    private static double number(String s) {
        return Double.parseDouble(s.replace(",", ""));
    }

    private record Row(String strategy, String limit, double offered, double tps, double mean, double p95,
            double p99, double rejectedPercent, double running) {
    }
}
