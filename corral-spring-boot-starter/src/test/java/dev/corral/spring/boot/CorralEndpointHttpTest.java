package dev.corral.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.corral.Pool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * {@code /actuator/corral} over real HTTP: the list, one pool, a resize and a queue change, and
 * the refusals. One web context for the whole class.
 */
@SpringBootTest(classes = CorralEndpointHttpTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "management.endpoints.web.exposure.include=corral",
                "corral.pools.api.workers=4",
                "corral.pools.api.resizable-queue=true",
                "corral.pools.api.queue-capacity=100",
                "corral.pools.batch.min-workers=1",
                "corral.pools.batch.max-workers=2",
                "corral.pools.batch.queue-capacity=64",
                "corral.pools.elastic.min-workers=1",
                "corral.pools.elastic.max-workers=2",
                "corral.pools.elastic.queue-capacity=64",
                "corral.pools.handoff.queue-capacity=0",
        })
class CorralEndpointHttpTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Pool api;

    @Autowired
    Pool batch;

    @Autowired
    Pool elastic;

    @AfterAll
    static void closeClient() {
        HTTP.close();
    }

    @Test
    void listsEveryPoolBeanWithItsSizesQueueAndCounters() throws Exception {
        api.submit(() -> "warm").get(10, TimeUnit.SECONDS);
        HttpResponse<String> r = get("/actuator/corral");
        assertThat(r.statusCode()).isEqualTo(200);
        DocumentContext json = JsonPath.parse(r.body());
        assertThat(json.read("$.pools", java.util.Map.class).keySet())
                .containsExactlyInAnyOrder("api", "batch", "elastic", "handoff", "custom");
        assertThat(json.read("$.pools.api.name", String.class)).isEqualTo("api");
        assertThat(json.read("$.pools.api.state", String.class)).isEqualTo("running");
        assertThat(json.read("$.pools.api.tasks.submitted", Long.class)).isGreaterThanOrEqualTo(1);
        assertThat(json.read("$.pools.api.tasks.succeeded", Long.class)).isGreaterThanOrEqualTo(1);
        assertThat(json.read("$.pools.api.latencyMillis.runTime.count", Long.class)).isGreaterThanOrEqualTo(1);
        assertThat(json.read("$.pools.batch.workers.min", Integer.class)).isEqualTo(1);
        assertThat(json.read("$.pools.handoff.queue.capacity", Integer.class)).isZero();
        // A Pool bean the application made itself is listed (and resizable) too.
        assertThat(json.read("$.pools.custom.workers.max", Integer.class)).isEqualTo(3);
    }

    @Test
    void readsOnePoolAndAnswers404ForAnUnknownOne() throws Exception {
        HttpResponse<String> r = get("/actuator/corral/custom");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JsonPath.parse(r.body()).read("$.workers.max", Integer.class)).isEqualTo(3);
        assertThat(get("/actuator/corral/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void resizesAPoolAndChangesItsQueueCapacityAtRunTime() throws Exception {
        HttpResponse<String> r = post("/actuator/corral/api", "{\"minWorkers\": 2, \"maxWorkers\": 8, \"queueCapacity\": 500}");
        assertThat(r.statusCode()).isEqualTo(200);
        DocumentContext json = JsonPath.parse(r.body());
        assertThat(json.read("$.workers.min", Integer.class)).isEqualTo(2);
        assertThat(json.read("$.workers.max", Integer.class)).isEqualTo(8);
        assertThat(json.read("$.queue.capacity", Integer.class)).isEqualTo(500);
        assertThat(api.stats().maxWorkers()).isEqualTo(8);
        assertThat(api.stats().queueCapacity()).isEqualTo(500);

        // One bound alone keeps the other; the queue alone leaves the sizes.
        assertThat(post("/actuator/corral/elastic", "{\"maxWorkers\": 5}").statusCode()).isEqualTo(200);
        assertThat(elastic.stats().minWorkers()).isEqualTo(1);
        assertThat(elastic.stats().maxWorkers()).isEqualTo(5);
        assertThat(post("/actuator/corral/elastic", "{\"queueCapacity\": 32}").statusCode()).isEqualTo(200);
        assertThat(elastic.stats().queueCapacity()).isEqualTo(32);
        assertThat(elastic.stats().maxWorkers()).isEqualTo(5);
    }

    @Test
    void refusesInvalidValuesWith400AndAMessageAndChangesNothing() throws Exception {
        int maxBefore = batch.stats().maxWorkers();
        int queueBefore = batch.stats().queueCapacity();
        assertRefused("/actuator/corral/batch", "{\"maxWorkers\": 0}", "pool 'batch': maxWorkers must be >= 1, was 0");
        assertRefused("/actuator/corral/batch", "{\"minWorkers\": -1}", "pool 'batch': minWorkers must be >= 0, was -1");
        assertRefused("/actuator/corral/batch", "{\"minWorkers\": 9, \"maxWorkers\": 3}",
                "pool 'batch': minWorkers must be <= maxWorkers, was minWorkers=9, maxWorkers=3");
        assertRefused("/actuator/corral/batch", "{\"queueCapacity\": 0}", "pool 'batch': queueCapacity must be >= 1, was 0");
        // The default ring cannot grow past the size it was built with; the sizes must not change either.
        assertRefused("/actuator/corral/batch", "{\"maxWorkers\": 7, \"queueCapacity\": 1000}",
                "pool 'batch': queueCapacity must be <= 64");
        assertRefused("/actuator/corral/handoff", "{\"queueCapacity\": 10}", "has no queue to resize");
        assertRefused("/actuator/corral/batch", "{}", "nothing to change");
        assertThat(batch.stats().maxWorkers()).isEqualTo(maxBefore);
        assertThat(batch.stats().queueCapacity()).isEqualTo(queueBefore);
        assertThat(post("/actuator/corral/nope", "{\"maxWorkers\": 3}").statusCode()).isEqualTo(404);
    }

    private void assertRefused(String path, String body, String message) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertThat(r.statusCode()).as(body).isEqualTo(400);
        assertThat(JsonPath.parse(r.body()).read("$.error", String.class)).as(body).contains(message);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** No component scan: the other tests' configurations live in this package. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean(destroyMethod = "shutdownNow")
        Pool custom() {
            return Pool.builder().name("custom").workers(3).build();
        }
    }
}
