package dev.corral.cli;

import static dev.corral.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class ScaleCommandTest {

    @TempDir
    Path dir;

    @Test
    void aTinyRunOfTheThreeShapesPrintsASummaryAndWritesTheChart() throws Exception {
        Path svg = dir.resolve("charts/scaling.svg");
        CliRun run = CliRun.onTerminal("scale", "--duration", "500ms", "--max", "8", "--trough", "1", "--peak", "6",
                "--cpu", "0", "--out", dir.resolve("charts").toString());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).contains(Runtime.getRuntime().availableProcessors() + " cores").contains("jvm ")
                .contains("minWorkers(2).maxWorkers(8)").contains("peak 6 (")
                .containsPattern("(?m)^step\\s+\\d+\\s")
                .containsPattern("(?m)^ramp\\s+\\d+\\s")
                .containsPattern("(?m)^sine\\s+\\d+\\s")
                .contains("chart     " + svg);
        assertThat(run.err).contains("[1/3] step: ");
        String chart = Files.readString(svg);
        assertThat(chart).startsWith("<?xml").contains("id=\"panel-step\"", "id=\"panel-ramp\"", "id=\"panel-sine\"")
                .contains("<polyline class=\"live\"").endsWith("</svg>\n");
    }

    @Test
    void theBurstComparisonPrintsAndWritesAMarkdownTableOfTheThreePools() throws Exception {
        Path md = dir.resolve("scaling-burst.md");
        CliRun run = run("scale", "--burst", "--burst-length", "1300ms", "--duration", "1s", "--max", "8",
                "--peak", "6", "--cpu", "0", "--out", dir.toString());

        assertThat(run.exitCode).as(run.toString()).isZero();
        String table = Files.readString(md);
        assertThat(run.out).contains(table).contains("written to " + md);
        assertThat(run.err).as("no progress off a terminal").isEmpty();
        assertThat(dir).isDirectoryNotContaining("glob:**.svg");
        assertThat(table).contains("# Elastic vs fixed pools under a burst")
                .contains(Runtime.getRuntime().availableProcessors() + " cores").contains("**date**")
                .contains("idle 0.3 s, then 6 workers' worth")
                .containsPattern("(?m)^\\| elastic \\| 2\\.\\.8 \\| [\\d.,]+ \\| >? ?[\\d.,]+ \\|")
                .containsPattern("(?m)^\\| on demand \\| 2\\.\\.8 \\|")
                .containsPattern("(?m)^\\| fixed min \\| 2 \\|")
                .containsPattern("(?m)^\\| fixed max \\| 8 \\|.*\\| \\(fixed\\) \\|$");
    }

    @Test
    void helpListsEveryOptionWithADescription() {
        CliRun run = run("scale", "--help");

        assertThat(run.exitCode).isZero();
        List<String> expected = List.of("--burst", "--duration", "--burst-length", "--min", "--max", "--trough",
                "--peak", "--cpu", "--io", "--queue", "--high", "--high-for", "--low", "--low-for", "--step-up",
                "--step-down", "--cooldown", "--keep-alive", "--scaling-interval", "--sample-every", "--out",
                "--report", "--help", "--version");
        assertThat(run.out).contains(expected).contains("open-loop").contains("workers' worth");
        CommandLine scale = CorralCommand.commandLine().getSubcommands().get("scale");
        for (OptionSpec option : scale.getCommandSpec().options()) {
            assertThat(option.description()).as("description of %s", option.longestName()).isNotEmpty();
        }
        assertThat(scale.getCommandSpec().options()).hasSize(expected.size());
        assertThat(run("--help").out).contains("scale");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        assertThat(run("scale", "--duration", "0").err).contains("--duration': must be more than zero, got '0'");
        assertThat(run("scale", "--min", "9", "--max", "8").err).contains("--min (9) must not be more than --max (8)");
        assertThat(run("scale", "--max", "0").err).contains("--max must be 1 or more");
        assertThat(run("scale", "--trough", "30").err).contains("--trough <= --peak");
        assertThat(run("scale", "--cpu", "0", "--io", "0").err).contains("--cpu and --io are both zero");
        assertThat(run("scale", "--high", "1.5").err).contains("--high must be in (0, 1]");
        assertThat(run("scale", "--low", "0.9").err).contains("--low must be at least 0 and less than --high");
        assertThat(run("scale", "--step-up", "0").err).contains("--step-up must be 1 or more");
        assertThat(run("scale", "--queue", "0").err).contains("--queue must be in 1..");
        assertThat(run("scale", "--burst", "--min", "0").err).contains("--min must be 1 or more");
        CliRun bad = run("scale", "--keep-alive", "soon");
        assertThat(bad.exitCode).isEqualTo(2);
        assertThat(bad.err).contains("'soon'");
    }
}
