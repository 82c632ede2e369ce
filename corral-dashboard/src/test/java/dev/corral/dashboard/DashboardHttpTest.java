package dev.corral.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.corral.Overflow;
import dev.corral.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JSON and event endpoints over real HTTP. Sampling is driven by hand ({@link Dashboard#sampleNow()}
 * under a {@link ManualClock}, with an interval too long to fire), so rates are exact.
 */
class DashboardHttpTest {

    private final ManualClock clock = new ManualClock();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Pool pool;

    @BeforeEach
    void pool() {
        pool = Pool.builder().name("api").workers(2).queueCapacity(10).build();
        closing.add(pool::shutdownNow);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private Dashboard start(Dashboard.Builder b) throws IOException {
        Dashboard d = b.clock(clock).interval(Duration.ofHours(1)).start();
        closing.add(d);
        return d;
    }

    private HttpResponse<String> get(Dashboard d, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(d.uri().resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> getJson(Dashboard d, String path) throws Exception {
        HttpResponse<String> r = get(d, path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.std.mapFrom(r.body());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> onlyPool(Map<String, Object> doc) {
        List<Object> pools = (List<Object>) doc.get("pools");
        assertThat(pools).hasSize(1);
        return (Map<String, Object>) pools.get(0);
    }

    private void runTasks(int ok, int failing) throws Exception {
        for (int i = 0; i < ok; i++) {
            pool.submit(() -> 1).get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < failing; i++) {
            var t = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            try {
                t.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // counted by the pool
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void poolsDocumentShowsRatesBetweenTwoSamplesFromTheInjectedClock() throws Exception {
        Dashboard d = start(Dashboard.builder().pool(pool));
        runTasks(30, 10);
        clock.advance(Duration.ofSeconds(2));
        d.sampleNow();

        Map<String, Object> doc = getJson(d, "/api/pools");
        assertThat(((Number) doc.get("time")).longValue()).isEqualTo(clock.millis());
        assertThat(((Number) doc.get("intervalMillis")).longValue()).isEqualTo(3_600_000L);
        Map<String, Object> p = onlyPool(doc);
        assertThat(p).containsEntry("name", "api").containsEntry("kind", "pool");
        Map<String, Object> latest = (Map<String, Object>) p.get("latest");
        assertThat(((Number) latest.get("time")).longValue()).isEqualTo(clock.millis());
        assertThat(((Number) latest.get("throughput")).doubleValue()).isCloseTo(20.0, within(1e-9)); // 40 tasks / 2 s
        assertThat(((Number) latest.get("failuresPerSecond")).doubleValue()).isCloseTo(5.0, within(1e-9));
        assertThat(((Number) latest.get("rejectionsPerSecond")).doubleValue()).isZero();
        assertThat(((Number) latest.get("targetWorkers")).intValue()).isEqualTo(2);
        assertThat(((Number) latest.get("p99Millis")).doubleValue()).isPositive();
        Map<String, Object> totals = (Map<String, Object>) p.get("totals");
        assertThat(((Number) totals.get("completed")).longValue()).isEqualTo(40);
        assertThat(((Number) totals.get("failed")).longValue()).isEqualTo(10);
        assertThat(((Number) totals.get("queueCapacity")).intValue()).isEqualTo(10);
    }

    @Test
    @SuppressWarnings("unchecked")
    void historyIsColumnsOldestFirstAndTheFirstPointHasNoRates() throws Exception {
        Dashboard d = start(Dashboard.builder().pool(pool).history(3));
        for (int round = 1; round <= 4; round++) {
            runTasks(round, 0);
            clock.advance(Duration.ofSeconds(1));
            d.sampleNow();
        }
        Map<String, Object> h = getJson(d, "/api/pools/api/history");
        assertThat(h).containsEntry("name", "api");
        assertThat(((Number) h.get("points")).intValue()).isEqualTo(3); // five rounds, three kept
        Map<String, Object> series = (Map<String, Object>) h.get("series");
        List<Number> time = (List<Number>) series.get("time");
        assertThat(time).extracting(Number::longValue).containsExactly(
                clock.millis() - 2000, clock.millis() - 1000, clock.millis());
        assertThat((List<Number>) series.get("throughput")).extracting(Number::doubleValue)
                .containsExactly(2.0, 3.0, 4.0);
        assertThat(series).containsKeys("workers", "busyWorkers", "targetWorkers", "queued", "failuresPerSecond",
                "rejectionsPerSecond", "p50Millis", "p99Millis", "queueWaitP99Millis", "extra");

        Dashboard fresh = start(Dashboard.builder().source(DashboardSource.of("other", pool)));
        Map<String, Object> first = getJson(fresh, "/api/pools/other/history");
        assertThat((List<Object>) ((Map<String, Object>) first.get("series")).get("throughput")).containsExactly((Object) null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void rejectionsAreCharted() throws Exception {
        Pool full = Pool.builder().name("full").workers(1).queueCapacity(0).whenFull(Overflow.REJECT).build();
        closing.add(full::shutdownNow);
        CountDownLatch release = new CountDownLatch(1);
        closing.add(release::countDown);
        CountDownLatch running = new CountDownLatch(1);
        full.execute(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Busy from here on: read too early, the worker may not have started the task yet (seen in CI on a loaded machine)
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        Dashboard d = start(Dashboard.builder().pool(full));
        int refused = 0;
        for (int i = 0; i < 7; i++) {
            if (!full.tryExecute(() -> { })) {
                refused++;
            }
        }
        assertThat(refused).isEqualTo(7);
        clock.advance(Duration.ofMillis(500));
        d.sampleNow();
        Map<String, Object> latest = (Map<String, Object>) onlyPool(getJson(d, "/api/pools")).get("latest");
        assertThat(((Number) latest.get("rejectionsPerSecond")).doubleValue()).isCloseTo(14.0, within(1e-9));
        assertThat(((Number) latest.get("busyWorkers")).intValue()).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSourceThatThrowsIsCountedAndTheOthersAreStillRead() throws Exception {
        DashboardSource broken = new DashboardSource() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public String kind() {
                return "test";
            }

            @Override
            public Reading read() {
                throw new IllegalStateException("cannot reach it");
            }
        };
        Dashboard d = start(Dashboard.builder().source(broken).pool(pool));
        runTasks(5, 0);
        clock.advance(Duration.ofSeconds(1));
        d.sampleNow();
        List<Map<String, Object>> pools = (List<Map<String, Object>>) getJson(d, "/api/pools").get("pools");
        assertThat(pools).extracting(p -> p.get("name")).containsExactly("broken", "api");
        assertThat(((Number) pools.get(0).get("readFailures")).longValue()).isEqualTo(2);
        assertThat((String) pools.get(0).get("lastError")).contains("cannot reach it");
        assertThat(pools.get(0)).containsEntry("latest", null).containsEntry("totals", null);
        assertThat(pools.get(1)).containsEntry("lastError", null);
        Map<String, Object> ok = (Map<String, Object>) pools.get(1).get("latest");
        assertThat(((Number) ok.get("throughput")).doubleValue()).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void sourcesComeAndGoWhileItRuns() throws Exception {
        Dashboard d = start(Dashboard.builder());
        assertThat(onlyPoolCount(d)).isZero();
        d.add(pool);
        assertThatThrownBy(() -> d.add(pool)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'api'");
        d.sampleNow();
        assertThat(d.sourceNames()).containsExactly("api");
        assertThat(onlyPoolCount(d)).isEqualTo(1);
        assertThat(get(d, "/api/pools/api/history").statusCode()).isEqualTo(200);
        assertThat(d.remove("api")).isTrue();
        assertThat(d.remove("api")).isFalse();
        assertThat(onlyPoolCount(d)).isZero();
        HttpResponse<String> gone = get(d, "/api/pools/api/history");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(JSON.std.mapFrom(gone.body()).get("error").toString()).contains("no source named 'api'");
    }

    @SuppressWarnings("unchecked")
    private int onlyPoolCount(Dashboard d) throws Exception {
        return ((List<Object>) getJson(d, "/api/pools").get("pools")).size();
    }

    @Test
    void namesWithSpacesAreReachableUrlEncoded() throws Exception {
        Dashboard d = start(Dashboard.builder().source(DashboardSource.of("demo corral, 100 clients", pool)));
        assertThat(get(d, "/api/pools/demo%20corral,%20100%20clients/history").statusCode()).isEqualTo(200);
    }

    @Test
    void pageAndAssetsAreServedFromTheJarAndOtherRequestsAreRefused() throws Exception {
        Dashboard d = start(Dashboard.builder().pool(pool));
        HttpResponse<String> page = get(d, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("assets/uPlot.iife.min.js").doesNotContain("http://", "https://");
        HttpResponse<String> uplot = get(d, "/assets/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot");
        assertThat(get(d, "/assets/uPlot-LICENSE.txt").body()).contains("MIT");
        assertThat(get(d, "/assets/nothing.js").statusCode()).isEqualTo(404);
        assertThat(get(d, "/nowhere").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(d.uri().resolve("/api/pools"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(d.uri().getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void eventsStreamOneSampleEventPerRound() throws Exception {
        Dashboard d = start(Dashboard.builder().pool(pool));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(d.uri().resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        Thread reader = Thread.ofVirtual().start(() -> {
            try (Stream<String> s = new java.io.BufferedReader(new java.io.InputStreamReader(r.body())).lines()) {
                s.forEach(lines::add);
            } catch (RuntimeException e) {
                // the stream ends when the dashboard closes
            }
        });
        closing.add(reader::interrupt);

        Map<String, Object> first = nextEvent(lines); // the round start() took
        assertThat(((Number) first.get("time")).longValue()).isEqualTo(clock.millis());

        for (int round = 1; round <= 3; round++) {
            runTasks(round * 10, 0);
            clock.advance(Duration.ofSeconds(1));
            d.sampleNow();
            Map<String, Object> event = nextEvent(lines);
            assertThat(((Number) event.get("time")).longValue()).isEqualTo(clock.millis());
            Map<String, Object> latest = (Map<String, Object>) onlyPool(event).get("latest");
            assertThat(((Number) latest.get("throughput")).doubleValue()).isCloseTo(round * 10.0, within(1e-9));
        }
    }

    /** Reads lines up to the next sample event; returns its data. */
    private static Map<String, Object> nextEvent(BlockingQueue<String> lines) throws Exception {
        boolean sample = false;
        while (true) {
            String line = lines.poll(20, TimeUnit.SECONDS);
            assertThat(line).as("a line of the event stream within 20 s").isNotNull();
            if (line.equals("event: sample")) {
                sample = true;
            } else if (sample && line.startsWith("data: ")) {
                return JSON.std.mapFrom(line.substring("data: ".length()));
            }
        }
    }

    @Test
    void streamsPastTheBoundAreToldToPoll() throws Exception {
        Dashboard d = start(Dashboard.builder().pool(pool).maxStreams(1));
        HttpResponse<InputStream> held = http.send(HttpRequest.newBuilder(d.uri().resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        closing.add(held.body());
        assertThat(held.statusCode()).isEqualTo(200);
        HttpResponse<String> refused = get(d, "/events");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("poll /api/pools");
    }

    @Test
    void closingEndsOpenStreams() throws Exception {
        Dashboard d = Dashboard.builder().clock(clock).pool(pool).start();
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(d.uri().resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        d.close();
        // The stream ends (the read returns -1 or fails) instead of hanging.
        try (InputStream in = stream.body()) {
            while (in.read() >= 0) {
                // drain what was sent before the close
            }
        } catch (IOException ended) {
            // a reset connection ends it too
        }
        assertThatThrownBy(() -> get(d, "/api/pools")).isInstanceOf(IOException.class);
    }

    @Test
    void settingsAreCheckedWithTheirNameAndValue() {
        assertThatThrownBy(() -> Dashboard.builder().port(70_000)).hasMessage("port must be in 0..65535, was 70000");
        assertThatThrownBy(() -> Dashboard.builder().interval(Duration.ofMillis(1)))
                .hasMessage("interval must be at least 10ms, was PT0.001S");
        assertThatThrownBy(() -> Dashboard.builder().history(1)).hasMessage("history must be at least 2, was 1");
        assertThatThrownBy(() -> Dashboard.builder().maxStreams(0)).hasMessage("maxStreams must be at least 1, was 0");
        assertThatThrownBy(() -> DashboardSource.of("a/b", pool)).hasMessageContaining("without '/'")
                .hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> Dashboard.builder().pool(pool).pool(pool)).hasMessageContaining("'api' was already given");
    }

    @Test
    void requestsForAnotherHostNameAreRefused() throws Exception {
        Dashboard d = start(Dashboard.builder().pool(pool));
        assertThat(rawStatus(d, "evil.example:" + d.port())).isEqualTo(403);
        assertThat(rawStatus(d, "127.0.0.1.evil.example:" + d.port())).isEqualTo(403);
        assertThat(rawStatus(d, "localhost:" + d.port())).isEqualTo(200);
        assertThat(rawStatus(d, "127.0.0.1:" + d.port())).isEqualTo(200);
    }

    /** The status of GET /api/pools sent by hand with this Host header (HttpClient will not set one). */
    private static int rawStatus(Dashboard d, String host) throws IOException {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), d.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET /api/pools HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void aPortInUseFailsToStart() throws Exception {
        Dashboard d = start(Dashboard.builder());
        assertThatThrownBy(() -> Dashboard.builder().port(d.port()).start()).isInstanceOf(java.net.BindException.class);
    }
}
