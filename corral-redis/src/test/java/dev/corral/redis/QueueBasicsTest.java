package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.Pool;
import dev.corral.redis.internal.QueueKeys;
import dev.corral.redis.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;

class QueueBasicsTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void everyEnqueuedTaskRunsOnceAndTheQueueEndsEmpty() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger runs = new AtomicInteger();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "basics");
             Pool pool = Pool.builder().name("basics").workers(4).build()) {
            List<NewTask> tasks = new ArrayList<>();
            for (int i = 0; i < 1_200; i++) tasks.add(NewTask.of("echo", "task-" + i));
            List<String> ids = q.enqueueAll(tasks);
            assertThat(ids).hasSize(1_200).doesNotHaveDuplicates();
            RedisWorker w = RedisWorker.builder(redis.uri()).queue("basics").pool(pool)
                    .handler("echo", (ctx, payload) -> {
                        runs.incrementAndGet();
                        seen.add(new String(payload, StandardCharsets.UTF_8));
                        assertThat(ctx.attempt()).isEqualTo(1);
                    })
                    .start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> w.stats().acknowledged() == 1_200);
                assertThat(seen).hasSize(1_200);
                assertThat(runs).hasValue(1_200);
                QueueStats s = q.stats();
                assertThat(s.ready()).isZero();
                assertThat(s.pending()).isZero();
                assertThat(s.processed()).isEqualTo(1_200);
                assertThat(s.enqueued()).isEqualTo(1_200);
                assertThat(s.workers()).extracting(WorkerInfo::id).contains(w.id());
            } finally {
                StopReport r = w.stop(Duration.ofSeconds(5));
                assertThat(r.clean()).isTrue();
                WorkerStats ws = w.stats();
                // The conservation law of WorkerStats, once stopped.
                assertThat(ws.fetched()).isEqualTo(ws.acknowledged() + ws.retried() + ws.deadLettered()
                        + ws.handedBack() + ws.leaseLost() + r.leftPending());
                assertThat(ws.inFlight()).isZero();
            }
            assertThat(q.stats().workers()).extracting(WorkerInfo::id).doesNotContain(w.id());
        }
    }

    /**
     * A delayed task keeps its priority when the fetch script moves it to a stream: the level is
     * read from the entry's header (levelOf in prelude.lua), so a header the script could not read
     * would put it at the default level 5 instead.
     */
    @Test
    void aDelayedTaskIsPromotedIntoItsPriorityLevelsStream() {
        QueueKeys keys = new QueueKeys("delayed-priority");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<Integer> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "delayed-priority");
             RedisClient client = RedisClient.create(redis.uri());
             RedisWorker w = RedisWorker.builder(redis.uri()).queue("delayed-priority")
                     .handler("held", (ctx, payload) -> {
                         attempts.add(ctx.attempt());
                         release.await();
                     }).start()) {
            q.enqueue("held", "x", EnqueueOptions.of().priority(2).delay(Duration.ofMillis(50)));
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts.size() == 1);
            assertThat(client.xpending(keys.stream(2), QueueKeys.GROUP).getTotal()).isEqualTo(1);
            assertThat(client.xlen(keys.stream(5))).isZero();
            assertThat(attempts).containsExactly(1);
            release.countDown();
        }
    }

    /**
     * Dead letters read the header: a task that failed its only attempt shows its id, type and one
     * attempt; an entry whose header cannot be read is malformed, with no attempt made.
     */
    @Test
    void deadLettersShowTheHeadersIdTypeAndAttempts() {
        QueueKeys keys = new QueueKeys("dead-header");
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "dead-header");
             RedisClient client = RedisClient.create(redis.uri());
             RedisWorker w = RedisWorker.builder(redis.uri()).queue("dead-header")
                     .handler("boom", (ctx, payload) -> {
                         throw new IllegalStateException("boom");
                     }).start()) {
            String id = q.enqueue("boom", "x", EnqueueOptions.of().maxAttempts(1));
            client.xadd(keys.stream(5), StreamEntryID.NEW_ENTRY,
                    java.util.Map.of("h", "not a header", "p", ""));
            await().atMost(Duration.ofSeconds(10)).until(() -> q.deadLetters(10).size() == 2);
            List<DeadLetter> dead = q.deadLetters(10);
            DeadLetter failed = dead.stream().filter(d -> "failed".equals(d.reason())).findFirst().orElseThrow();
            assertThat(failed.taskId()).isEqualTo(id);
            assertThat(failed.type()).isEqualTo("boom");
            assertThat(failed.attempts()).isEqualTo(1);
            DeadLetter malformed = dead.stream().filter(d -> "malformed".equals(d.reason())).findFirst().orElseThrow();
            assertThat(malformed.attempts()).isZero();
            assertThat(malformed.error()).contains("header 'h'");
        }
    }

    @Test
    void asyncEnqueuesCompleteWithIdsAndReachTheWorker() throws Exception {
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "async");
             RedisWorker w = RedisWorker.builder(redis.uri()).queue("async")
                     .handler("t", (ctx, payload) -> ids.add(ctx.id())).start()) {
            List<CompletableFuture<String>> fs = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) fs.add(q.enqueueAsync("t", new byte[] {(byte) i}, EnqueueOptions.of()));
            List<String> expected = new ArrayList<>();
            for (CompletableFuture<String> f : fs) expected.add(f.get());
            await().atMost(Duration.ofSeconds(30)).until(() -> ids.size() >= 2_000);
            assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void aPoolThatRefusesTasksGetsThemHandedBackWithoutAHotLoop() {
        Pool closed = Pool.builder().name("closed").workers(1).build();
        closed.shutdown();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "refused")) {
            for (int i = 0; i < 3; i++) q.enqueue("t", "p" + i);
            RedisWorker w = RedisWorker.builder(redis.uri()).queue("refused").pool(closed).fetchers(2)
                    .pollInterval(Duration.ofMillis(200)).handler("t", (ctx, p) -> { }).start();
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> w.stats().handedBack() >= 3);
            await().pollDelay(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> true);
            StopReport r = w.stop(Duration.ofSeconds(5));
            double seconds = (System.nanoTime() - t0) / 1e9;
            // At most one fetch of 3 per poll interval and fetcher, not thousands.
            assertThat(w.stats().fetched()).isLessThanOrEqualTo((long) (2 * 3 * (seconds / 0.2 + 2)));
            assertThat(w.stats().succeeded()).isZero();
            assertThat(r.leftPending()).isZero();
            QueueStats s = q.stats();
            assertThat(s.ready()).isEqualTo(3);
            assertThat(s.pending()).isZero();
        }
    }

    @Test
    void twoFetchersTogetherNeverTakeMoreThanTheFreeSlots() throws Exception {
        int slots = 40;
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "bounded");
             Pool pool = Pool.builder().name("bounded").workers(60).build()) {
            List<NewTask> tasks = new ArrayList<>();
            for (int i = 0; i < 300; i++) tasks.add(NewTask.of("block", "p" + i));
            q.enqueueAll(tasks);
            RedisWorker w = RedisWorker.builder(redis.uri()).queue("bounded").pool(pool).maxInFlight(slots).fetchers(2)
                    .handler("block", (ctx, p) -> {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            release.await();
                        } finally {
                            running.decrementAndGet();
                        }
                    }).start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> running.get() == slots);
                // Give both fetchers time to (wrongly) take more.
                await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
                assertThat(q.stats().pending()).as("delivered, not acknowledged").isEqualTo(slots);
                assertThat(maxRunning.get()).isEqualTo(slots);
                release.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().processed() == 300);
                assertThat(maxRunning.get()).isEqualTo(slots);
            } finally {
                release.countDown();
                w.stop(Duration.ofSeconds(5));
            }
        }
    }
}
