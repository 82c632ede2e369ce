package dev.corral.cli;

import static dev.corral.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.corral.redis.testing.RedisTestServer;
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

    /** A run of the command line on a thread of its own, its output readable while it runs. */
    private record Background(CompletableFuture<Integer> exit, StringWriter out, StringWriter err, Thread thread) {
        static Background start(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = CorralCommand.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().name("corral-cli-under-test").start(() -> exit.complete(cmd.execute(args)));
            return new Background(exit, out, err, t);
        }

        /** Stops a command that runs until stopped, as an embedding program would: by an interrupt. */
        int stop() throws Exception {
            thread.interrupt();
            return exitCode();
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
        Background run = Background.start("dashboard", "--interval", "100ms");
        URI base = run.address();
        assertThat(run.out.toString()).contains("demo load: pools checkout and reports");
        await().atMost(Duration.ofSeconds(30)).until(() -> pools(base).stream().allMatch(p -> completed(p) > 0));
        assertThat(pools(base)).extracting(p -> p.get("name")).containsExactly("checkout", "reports");
        long before = completed(pools(base).get(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> completed(pools(base).get(0)) > before);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("<title>Corral dashboard</title>");
        assertThat(run.stop()).as(run.err.toString()).isZero();
        assertThat(run.out.toString()).endsWith("stopped." + System.lineSeparator());
        assertThatThrownBy(() -> pools(base)).as("the server is closed").isInstanceOf(java.io.IOException.class);
    }

    @Test
    void dashboardHelpDescribesEveryOption() {
        CliRun help = run("dashboard", "--help");
        assertThat(help.exitCode).isZero();
        CommandLine dashboard = CorralCommand.commandLine().getSubcommands().get("dashboard");
        assertThat(dashboard.getCommandSpec().options()).extracting(o -> o.longestName()).containsExactly(
                "--port", "--no-demo", "--interval", "--history", "--redis", "--queue", "--duration", "--help",
                "--version");
        for (var option : dashboard.getCommandSpec().options()) {
            assertThat(help.out).contains(option.longestName());
            assertThat(option.description()).as("description of %s", option.longestName()).isNotEmpty();
        }
        assertThat(help.out).contains("127.0.0.1", "docs/dashboard.md", "checkout", "reports");
        assertThat(run("--help").out).contains("dashboard");
    }

    @Test
    void dashboardWithoutTheDemoShowsNoPoolsAndBadPortsAreUsageErrors() throws Exception {
        Background run = Background.start("dashboard", "--no-demo");
        assertThat(pools(run.address())).isEmpty();
        assertThat(run.stop()).isZero();

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
    @SuppressWarnings("unchecked")
    void dashboardShowsRedisQueuesFromTheirClusterStatistics() throws Exception {
        try (RedisTestServer server = RedisTestServer.start()) {
            CliRun enq = run("enqueue", "--redis", server.uri(), "--queue", "mail", "--type", "send", "--count", "30");
            assertThat(enq.exitCode).as(enq.toString()).isZero();
            CliRun later = run("enqueue", "--redis", server.uri(), "--queue", "mail", "--type", "send", "--count", "4",
                    "--delay", "1h");
            assertThat(later.exitCode).as(later.toString()).isZero();

            Background run = Background.start("dashboard", "--no-demo", "--redis", server.uri(), "--queue", "mail",
                    "--interval", "200ms");
            URI base = run.address();
            assertThat(run.out.toString()).contains("redis queues: mail");
            await().atMost(Duration.ofSeconds(30)).until(() -> !pools(base).isEmpty()
                    && pools(base).get(0).get("latest") != null);
            Map<String, Object> queue = pools(base).get(0);
            assertThat(queue).containsEntry("name", "redis mail").containsEntry("kind", "redis-queue")
                    .containsEntry("readFailures", 0);
            Map<String, Object> latest = (Map<String, Object>) queue.get("latest");
            assertThat(((Number) latest.get("queued")).intValue()).isEqualTo(30);
            assertThat(((Number) latest.get("workers")).intValue()).isZero();
            Map<String, Object> extra = (Map<String, Object>) latest.get("extra");
            assertThat(((Number) extra.get("delayed")).longValue()).isEqualTo(4);
            assertThat(((Number) extra.get("enqueued")).longValue()).isEqualTo(34);
            assertThat(((Number) extra.get("deadLettered")).longValue()).isZero();
            assertThat(run.stop()).as(run.err.toString()).isZero();
        }
        CliRun noQueue = run("dashboard", "--redis", "redis://127.0.0.1:1");
        assertThat(noQueue.exitCode).isEqualTo(2);
        assertThat(noQueue.err).contains("--redis needs --queue <name>");
        assertThat(run("dashboard", "--queue", "mail").err).contains("--queue needs --redis <uri>");
        assertThat(run("dashboard", "--redis", "http://nowhere", "--queue", "q").exitCode).isEqualTo(2);
    }

    @Test
    void redisUnreachableAtStartFailsAndLostLaterShowsAsFailedReads() throws Exception {
        CliRun absent = run("dashboard", "--no-demo", "--redis", "redis://127.0.0.1:" + RedisTestServer.freePort(),
                "--queue", "mail", "--duration", "3s");
        assertThat(absent.exitCode).as(absent.toString()).isEqualTo(1);
        assertThat(absent.err).contains("Redis did not answer", "queue 'mail'");

        try (RedisTestServer server = RedisTestServer.start()) {
            Background run = Background.start("dashboard", "--no-demo", "--redis", server.uri(), "--queue", "mail",
                    "--interval", "200ms");
            URI base = run.address();
            await().atMost(Duration.ofSeconds(30)).until(() -> pools(base).get(0).get("latest") != null);
            server.kill();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    ((Number) pools(base).get(0).get("readFailures")).longValue() > 0);
            assertThat(pools(base).get(0).get("lastError").toString()).contains("Redis");
            assertThat(run.stop()).isZero();
        }
    }

    @Test
    void demoWithDashboardPutsEachCellOnThePageAsItRuns() throws Exception {
        Background run = Background.start("demo", "--dashboard", "--linger", "60s", "--duration", "500ms",
                "--warmup", "300ms", "--clients", "4", "--io", "1ms", "--cpu", "50us");
        URI base = run.address();
        // A cell is on the page from its start, and its counts from the next sampling round on.
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            List<Map<String, Object>> cells = pools(base);
            return cells.size() == 3 && cells.stream().allMatch(c -> completed(c) > 0);
        });
        assertThat(pools(base)).extracting(p -> p.get("name"))
                .containsExactly("thread, 4 clients", "tpe, 4 clients", "corral, 4 clients");
        await().atMost(Duration.ofSeconds(30)).until(() -> run.out.toString().contains("The demo is over"));
        assertThat(run.stop()).as(run.err.toString()).isZero();
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
