package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.corral.redis.testing.RedisTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.RedisClient;

/** {@code corral worker} as its own process: SIGTERM mid-run stops it gracefully with status 0. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkerProcessTest {

    @Test
    void sigtermMidRunExitsZeroAndLosesNothing() throws Exception {
        int tasks = 400;
        try (RedisTestServer server = RedisTestServer.start(); RedisClient redis = RedisClient.create(server.uri())) {
            String q = "sigterm";
            assertThat(CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "probe",
                    "--payload", "t{i}:10", "--count", Integer.toString(tasks)).exitCode).isZero();

            Path log = Files.createTempFile("corral-worker", ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process worker = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CorralCommand.class.getName(), "worker", "--redis", server.uri(), "--queue", q, "--workers", "4")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                // Mid-run: some tasks done, most not.
                Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(20))
                        .until(() -> runs(redis, q) >= 20);
                worker.destroy();   // SIGTERM
                assertThat(worker.waitFor(40, TimeUnit.SECONDS)).isTrue();
                String out = Files.readString(log);
                assertThat(worker.exitValue()).as(out).isZero();
                assertThat(out).contains("stopped");
            } finally {
                worker.destroyForcibly();
            }
            long doneByFirst = runs(redis, q);
            assertThat(doneByFirst).as("stopped mid-run").isLessThan(tasks);
            JsonObject mid = stats(server, q);
            assertThat(mid.get("pending").getAsLong()).as("nothing left held by the stopped worker").isZero();
            assertThat(mid.get("ready").getAsLong() + doneByFirst).isEqualTo(tasks);

            // A second worker finishes the rest: every task ran, none twice.
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<CliRun> second = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                return CliRun.run("worker", "--redis", server.uri(), "--queue", q, "--workers", "16");
            });
            Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> redis.scard(q + ":probe:seen") == tasks);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null);
            thread.get().interrupt();
            assertThat(second.get(40, TimeUnit.SECONDS).exitCode).isZero();
            assertThat(runs(redis, q)).isEqualTo(tasks);
            assertThat(stats(server, q).get("processed").getAsLong()).isEqualTo(tasks);
        }
    }

    private static long runs(RedisClient redis, String q) {
        String v = redis.get(q + ":probe:runs");
        return v == null ? 0 : Long.parseLong(v);
    }

    private static JsonObject stats(RedisTestServer server, String q) {
        CliRun r = CliRun.run("stats", "--redis", server.uri(), "--queue", q, "--json");
        assertThat(r.exitCode).as(r.toString()).isZero();
        return JsonParser.parseString(r.out).getAsJsonObject();
    }
}
