package dev.corral.cli;

import static dev.corral.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What every command of the tree gets from {@link CorralCommand#commandLine()}: help without work,
 * one-line usage errors, one rule for durations. The tests walk the tree, so a command added
 * later is held to the same rules without a test of its own.
 */
class CliHygieneTest {

    @TempDir
    Path dir;

    /** Every command's path below {@code corral}, the root included as an empty path. */
    static Stream<List<String>> commands() {
        List<List<String>> paths = new ArrayList<>();
        collect(CorralCommand.commandLine(), new ArrayList<>(), paths);
        return paths.stream();
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> into) {
        into.add(List.copyOf(path));
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().aliases().equals(new String[0]) && !name.equals(sub.getCommandName())) {
                return; // an alias: its command is visited under its own name
            }
            List<String> next = new ArrayList<>(path);
            next.add(name);
            collect(sub, next, into);
        });
    }

    private static CommandLine command(List<String> path) {
        CommandLine cmd = CorralCommand.commandLine();
        for (String name : path) {
            cmd = cmd.getSubcommands().get(name);
        }
        return cmd;
    }

    /** Every subcommand of {@code corral}, with each option of type Duration. */
    static Stream<Object[]> durationOptions() {
        List<Object[]> all = new ArrayList<>();
        commands().filter(p -> !p.isEmpty()).forEach(path -> {
            for (OptionSpec option : command(path).getCommandSpec().options()) {
                if (option.type() == Duration.class) {
                    boolean positive = option.converters().length > 0
                            && option.converters()[0] instanceof DurationConverter.Positive;
                    all.add(new Object[] {path, option.longestName(), positive});
                }
            }
        });
        return all.stream();
    }

    @Test
    void theTreeHasTheCommandsWeKnowOf() {
        assertThat(commands()).contains(List.of(), List.of("demo"), List.of("limits"), List.of("scale"));
        assertThat(durationOptions()).hasSizeGreaterThan(10);
    }

    @ParameterizedTest(name = "corral {0} --help")
    @MethodSource("commands")
    void everyCommandAnswersHelpWithoutRunning(List<String> path) {
        // With --duration 1h given too, where there is one: had the command run, the test would time out.
        List<String> args = new ArrayList<>(path);
        if (command(path).getCommandSpec().findOption("--duration") != null) {
            args.addAll(List.of("--duration", "1h"));
        }
        args.add("--help");
        CliRun run = run(args.toArray(String[]::new));

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).containsPattern("(?m)^Usage: " + String.join(" ", prepend("corral", path)) + "\\b")
                .contains("--help");
        assertThat(run.err).as(run.toString()).isEmpty();
    }

    @ParameterizedTest(name = "corral {0} --no-such-option")
    @MethodSource("commands")
    void everyCommandRefusesAnUnknownOptionInOneLineThatPointsToHelp(List<String> path) {
        List<String> args = new ArrayList<>(path);
        args.add("--no-such-option");
        CliRun run = run(args.toArray(String[]::new));

        // (A command with a required parameter may report that first: still one line, still exit 2.)
        String name = String.join(" ", prepend("corral", path));
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err.lines()).as(run.toString()).hasSize(1);
        assertThat(run.err).startsWith(name + ": ").doesNotContain("Usage:")
                .endsWith("See '" + name + " --help'." + System.lineSeparator());
    }

    @Test
    void anUnknownOptionIsNamedAndATypoGetsASuggestionOnTheSameLine() {
        for (String command : List.of("demo", "limits", "scale")) {
            assertThat(run(command, "--no-such-option").err)
                    .startsWith("corral " + command + ": Unknown option: '--no-such-option'. See");
        }

        CliRun run = run("demo", "--duraton", "1s");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines()).as(run.toString()).hasSize(1);
        assertThat(run.err).contains("Unknown options: '--duraton', '1s'").contains("did you mean --duration?");
    }

    @Test
    void refusedCombinationsAndBadValuesAreOneLineToo() {
        for (CliRun run : List.of(run("scale", "--min", "9", "--max", "8"), run("demo", "--clients", "0"),
                run("limits", "--max-wait", "soon"), run("demo", "--modes", "fork-join"), run())) {
            assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
            assertThat(run.err.lines()).as(run.toString()).hasSize(1);
            assertThat(run.err).as(run.toString()).contains(" --help'.").doesNotContain("Usage:");
        }
    }

    @ParameterizedTest(name = "corral {0} {1} -2s")
    @MethodSource("durationOptions")
    void everyDurationOptionRefusesNegativesWithOneMessage(List<String> path, String option, boolean positive) {
        String rule = positive ? "must be more than zero" : "must be zero or more";
        for (String value : positive ? List.of("-2s", "0s", "0") : List.of("-2s", "-PT1S")) {
            List<String> args = new ArrayList<>(path);
            args.addAll(List.of(option, value));
            CliRun run = run(args.toArray(String[]::new));

            assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
            assertThat(run.err).as(run.toString())
                    .contains("Invalid value for option '" + option + "': " + rule + ", got '" + value + "'");
        }
    }

    @Test
    void aRunMeasuredOverNoTimeIsRefusedTheSameWayByEveryCommand() {
        for (String command : List.of("demo", "limits", "scale")) {
            String zero = run(command, "--duration", "0s").err;
            String negative = run(command, "--duration", "-2s").err;
            assertThat(zero.replace("'0s'", "<v>")).isEqualTo(negative.replace("'-2s'", "<v>"))
                    .contains("corral " + command + ": Invalid value for option '--duration': must be more than zero");
        }
    }

    @Test
    void aDurationOptionThatNamesNoConverterGetsTheSameRule() {
        CliRun bare = runConfigured(new Bare(), "--wait", "-1s");

        assertThat(bare.exitCode).isEqualTo(2);
        assertThat(bare.err).isEqualTo("bare: Invalid value for option '--wait': must be zero or more, got '-1s'. "
                + "See 'bare --help'." + System.lineSeparator());
        assertThat(runConfigured(new Bare(), "--wait", "1m30s").out).isEqualTo("PT1M30S");
    }

    @Test
    void scaleWritesIntoTheCurrentDirectoryByDefaultNeverTheSourceTree() {
        CommandLine scale = CorralCommand.commandLine().getSubcommands().get("scale");

        assertThat(scale.getCommandSpec().findOption("--out").defaultValue()).isEqualTo(".");
        assertThat(scale.getCommandSpec().findOption("--burst-out")).isNull();
    }

    @Test
    void scaleRefusesAFileForItsOutputFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "keep me");

        CliRun run = run("scale", "--out", file.toString(), "--duration", "100ms");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--out must be a folder").contains(file.toString());
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void aBurstTooShortForThePolicyIsRefusedWithTheLengthThatWouldDo() {
        // The default policy timings (--duration 20s) need 500ms + 500ms + 200ms to add workers once.
        CliRun run = run("scale", "--burst", "--burst-length", "2s", "--out", dir.toString());

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines()).hasSize(1);
        assertThat(run.err).contains("--burst-length 2s is too short for the scaling policy")
                .contains("--high-for 500ms + --cooldown 500ms + --scaling-interval 200ms")
                .contains("give --burst-length 8.4s or more");
        assertThat(dir).isEmptyDirectory();
        // The suggested length passes the check (settings() is what call() runs first).
        CommandLine cmd = CorralCommand.commandLine();
        cmd.parseArgs("scale", "--burst", "--burst-length", "8.4s");
        ScaleCommand scale = cmd.getSubcommands().get("scale").getCommand();
        assertThat(scale.settings().burstLength()).isEqualTo(Duration.ofMillis(8400));
    }

    @Test
    void aFailureWhileRunningIsOneLineNamingTheCommand() {
        CliRun run = runConfigured(new Boom());

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err.lines().toList()).hasSize(2).first().isEqualTo("boom: disk full");
        assertThat(run.err).contains("-Dcorral.debug=true").doesNotContain("at dev.corral");
    }

    /** Runs a command of the test's own, configured as {@code corral}'s commands are. */
    private static CliRun runConfigured(Object command, String... args) {
        return CliRun.run(CorralCommand.configure(new CommandLine(command)), false, args);
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    @Command(name = "bare")
    static final class Bare implements Runnable {
        @CommandLine.Option(names = "--wait")
        Duration wait;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().print(wait);
        }
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            throw new java.io.IOException("disk full");
        }
    }
}
