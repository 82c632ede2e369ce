package dev.corral.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.TaskEvent;
import dev.corral.journal.Journal;
import dev.corral.journal.JournalReader;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.testing.RedisTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code corral worker --journal}: one file holds the pool's events and the queue's retries and dead letters. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerJournalTest {

    @Test
    void theJournalHoldsEveryAttemptItsRetriesAndTheDeadLetter(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("worker.jsonl");
        int tasks = 3;
        try (RedisTestServer server = RedisTestServer.start();
             RedisQueue q = RedisQueue.connect(server.uri(), "journal")) {
            assertThat(CliRun.run("enqueue", "--redis", server.uri(), "--queue", "journal", "--type", "fail",
                    "--payload", "boom {i}", "--count", Integer.toString(tasks), "--max-attempts", "2").exitCode).isZero();
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> {
                thread.set(Thread.currentThread());
                return CliRun.run("worker", "--redis", server.uri(), "--queue", "journal", "--workers", "2",
                        "--retry-backoff", "10ms", "--journal", file.toString());
            });
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().deadLettered() == tasks);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null);
            thread.get().interrupt(); // the in-process graceful stop
            CliRun r = run.get(30, TimeUnit.SECONDS);
            assertThat(r.exitCode).as(r.out + r.err).isZero();
        }
        Journal j = JournalReader.read(file);
        Map<TaskEvent.Kind, Long> kinds = j.events().stream()
                .collect(Collectors.groupingBy(TaskEvent::kind, Collectors.counting()));
        assertThat(kinds.get(TaskEvent.Kind.STARTED)).isEqualTo(2L * tasks);
        assertThat(kinds.get(TaskEvent.Kind.FAILED)).isEqualTo(2L * tasks);
        assertThat(kinds.get(TaskEvent.Kind.RETRIED)).isEqualTo((long) tasks);
        assertThat(kinds.get(TaskEvent.Kind.DEAD_LETTERED)).isEqualTo((long) tasks);
        assertThat(j.events()).filteredOn(e -> e.kind() == TaskEvent.Kind.DEAD_LETTERED)
                .allSatisfy(e -> assertThat(e.detail()).contains("reason=failed").contains("attempt=2/2"));
        assertThat(kinds).as("the pool's last events are written before the journal closes")
                .containsEntry(TaskEvent.Kind.TERMINATED, 1L);
        assertThat(j.dropped()).isZero();
        assertThat(Files.size(file)).isPositive();
    }

    @Test
    void anUnwritableJournalIsAUsageError(@TempDir Path dir) {
        try (RedisTestServer server = RedisTestServer.start()) {
            CliRun r = CliRun.run("worker", "--redis", server.uri(), "--queue", "q",
                    "--journal", dir.resolve("no-such-dir").resolve("x.jsonl").toString());
            assertThat(r.exitCode).isEqualTo(2);
            assertThat(r.err).contains("--journal").contains("no-such-dir");
        }
    }
}
