package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.internal.RedisConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * The queue's guarantees, run against a single server and against a 3-master Redis Cluster
 * (subclasses say which). Each test uses its own queue name.
 */
abstract class ReliabilityContract {

    /** The URI of the Redis under test. */
    abstract String uri();

    String queue;
    UnifiedJedis raw;
    final List<RedisWorker> workers = new ArrayList<>();

    @BeforeEach
    void names(TestInfo info) {
        queue = info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
        raw = RedisConnector.of(uri()).open();
    }

    @AfterEach
    void closeAll() {
        for (RedisWorker w : workers) w.stop(Duration.ofSeconds(5));
        raw.close();
    }

    RedisWorker.Builder worker() {
        return RedisWorker.builder(uri()).queue(queue).heartbeatInterval(Duration.ofMillis(500));
    }

    RedisWorker started(RedisWorker.Builder b) {
        RedisWorker w = b.start();
        workers.add(w);
        return w;
    }

    long serverMillis() {
        List<?> t = (List<?>) raw.sendCommand(QueueKeys.bytes(new QueueKeys(queue).delayed()), Protocol.Command.TIME);
        long s = Long.parseLong(new String((byte[]) t.get(0), StandardCharsets.US_ASCII));
        long us = Long.parseLong(new String((byte[]) t.get(1), StandardCharsets.US_ASCII));
        return s * 1000 + us / 1000;
    }

