package dev.corral.cli;

import static dev.corral.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code corral dashboard}, {@code corral demo --dashboard} and the {@code --report} files of
 * demo, limits and scale, run in process; the dashboards are read over real HTTP while they run.
 */
class DashboardCommandsTest {

    private static final Pattern ADDRESS = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern REPORT_DATA =
            Pattern.compile("(?s)<script id=\"report-data\" type=\"application/json\">(.*?)</script>");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A run of the command line on another thread, its output readable while it runs. */
    private record Background(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
        static Background start(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = CorralCommand.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            return new Background(CompletableFuture.supplyAsync(() -> cmd.execute(args)), out, err);
        }

        URI address() {
            await().atMost(Duration.ofSeconds(30)).until(() -> ADDRESS.matcher(out.toString()).find() || exit.isDone());
            Matcher m = ADDRESS.matcher(out.toString());
            assertThat(m.find()).as("an address in %s / %s", out, err).isTrue();
            return URI.create(m.group());
        }

        int exitCode() throws Exception {
            return exit.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> pools(URI base) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("api/pools")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return (List<Map<String, Object>>) JSON.std.mapFrom(r.body()).get("pools");
    }

    @SuppressWarnings("unchecked")
    private static long completed(Map<String, Object> pool) {
        Map<String, Object> totals = (Map<String, Object>) pool.get("totals");
        return totals == null ? 0 : ((Number) totals.get("completed")).longValue();
    }

    @Test
    void dashboardServesTheDemoLoadsPoolsAndTheirCountsGrow() throws Exception {
        Background run = Background.start("dashboard", "--duration", "6s", "--interval", "100ms");
        URI base = run.address();
        assertThat(run.out.toString()).contains("demo load: pools checkout and reports");
        await().atMost(Duration.ofSeconds(30)).until(() -> pools(base).stream().allMatch(p -> completed(p) > 0));
        assertThat(pools(base)).extracting(p -> p.get("name")).containsExactly("checkout", "reports");
        long before = completed(pools(base).get(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> completed(pools(base).get(0)) > before);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("<title>Corral dashboard</title>");
        assertThat(run.exitCode()).as(run.err.toString()).isZero();
    }

    @Test
    void dashboardWithoutTheDemoShowsNoPoolsAndBadPortsAreUsageErrors() throws Exception {
        Background run = Background.start("dashboard", "--no-demo", "--duration", "2s");
        assertThat(pools(run.address())).isEmpty();
        assertThat(run.exitCode()).isZero();

        CliRun badPort = run("dashboard", "--port", "70000");
        assertThat(badPort.exitCode).isEqualTo(2);
        assertThat(badPort.err).contains("--port must be in 0..65535 (0: any free port), got 70000");
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun inUse = run("dashboard", "--no-demo", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(inUse.exitCode).as(inUse.toString()).isEqualTo(2);
            assertThat(inUse.err).contains("--port " + taken.getLocalPort() + ": cannot listen on 127.0.0.1:");
        }
        assertThat(run("dashboard", "--history", "1").err).contains("--history must be 2 or more, got 1");
    }

    @Test
    void demoWithDashboardPutsEachCellOnThePageAsItRuns() throws Exception {
        Background run = Background.start("demo", "--dashboard", "--linger", "3s", "--duration", "500ms",
                "--warmup", "300ms", "--clients", "4", "--io", "1ms", "--cpu", "50us");
        URI base = run.address();
        await().atMost(Duration.ofSeconds(40)).until(() -> pools(base).size() == 3);
        List<Map<String, Object>> cells = pools(base);
        assertThat(cells).extracting(p -> p.get("name"))
                .containsExactly("thread, 4 clients", "tpe, 4 clients", "corral, 4 clients");
        assertThat(cells).allSatisfy(c -> assertThat(completed(c)).isPositive());
        assertThat(run.exitCode()).as(run.err.toString()).isZero();
        assertThat(run.out.toString()).contains("The demo is over; the dashboard at " + base);
    }

    @Test
    @SuppressWarnings("unchecked")
    void demoReportIsOneFileWithTheTableAndChartsOfPercentilesAndThroughputOverTime() throws Exception {
        Path file = dir.resolve("out/demo.html");
        CliRun r = run("demo", "--report", file.toString(), "--duration", "500ms", "--warmup", "300ms",
                "--clients", "4", "--io", "1ms", "--cpu", "50us", "--modes", "tpe,corral");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("report    " + file.toAbsolutePath());
        String html = Files.readString(file);
        assertThat(html).contains("var uPlot=function").doesNotContain("src=", "<link");
        assertThat(html).containsPattern("(?m)^corral\\s+4\\s+[\\d,]+"); // the printed table, as printed
        List<Map<String, Object>> charts = charts(html);
        assertThat(charts).extracting(c -> c.get("title")).containsExactly("Throughput by clients",
                "p99 latency by clients", "Latency percentiles at 4 clients (submission to result)",
                "Throughput over time at 4 clients (warmup included)");
        Map<String, Object> overTime = charts.get(3);
        assertThat((List<Number>) overTime.get("x")).hasSizeGreaterThanOrEqualTo(1);
        for (Object s : (List<Object>) overTime.get("series")) {
            List<Number> values = (List<Number>) ((Map<String, Object>) s).get("values");
            assertThat(values).as("throughput of %s", ((Map<String, Object>) s).get("label"))
                    .anySatisfy(v -> assertThat(v).isNotNull().matches(n -> n.doubleValue() > 0));
        }
    }

    @Test
    void limitsAndScaleWriteReportsToo() throws Exception {
        Path limits = dir.resolve("limits.html");
        CliRun l = run("limits", "--strategies", "semaphore,pool-size", "--limit", "3", "--rate", "100",
                "--io", "1ms", "--cpu", "0", "--duration", "200ms", "--warmup", "0ms", "--report", limits.toString());
        assertThat(l.exitCode).as(l.toString()).isZero();
        assertThat(charts(Files.readString(limits))).extracting(c -> c.get("title")).containsExactly(
                "Latency percentiles (scheduled arrival to end of work)", "Throughput", "Rejected");

        Path scale = dir.resolve("scale.html");
        CliRun s = run("scale", "--duration", "500ms", "--max", "8", "--trough", "1", "--peak", "6", "--cpu", "0",
                "--out", dir.resolve("scale.svg").toString(), "--report", scale.toString());
        assertThat(s.exitCode).as(s.toString()).isZero();
        assertThat(charts(Files.readString(scale))).extracting(c -> c.get("title")).contains(
                "step: load and workers", "sine: queue", "Queue wait percentiles per shape");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> charts(String html) throws Exception {
        Matcher m = REPORT_DATA.matcher(html);
        assertThat(m.find()).isTrue();
        return (List<Map<String, Object>>) JSON.std.mapFrom(m.group(1)).get("charts");
    }
}
