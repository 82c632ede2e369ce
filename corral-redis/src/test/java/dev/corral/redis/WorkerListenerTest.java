package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.TaskEvent;
import dev.corral.TaskEvent.Kind;
import dev.corral.TaskListener;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.RedisConnector;
import dev.corral.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamPendingEntry;

/**
 * A worker's listener hears every retry, dead letter and redelivery exactly once, after Redis
 * confirmed it, with the queue's task identity, in step with the worker's counters.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    String queue;
    UnifiedJedis raw;
    final ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
    final TaskListener collect = events::add;

    @BeforeEach
    void names(TestInfo info) {
        queue = info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
        raw = RedisConnector.of(redis.uri()).open();
    }

    @AfterEach
    void close() {
        raw.close();
    }

    List<TaskEvent> of(Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    @Test
    void eachFailedAttemptIsRetriedThenDeadLetteredOnceWithItsAttemptAndErrorAndThePoolSeesEachFail() {
        try (Pool pool = Pool.builder().name("flaky-pool").workers(2).listener(collect).build();
             RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue).pool(pool).listener(collect)
                    .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                    .handler("flaky", (ctx, p) -> {
                        throw new IllegalStateException("boom " + ctx.attempt());
                    })
                    .start();
            try {
                String id = q.enqueue("flaky", "x", EnqueueOptions.of().maxAttempts(3));
                // Events go out right after their counters move, the pool's after the worker's verdict.
                await().atMost(WAIT).until(() -> w.stats().deadLettered() == 1 && of(Kind.DEAD_LETTERED).size() == 1
                        && of(Kind.FAILED).size() == 3);

                List<TaskEvent> retried = of(Kind.RETRIED);
                List<TaskEvent> dead = of(Kind.DEAD_LETTERED);
                assertThat(retried).hasSize(2);
                assertThat(dead).hasSize(1);
                assertThat(w.stats().retried()).isEqualTo(retried.size());
                assertThat(w.stats().deadLettered()).isEqualTo(dead.size());
                for (int i = 0; i < 2; i++) {
                    TaskEvent r = retried.get(i);
                    assertThat(r.poolName()).isEqualTo("flaky-pool");
                    assertThat(r.taskName()).isEqualTo("flaky");
                    assertThat(r.detail()).startsWith("queue=" + queue + " task=" + id + " entry=")
                            .contains(" attempt=" + (i + 1) + "/3 retryIn=").endsWith("ms");
                    assertThat(r.error()).isInstanceOf(IllegalStateException.class).hasMessage("boom " + (i + 1));
                    assertThat(r.kind().isOutcome()).isFalse();
                    assertThat(r.kind().isPoolEvent()).isFalse();
                }
                TaskEvent d = dead.get(0);
                assertThat(d.detail()).startsWith("queue=" + queue + " task=" + id + " entry=")
                        .endsWith(" attempt=3/3 reason=failed");
                assertThat(d.error()).hasMessage("boom 3");

                // The pool ran three attempts, each named after the type, each failed with the
                // handler's error; each verdict carries the id of the pool task it judged.
                List<TaskEvent> failed = of(Kind.FAILED);
                assertThat(failed).hasSize(3).allSatisfy(f -> assertThat(f.taskName()).isEqualTo("flaky"));
                assertThat(of(Kind.SUBMITTED)).hasSize(3);
                assertThat(of(Kind.STARTED)).hasSize(3);
                assertThat(of(Kind.SUCCEEDED)).isEmpty();
                assertThat(pool.stats().failed()).isEqualTo(3);
                assertThat(w.stats().failed()).isEqualTo(3);
                List<Long> failedIds = failed.stream().map(TaskEvent::taskId).toList();
                assertThat(List.of(retried.get(0).taskId(), retried.get(1).taskId(), d.taskId()))
                        .containsExactlyInAnyOrderElementsOf(failedIds);
                for (TaskEvent verdict : List.of(retried.get(0), retried.get(1), d)) {
                    TaskEvent f = failed.stream().filter(x -> x.taskId() == verdict.taskId()).findFirst().orElseThrow();
                    assertThat(f.error()).hasMessage(verdict.error().getMessage());
                }
            } finally {
                assertThat(w.stop(Duration.ofSeconds(10)).clean()).isTrue();
            }
        }
    }

    @Test
    void malformedEntriesAndUnknownTypesAreDeadLetteredWithTheirReason() {
        QueueKeys keys = new QueueKeys(queue);
        try (RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue).listener(collect)
                    .handler("good", (ctx, p) -> { })
                    .start();
            try {
                raw.xadd(keys.stream(5), StreamEntryID.NEW_ENTRY, Map.of("hello", "world"));
                raw.xadd(keys.stream(5), StreamEntryID.NEW_ENTRY,
                        Map.of("i", "x1", "t", "good", "p", "", "a", "one", "m", "3", "e", "0", "r", "0"));
                String orphan = q.enqueue("nobody-handles-this", "p");
                await().atMost(WAIT).until(() -> of(Kind.DEAD_LETTERED).size() == 3);
                assertThat(w.stats().deadLettered()).isEqualTo(3);
                List<TaskEvent> dead = of(Kind.DEAD_LETTERED);
                assertThat(dead).hasSize(3);
                assertThat(dead).filteredOn(e -> e.detail().endsWith(" reason=malformed")).hasSize(2)
                        .allSatisfy(e -> assertThat(e.detail()).doesNotContain("attempt="))
                        .allSatisfy(e -> assertThat(e.error()).isInstanceOf(IllegalArgumentException.class))
                        .anySatisfy(e -> {
                            assertThat(e.taskName()).isNull();
                            assertThat(e.error()).hasMessageContaining("missing field 'i'");
                        })
                        .anySatisfy(e -> {
                            assertThat(e.taskName()).isEqualTo("good"); // the raw type, though it never ran
                            assertThat(e.error()).hasMessageContaining("field 'a' is not a number");
                        });
                assertThat(dead).filteredOn(e -> e.detail().endsWith(" reason=no-handler")).singleElement()
                        .satisfies(e -> {
                            assertThat(e.taskName()).isEqualTo("nobody-handles-this");
                            assertThat(e.detail()).contains(" task=" + orphan + " ").contains(" attempt=1/");
                            assertThat(e.error()).hasMessageContaining("no handler for type 'nobody-handles-this'");
                        });
                assertThat(of(Kind.RETRIED)).isEmpty();
            } finally {
                w.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aReclaimedEntryIsARedeliveryNotAFailure() {
        QueueKeys keys = new QueueKeys(queue);
        AtomicInteger ran = new AtomicInteger();
        try (Pool pool = Pool.builder().name("reclaiming").workers(2).listener(collect).build();
             RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            for (int i = 0; i < 3; i++) q.enqueue("t", "p" + i);
            // A consumer that takes everything and dies.
            raw.xgroupCreate(keys.stream(5), QueueKeys.GROUP, new StreamEntryID(0, 0), true);
            raw.xreadGroup(QueueKeys.GROUP, "dead-consumer", XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(keys.stream(5), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue).pool(pool).listener(collect)
                    .visibilityTimeout(Duration.ofMillis(500))
                    .handler("t", (ctx, p) -> ran.incrementAndGet())
                    .start();
            try {
                await().atMost(WAIT).until(() -> ran.get() == 3 && of(Kind.SUCCEEDED).size() == 3);
                List<TaskEvent> redelivered = of(Kind.REDELIVERED);
                assertThat(redelivered).hasSize(3);
                assertThat(w.stats().redelivered()).isEqualTo(3);
                assertThat(redelivered).allSatisfy(e -> {
                    assertThat(e.taskName()).isEqualTo("t");
                    assertThat(e.detail()).startsWith("queue=" + queue + " entry=").endsWith(" deliveries=2");
                    assertThat(e.error()).isNull();
                    assertThat(e.taskId()).isPositive();
                });
                // Each names the pool task that then ran it, and it succeeded.
                List<Long> succeeded = of(Kind.SUCCEEDED).stream().map(TaskEvent::taskId).toList();
                assertThat(redelivered).extracting(TaskEvent::taskId).containsExactlyInAnyOrderElementsOf(succeeded);
                assertThat(of(Kind.FAILED)).isEmpty();
                assertThat(of(Kind.RETRIED)).isEmpty();
                assertThat(of(Kind.DEAD_LETTERED)).isEmpty();
            } finally {
                w.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aVerdictOnAnEntryAnotherWorkerTookIsNeitherCountedNorHeard() {
        QueueKeys keys = new QueueKeys(queue);
        try (RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            RedisWorker[] self = new RedisWorker[1];
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue).listener(collect)
                    .handler("stolen", (ctx, p) -> {
                        // Another consumer claims the entry while this attempt runs: the retry this
                        // failure asks for is its new owner's to decide, not ours.
                        List<StreamPendingEntry> mine = raw.xpending(keys.stream(5), QueueKeys.GROUP,
                                XPendingParams.xPendingParams().count(10).consumer(self[0].id()));
                        assertThat(mine).hasSize(1);
                        raw.xclaim(keys.stream(5), QueueKeys.GROUP, "thief", 0, XClaimParams.xClaimParams(),
                                mine.get(0).getID());
                        throw new IllegalStateException("fails after losing its lease");
                    })
                    .handler("plain", (ctx, p) -> {
                        throw new IllegalStateException("fails");
                    })
                    .start();
            self[0] = w;
            try {
                q.enqueue("stolen", "x", EnqueueOptions.of().maxAttempts(3));
                await().atMost(WAIT).until(() -> w.stats().leaseLost() == 1);
                q.enqueue("plain", "y", EnqueueOptions.of().maxAttempts(1));
                await().atMost(WAIT).until(() -> of(Kind.DEAD_LETTERED).size() == 1);
                assertThat(w.stats().deadLettered()).isEqualTo(1);
                assertThat(w.stats().retried()).isZero();
                assertThat(of(Kind.RETRIED)).isEmpty();
                assertThat(of(Kind.DEAD_LETTERED)).singleElement()
                        .satisfies(e -> assertThat(e.taskName()).isEqualTo("plain"));
            } finally {
                w.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aListenerThatThrowsIsContainedAndSettlingGoesOn() {
        AtomicInteger heard = new AtomicInteger();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue)
                    .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
                    .listener(e -> {
                        heard.incrementAndGet();
                        throw new IllegalStateException("listener bug");
                    })
                    .handler("fail", (ctx, p) -> {
                        throw new IllegalStateException("fails");
                    })
                    .handler("ok", (ctx, p) -> { })
                    .start();
            try {
                for (int i = 0; i < 5; i++) q.enqueue("fail", "f" + i, EnqueueOptions.of().maxAttempts(2));
                for (int i = 0; i < 5; i++) q.enqueue("ok", "o" + i);
                await().atMost(WAIT).until(() -> w.stats().deadLettered() == 5 && w.stats().acknowledged() == 5);
                assertThat(w.stats().retried()).isEqualTo(5);
                await().atMost(WAIT).until(() -> heard.get() == 10);
                assertThat(w.isRunning()).isTrue();
                await().atMost(WAIT).until(() -> q.stats().pending() == 0 && w.stats().inFlight() == 0);
            } finally {
                assertThat(w.stop(Duration.ofSeconds(10)).clean()).isTrue();
            }
        }
    }

    @Test
    void anAttemptThePoolTimesOutIsOneFailureWhoseErrorIsTheTimeout() {
        try (Pool pool = Pool.builder().name("slow").workers(2).defaultTimeout(Duration.ofMillis(500))
                .listener(collect).build();
             RedisQueue q = RedisQueue.connect(redis.uri(), queue)) {
            RedisWorker w = RedisWorker.builder(redis.uri()).queue(queue).pool(pool).listener(collect)
                    .handler("slow", (ctx, p) -> Thread.sleep(20_000)) // interrupted at the deadline: throws
                    .start();
            try {
                q.enqueue("slow", "x", EnqueueOptions.of().maxAttempts(1));
                // (A first run timed out before it even decoded the entry, on a loaded machine, is
                // handed back, not an attempt: so at least one TIMED_OUT.)
                await().atMost(WAIT).until(() -> of(Kind.DEAD_LETTERED).size() == 1 && !of(Kind.TIMED_OUT).isEmpty());
                assertThat(of(Kind.DEAD_LETTERED).get(0).error()).isInstanceOf(java.util.concurrent.TimeoutException.class);
                assertThat(of(Kind.DEAD_LETTERED).get(0).detail()).endsWith(" attempt=1/1 reason=failed");
                // The interrupted handler's own exception comes after the verdict: not a second failure.
                await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> w.stats().inFlight() == 0);
                assertThat(w.stats().failed()).as("%s", w.stats()).isEqualTo(1);
                assertThat(w.stats().deadLettered()).isEqualTo(1);
            } finally {
                w.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aNullListenerIsRefusedByName() {
        assertThatThrownBy(() -> RedisWorker.builder(redis.uri()).listener(null))
                .isInstanceOf(NullPointerException.class).hasMessage("listener");
    }
}
