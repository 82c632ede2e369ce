package dev.corral.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.TaskEvent;
import dev.corral.TaskEvent.Kind;
import dev.corral.redis.EnqueueOptions;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisWorker;
import dev.corral.redis.WorkerStats;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.testing.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;

/**
 * One journal given to a Redis worker and to its pool holds a task's whole story: every attempt's
 * pool events, the worker's retries and its dead letter, in step with the worker's counters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisJournalTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dir;

    @Test
    void aFailingTaskIsJournaledAttemptByAttemptThenRetriedTwiceAndDeadLetteredOnce() throws Exception {
        Path file = dir.resolve("redis-run.jsonl");
        String queue = "journaled";
        String taskId;
        WorkerStats stats;
        try (JournalWriter journal = JournalWriter.open(file);
             RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            Pool pool = Pool.builder().name("mail").workers(2).listener(journal).build();
            RedisWorker worker = RedisWorker.builder(redis.uri()).queue(queue).pool(pool).listener(journal)
                    .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                    .handler("send_email", (ctx, payload) -> {
                        throw new IllegalStateException("smtp down (attempt " + ctx.attempt() + ")");
                    })
                    .start();
            try {
                taskId = q.enqueue("send_email", "to ada", EnqueueOptions.of().maxAttempts(3));
                await().atMost(WAIT).until(() -> worker.stats().deadLettered() == 1 && pool.stats().failed() == 3);
            } finally {
                worker.stop(Duration.ofSeconds(10));
            }
            pool.close();
            stats = worker.stats();
        }

        Journal j = JournalReader.read(file);
        assertThat(j.dropped()).isZero();
        List<TaskEvent> story = j.events().stream().filter(e -> !e.kind().isPoolEvent()).toList();
        // Three attempts, each SUBMITTED, STARTED and FAILED in the pool, named after the type.
        assertThat(story).filteredOn(e -> e.kind() == Kind.SUBMITTED).hasSize(3);
        assertThat(story).filteredOn(e -> e.kind() == Kind.STARTED).hasSize(3);
        assertThat(story).filteredOn(e -> e.kind() == Kind.FAILED).hasSize(3)
                .allSatisfy(e -> {
                    assertThat(e.taskName()).isEqualTo("send_email");
                    assertThat(e.error()).isInstanceOf(JournaledError.class).hasMessageStartingWith("smtp down");
                    assertThat(((JournaledError) e.error()).type()).isEqualTo("java.lang.IllegalStateException");
                });
        List<TaskEvent> retried = story.stream().filter(e -> e.kind() == Kind.RETRIED).toList();
        List<TaskEvent> dead = story.stream().filter(e -> e.kind() == Kind.DEAD_LETTERED).toList();
        assertThat(retried).hasSize(2);
        assertThat(dead).hasSize(1);
        assertThat(retried.get(0).detail()).startsWith("queue=journaled task=" + taskId + " entry=")
                .contains(" attempt=1/3 retryIn=");
        assertThat(retried.get(1).detail()).contains(" attempt=2/3 retryIn=");
        assertThat(retried.get(0).error()).hasMessage("smtp down (attempt 1)");
        assertThat(dead.get(0).detail()).startsWith("queue=journaled task=" + taskId + " entry=")
                .endsWith(" attempt=3/3 reason=failed");
        assertThat(dead.get(0).error()).hasMessage("smtp down (attempt 3)");
        assertThat(retried.size()).isEqualTo(stats.retried());
        assertThat(dead.size()).isEqualTo(stats.deadLettered());

        // Each verdict follows, in the journal's time, the failure of the pool task it judged.
        for (TaskEvent verdict : List.of(retried.get(0), retried.get(1), dead.get(0))) {
            TaskEvent failed = story.stream().filter(e -> e.kind() == Kind.FAILED && e.taskId() == verdict.taskId())
                    .findFirst().orElseThrow();
            assertThat(failed.poolName()).isEqualTo(verdict.poolName()).isEqualTo("mail");
            assertThat(failed.error().getMessage()).isEqualTo(verdict.error().getMessage());
        }

        Map<String, TaskNameStats> byName = j.statsByTaskName();
        assertThat(byName).containsOnlyKeys("send_email");
        TaskNameStats s = byName.get("send_email");
        assertThat(s.count(Kind.SUBMITTED)).isEqualTo(3);
        assertThat(s.count(Kind.FAILED)).isEqualTo(stats.failed()).isEqualTo(3);
        assertThat(s.retried()).isEqualTo(stats.retried()).isEqualTo(2);
        assertThat(s.deadLettered()).isEqualTo(stats.deadLettered()).isEqualTo(1);
        assertThat(s.errorRate()).isEqualTo(1.0);
        assertThat(s.timed()).isEqualTo(3);
    }

    @Test
    void aMalformedEntryIsJournaledAsDeadLetteredWithReasonMalformed() throws Exception {
        Path file = dir.resolve("malformed.jsonl");
        String queue = "journaled-malformed";
        WorkerStats stats;
        try (JournalWriter journal = JournalWriter.open(file);
             JedisPooled raw = new JedisPooled(redis.host(), redis.port())) {
            RedisWorker worker = RedisWorker.builder(redis.uri()).queue(queue).listener(journal)
                    .handler("ok", (ctx, payload) -> { })
                    .start();
            try {
                // Written by some other program: no task id, no type.
                raw.xadd(new QueueKeys(queue).stream(5), StreamEntryID.NEW_ENTRY, Map.of("hello", "world"));
                await().atMost(WAIT).until(() -> worker.stats().deadLettered() == 1);
            } finally {
                worker.stop(Duration.ofSeconds(10));
            }
            stats = worker.stats();
        }
        Journal j = JournalReader.read(file);
        assertThat(j.events()).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.DEAD_LETTERED);
            assertThat(e.taskName()).isNull();
            assertThat(e.detail()).startsWith("queue=journaled-malformed entry=").endsWith(" reason=malformed");
            assertThat(e.error()).hasMessageContaining("missing field 'i'");
        });
        assertThat(stats.malformed()).isEqualTo(1);
        assertThat(j.statsByTaskName().get(Journal.UNNAMED).deadLettered()).isEqualTo(stats.deadLettered());
    }
}
