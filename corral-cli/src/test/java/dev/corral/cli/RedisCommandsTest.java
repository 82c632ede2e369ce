package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.corral.redis.testing.RedisServerExtension;
import dev.corral.redis.testing.RedisTestServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Redis commands run in-process against a real server. */
class RedisCommandsTest {

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();

    private static String queue(TestInfo info) {
        return info.getTestMethod().orElseThrow().getName();
    }

    private static JsonObject stats(String queue) {
        CliRun r = CliRun.run("stats", "--redis", server.uri(), "--queue", queue, "--json");
        assertThat(r.exitCode).as(r.toString()).isZero();
        return JsonParser.parseString(r.out).getAsJsonObject();
    }

    /** A worker command running on its own thread, stopped like an in-process SIGTERM: by an interrupt. */
    private static final class RunningWorker {
        final AtomicReference<Thread> thread = new AtomicReference<>();
        final CompletableFuture<CliRun> run;

        RunningWorker(String... args) {
            run = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                return CliRun.run(args);
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null);
        }

        CliRun stop() throws Exception {
            thread.get().interrupt();
            return run.get(50, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void probeTasksEnqueuedWithAnIndexEachRunOnceAndStatsCountThem(boolean virtualThreads, TestInfo info) throws Exception {
        String q = queue(info) + (virtualThreads ? "-virtual" : "-platform");
        CliRun enq = CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "probe",
                "--payload", "task-{i}:1", "--count", "1200");
        assertThat(enq.exitCode).as(enq.toString()).isZero();
        assertThat(enq.out).contains("enqueued 1200 tasks of type probe");
        JsonObject before = stats(q);
        assertThat(before.get("ready").getAsLong()).isEqualTo(1200);
        assertThat(before.get("pending").getAsLong()).isZero();

        RunningWorker worker = virtualThreads
                ? new RunningWorker("worker", "--redis", server.uri(), "--queue", q, "--workers", "8", "--virtual-threads")
                : new RunningWorker("worker", "--redis", server.uri(), "--queue", q, "--workers", "8");
        Awaitility.await().atMost(Duration.ofSeconds(40))
                .until(() -> "1200".equals(server.client().get(q + ":probe:runs")));
        CliRun r = worker.stop();
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("1200 acknowledged").contains("0 left pending")
                .contains(virtualThreads ? "8 virtual-thread workers" : "8 workers");

        assertThat(server.client().scard(q + ":probe:seen")).isEqualTo(1200);
        assertThat(server.client().sismember(q + ":probe:seen", "task-0")).isTrue();
        assertThat(server.client().sismember(q + ":probe:seen", "task-1199")).isTrue();
        JsonObject after = stats(q);
        assertThat(after.get("ready").getAsLong()).isZero();
        assertThat(after.get("pending").getAsLong()).isZero();
        assertThat(after.get("processed").getAsLong()).isEqualTo(1200);
    }

    @Test
    void aStatsSnapshotWhileAWorkerHoldsTasksCountsThemPendingAndListsTheWorker(TestInfo info) throws Exception {
        String q = queue(info);
        assertThat(CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "sleep",
                "--payload", "60000", "--count", "2").exitCode).isZero();
        assertThat(CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "echo",
                "--payload", "later", "--delay", "1h").exitCode).isZero();
        RunningWorker worker = new RunningWorker("worker", "--redis", server.uri(), "--queue", q, "--workers", "2",
                "--stop-timeout", "100ms");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> stats(q).get("pending").getAsLong() == 2);
        JsonObject s = stats(q);
        assertThat(s.get("ready").getAsLong()).isZero();
        assertThat(s.get("delayed").getAsLong()).isEqualTo(1);
        assertThat(s.getAsJsonArray("workers")).hasSize(1);
        CliRun text = CliRun.run("stats", "--redis", server.uri(), "--queue", q);
        assertThat(text.out).contains("pending 2").contains("delayed 1").contains("workers: 1 live");
        CliRun r = worker.stop();
        // Two sleeps of a minute cannot finish in 100 ms: both are handed back, not lost.
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("2 handed back");
        JsonObject after = stats(q);
        assertThat(after.get("ready").getAsLong()).isEqualTo(2);
        assertThat(after.get("pending").getAsLong()).isZero();
    }

    @Test
    void aFailingTaskIsRetriedThenDeadLetteredThenRequeued(TestInfo info) throws Exception {
        String q = queue(info);
        assertThat(CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "fail",
                "--payload", "doomed", "--max-attempts", "3").exitCode).isZero();
        RunningWorker worker = new RunningWorker("worker", "--redis", server.uri(), "--queue", q,
                "--retry-backoff", "10ms");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> stats(q).get("deadLettered").getAsLong() == 1);
        CliRun stopped = worker.stop();
        assertThat(stopped.out).contains("2 retried").contains("1 dead-lettered");

        CliRun dead = CliRun.run("dead", "--redis", server.uri(), "--queue", q);
        assertThat(dead.exitCode).as(dead.toString()).isZero();
        assertThat(dead.out).contains("1 dead letters").contains("type fail").contains("attempts 3")
                .contains("the fail handler always fails").contains("payload: doomed");
        CliRun requeue = CliRun.run("dead", "--redis", server.uri(), "--queue", q, "--requeue");
        assertThat(requeue.out).contains("re-driven 1 dead letters");
        JsonObject s = stats(q);
        assertThat(s.get("deadLettered").getAsLong()).isZero();
        assertThat(s.get("deadLetteredTotal").getAsLong()).as("ever, a re-drive does not lower it").isEqualTo(1);
        assertThat(s.get("ready").getAsLong()).isEqualTo(1);
    }

    @Test
    void anEchoWorkerPrintsThePayloadAndAnIdempotencyKeyDropsTheDuplicate(TestInfo info) throws Exception {
        String q = queue(info);
        CliRun first = CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "echo",
                "--payload", "hello from the queue", "--key", "greeting", "--priority", "0");
        CliRun again = CliRun.run("enqueue", "--redis", server.uri(), "--queue", q, "--type", "echo",
                "--payload", "hello from the queue", "--key", "greeting");
        assertThat(first.exitCode).isZero();
        assertThat(again.exitCode).isZero();
        assertThat(stats(q).get("ready").getAsLong()).isEqualTo(1);
        RunningWorker worker = new RunningWorker("worker", "--redis", server.uri(), "--queue", q);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> stats(q).get("processed").getAsLong() == 1);
        CliRun r = worker.stop();
        assertThat(r.out).contains("echo " + first.out.strip() + " (attempt 1): hello from the queue");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        CliRun noRedis = CliRun.run("stats", "--queue", "q");
        assertThat(noRedis.exitCode).isEqualTo(2);
        assertThat(noRedis.err).contains("--redis");
        CliRun count = CliRun.run("enqueue", "--redis", server.uri(), "--queue", "q", "--type", "echo", "--count", "0");
        assertThat(count.exitCode).isEqualTo(2);
        assertThat(count.err).contains("--count must be 1 or more, got 0");
        CliRun priority = CliRun.run("enqueue", "--redis", server.uri(), "--queue", "q", "--type", "echo",
                "--priority", "12");
        assertThat(priority.exitCode).isEqualTo(2);
        assertThat(priority.err).contains("priority").contains("12");
        CliRun workers = CliRun.run("worker", "--redis", server.uri(), "--queue", "q", "--workers", "0");
        assertThat(workers.exitCode).isEqualTo(2);
        assertThat(workers.err).contains("--workers must be 1 or more, got 0");
        CliRun visibility = CliRun.run("worker", "--redis", server.uri(), "--queue", "q", "--visibility-timeout", "5ms");
        assertThat(visibility.exitCode).isEqualTo(2);
        assertThat(visibility.err).contains("--visibility-timeout");
    }

    @Test
    void anUnreachableServerIsAClearFailureNotAHang() {
        int port = RedisTestServer.freePort();
        long t0 = System.nanoTime();
        CliRun r = CliRun.run("stats", "--redis", "redis://:secret@127.0.0.1:" + port, "--queue", "q");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("corral stats:").doesNotContain("secret");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
        CliRun w = CliRun.run("worker", "--redis", "redis://127.0.0.1:" + port, "--queue", "q");
        assertThat(w.exitCode).isEqualTo(1);
        assertThat(w.err).contains("corral worker:");
    }
}