    @Test
    void failuresRetryWithGrowingBackoffThenDeadLetterWithTheErrorThenRedriveRunsThemAgain() {
        List<long[]> attempts = new CopyOnWriteArrayList<>(); // {attempt, nanoTime}
        List<String> lastErrors = new CopyOnWriteArrayList<>();
        AtomicBoolean healed = new AtomicBoolean();
        AtomicInteger healedRuns = new AtomicInteger();
        try (RedisQueue q = RedisQueue.connect(uri(), queue)) {
            RedisWorker w = started(worker().retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(10))
                    .handler("flaky", (ctx, p) -> {
                        if (healed.get()) {
                            healedRuns.incrementAndGet();
                            assertThat(ctx.attempt()).isEqualTo(1);
                            return;
                        }
                        attempts.add(new long[] {ctx.attempt(), System.nanoTime()});
                        ctx.lastError().ifPresent(lastErrors::add);
                        throw new IllegalStateException("boom " + ctx.attempt());
                    }));
            String id = q.enqueue("flaky", "x", EnqueueOptions.of().maxAttempts(3));
            await().atMost(Duration.ofSeconds(20)).until(() -> q.stats().deadLettered() == 1);
            assertThat(attempts).extracting(a -> a[0]).containsExactly(1L, 2L, 3L);
            long gap1 = TimeUnit.NANOSECONDS.toMillis(attempts.get(1)[1] - attempts.get(0)[1]);
            long gap2 = TimeUnit.NANOSECONDS.toMillis(attempts.get(2)[1] - attempts.get(1)[1]);
            // Equal jitter: before attempt 2 at least 100 ms (half of 200), before attempt 3 at least 200 ms.
            assertThat(gap1).isGreaterThanOrEqualTo(100);
            assertThat(gap2).isGreaterThanOrEqualTo(200);
            assertThat(lastErrors).hasSize(2);
            assertThat(lastErrors.get(0)).contains("boom 1");
            List<DeadLetter> dead = q.deadLetters(10);
            assertThat(dead).hasSize(1);
            DeadLetter d = dead.get(0);
            assertThat(d.taskId()).isEqualTo(id);
            assertThat(d.type()).isEqualTo("flaky");
            assertThat(d.attempts()).isEqualTo(3);
            assertThat(d.reason()).isEqualTo("failed");
            assertThat(d.error()).contains("boom 3").contains("attempt 3 of 3");
            assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("x");
            assertThat(w.stats().failed()).isEqualTo(3);
            assertThat(w.stats().retried()).isEqualTo(2);

            healed.set(true);
            assertThat(q.redrive(List.of(d.id()))).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> healedRuns.get() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
            QueueStats s = q.stats();
            assertThat(s.deadLettered()).isZero();
            assertThat(s.ready()).isZero();
            assertThat(s.delayed()).isZero();
            assertThat(s.retried()).isEqualTo(2);
        }
    }

    @Test
    void malformedEntriesAndUnknownTypesAreDeadLetteredWithAReasonAndTheWorkerKeepsWorking() {
        AtomicInteger good = new AtomicInteger();
        QueueKeys keys = new QueueKeys(queue);
        try (RedisQueue q = RedisQueue.connect(uri(), queue)) {
            RedisWorker w = started(worker().handler("good", (ctx, p) -> good.incrementAndGet()));
            // Written by some other program: no id, no type, an attempt that is not a number.
            raw.xadd(keys.stream(5), redis.clients.jedis.StreamEntryID.NEW_ENTRY, Map.of("hello", "world"));
            raw.xadd(keys.stream(0), redis.clients.jedis.StreamEntryID.NEW_ENTRY,
                    Map.of("i", "x1", "t", "good", "p", "", "a", "one", "m", "3", "e", "0", "r", "0"));
            q.enqueue("nobody-handles-this", "p");
            q.enqueue("good", "p");
            await().atMost(Duration.ofSeconds(15)).until(() -> q.stats().deadLettered() == 3 && good.get() == 1);
            List<DeadLetter> dead = q.deadLetters(10);
            assertThat(dead).extracting(DeadLetter::reason).containsExactlyInAnyOrder("malformed", "malformed", "no-handler");
            assertThat(dead).filteredOn(d -> "malformed".equals(d.reason())).extracting(DeadLetter::error)
                    .anySatisfy(e -> assertThat(e).contains("missing field 'i'"))
                    .anySatisfy(e -> assertThat(e).contains("field 'a' is not a number"));
            assertThat(w.stats().malformed()).isEqualTo(3);
            assertThat(w.isRunning()).isTrue();
            q.enqueue("good", "again");
            await().atMost(Duration.ofSeconds(10)).until(() -> good.get() == 2);
        }
    }

    @Test
    void anIdempotencyKeyMakesRepeatedEnqueuesAddOneTask() {
        AtomicInteger runs = new AtomicInteger();
        try (RedisQueue q = RedisQueue.connect(uri(), queue)) {
            String first = q.enqueue("t", "a", EnqueueOptions.of().idempotencyKey("order-42"));
            String again = q.enqueue("t", "a", EnqueueOptions.of().idempotencyKey("order-42"));
            List<String> batch = q.enqueueAll(List.of(
                    NewTask.of("t", "b").options(EnqueueOptions.of().idempotencyKey("order-43")),
                    NewTask.of("t", "b").options(EnqueueOptions.of().idempotencyKey("order-43")),
                    NewTask.of("t", "c").options(EnqueueOptions.of().idempotencyKey("order-42"))));
            assertThat(again).isEqualTo(first);
            assertThat(batch.get(1)).isEqualTo(batch.get(0));
            assertThat(batch.get(2)).isEqualTo(first);
            assertThat(q.stats().ready()).isEqualTo(2);
            assertThat(q.stats().enqueued()).isEqualTo(2);
            started(worker().handler("t", (ctx, p) -> runs.incrementAndGet()));
            await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().processed() == 2);
            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void delayedTasksRunNoEarlierThanDueByTheServersClock() {
        Map<String, Long> startedAt = new ConcurrentHashMap<>();
        Map<String, Long> enqueuedAt = new ConcurrentHashMap<>();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        try (RedisQueue q = RedisQueue.connect(uri(), queue)) {
            started(worker().handler("t", (ctx, p) -> {
                startedAt.put(ctx.payloadText(), serverMillis());
                enqueuedAt.put(ctx.payloadText(), ctx.enqueuedAt().toEpochMilli());
                order.add(ctx.payloadText());
            }));
            q.enqueue("t", "late", EnqueueOptions.of().delay(Duration.ofMillis(1_500)));
            q.enqueue("t", "later", EnqueueOptions.of().delay(Duration.ofMillis(2_500)));
            q.enqueue("t", "now", EnqueueOptions.of());
            assertThat(q.stats().delayed()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(20)).until(() -> order.size() == 3);
            assertThat(order).containsExactly("now", "late", "later");
            assertThat(startedAt.get("late")).isGreaterThanOrEqualTo(enqueuedAt.get("late") + 1_500);
            assertThat(startedAt.get("later")).isGreaterThanOrEqualTo(enqueuedAt.get("later") + 2_500);
            assertThat(q.stats().delayed()).isZero();
        }
    }

    @Test
    void moreUrgentPrioritiesAreFetchedFirst() throws Exception {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        try (RedisQueue q = RedisQueue.connect(uri(), queue);
             Pool pool = Pool.builder().name("prio").workers(1).queueCapacity(0).build()) {
            for (int p : new int[] {9, 5, 7, 0, 3}) {
                q.enqueue("t", Integer.toString(p), EnqueueOptions.of().priority(p));
            }
            started(worker().pool(pool).maxInFlight(1)
                    .handler("t", (ctx, payload) -> order.add(Integer.parseInt(ctx.payloadText()))));
            await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 5);
            assertThat(order).containsExactly(0, 3, 5, 7, 9);
        }
    }

    @Test
    void entriesHeldByADeadConsumerAreReclaimedAfterTheVisibilityTimeoutAsRedeliveries() {
        QueueKeys keys = new QueueKeys(queue);
        List<Long> deliveries = new CopyOnWriteArrayList<>();
        try (RedisQueue q = RedisQueue.connect(uri(), queue)) {
            for (int i = 0; i < 5; i++) q.enqueue("t", "p" + i);
            // A consumer that takes everything and dies: XREADGROUP records it as the owner.
            raw.xgroupCreate(keys.stream(5), QueueKeys.GROUP, new redis.clients.jedis.StreamEntryID(0, 0), true);
            var taken = raw.xreadGroup(QueueKeys.GROUP, "dead-consumer",
                    redis.clients.jedis.params.XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(keys.stream(5), redis.clients.jedis.StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertThat(taken.get(0).getValue()).hasSize(5);
            assertThat(q.stats().pending()).isEqualTo(5);
            RedisWorker w = started(worker().visibilityTimeout(Duration.ofMillis(800))
                    .handler("t", (ctx, p) -> deliveries.add(ctx.deliveries())));
            await().atMost(Duration.ofSeconds(40)).until(() -> deliveries.size() == 5);
            assertThat(deliveries).allMatch(d -> d == 2);
            assertThat(w.stats().redelivered()).isEqualTo(5);
            assertThat(w.stats().failed()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().pending() == 0);
            assertThat(q.stats().redelivered()).isEqualTo(5);
        }
    }

    @Test
    void aTaskRunningLongerThanTheVisibilityTimeoutKeepsItsLeaseAndRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(1);
        try (RedisQueue q = RedisQueue.connect(uri(), queue)) {
            RedisWorker.Builder b = worker().visibilityTimeout(Duration.ofMillis(600)).handler("slow", (ctx, p) -> {
                runs.incrementAndGet();
                Thread.sleep(2_500);
                finished.countDown();
            });
            RedisWorker a = started(b);
            q.enqueue("slow", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
            // A second worker that would reclaim the entry if its lease were not renewed.
            RedisWorker other = started(worker().visibilityTimeout(Duration.ofMillis(600))
                    .handler("slow", (ctx, p) -> runs.incrementAndGet()));
            assertThat(finished.await(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> q.stats().processed() == 1);
            assertThat(runs).hasValue(1);
            assertThat(other.stats().redelivered()).isZero();
            assertThat(a.stats().leaseLost()).isZero();
        }
    }

    @Test
    void aGracefulStopHandsBackWhatItCannotFinishAndAnotherWorkerRunsIt() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger finishedBySecond = new AtomicInteger();
        try (RedisQueue q = RedisQueue.connect(uri(), queue);
             Pool pool = Pool.builder().name("stopper").workers(2).queueCapacity(8).build()) {
            RedisWorker a = RedisWorker.builder(uri()).queue(queue).pool(pool).maxInFlight(6)
                    .handler("t", (ctx, p) -> {
                        started.countDown();
                        Thread.sleep(60_000); // interrupted by the stop's hand-back
                    }).start();
            for (int i = 0; i < 6; i++) q.enqueue("t", "p" + i);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().inFlight() == 6);
            StopReport r = a.stop(Duration.ofMillis(300));
            assertThat(r.handedBack()).isEqualTo(6);
            assertThat(r.leftPending()).isZero();
            assertThat(r.clean()).as("two handlers were interrupted").isFalse();
            WorkerStats ws = a.stats();
            assertThat(ws.fetched()).isEqualTo(ws.acknowledged() + ws.retried() + ws.deadLettered()
                    + ws.handedBack() + ws.leaseLost() + r.leftPending());
            assertThat(q.stats().pending()).isZero();
            assertThat(q.stats().ready()).isEqualTo(6);
            started(worker().handler("t", (ctx, p) -> finishedBySecond.incrementAndGet()));
            await().atMost(Duration.ofSeconds(10)).until(() -> finishedBySecond.get() == 6);
            assertThat(pool.isShutdown()).as("a pool given to the worker is left running").isFalse();
        }
    }
}
