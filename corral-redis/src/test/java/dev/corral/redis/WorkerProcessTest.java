package dev.corral.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.corral.redis.internal.RedisConnector;
import dev.corral.redis.testing.ChildJvm;
import dev.corral.redis.testing.ProbeWorkerMain;
import dev.corral.redis.testing.RedisTestCluster;
import dev.corral.redis.testing.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/** Workers in separate processes, killed with SIGKILL or stopped with SIGTERM mid-run. */
class WorkerProcessTest {

    static final int MAX_IN_FLIGHT = 24;

    @Test
    @Timeout(120)
    void killingOneOfTwoWorkerProcessesMidRunLosesNothingAndDuplicatesOnlyWhatItRanButHadNotAcknowledged()
            throws Exception {
        try (RedisTestServer redis = RedisTestServer.start()) {
            killOneOfTwo(redis.uri(), 5_000);
        }
    }

    @Test
    @Timeout(120)
    void theSameOnAThreeMasterRedisCluster() throws Exception {
        try (RedisTestCluster cluster = RedisTestCluster.start()) {
            killOneOfTwo(cluster.uri(), 3_000);
        }
    }

    private static void killOneOfTwo(String uri, int n) throws Exception {
        String queue = "kill9";
        String p = "probe:{" + queue + "}:";
        try (UnifiedJedis raw = RedisConnector.of(uri).open();
             RedisQueue q = RedisQueue.connect(uri, queue);
             ChildJvm victim = ChildJvm.start(ProbeWorkerMain.class, uri, queue, "victim", "8",
                     Integer.toString(MAX_IN_FLIGHT), "1500", "5000");
             ChildJvm survivor = ChildJvm.start(ProbeWorkerMain.class, uri, queue, "survivor", "8",
                     Integer.toString(MAX_IN_FLIGHT), "1500", "5000")) {
            victim.awaitReady(Duration.ofSeconds(60));
            survivor.awaitReady(Duration.ofSeconds(60));
            List<NewTask> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) tasks.add(NewTask.of("probe", i + ":3"));
            q.enqueueAll(tasks);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> raw.scard(p + "seen") >= n / 4);
            // Make sure the victim is busy at the moment it dies.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() ->
                    q.stats().workers().stream().anyMatch(w -> w.id().equals("victim") && w.inFlight() > 0));
            victim.kill9();
            long seenAtKill = raw.scard(p + "seen");
            assertThat(seenAtKill).as("killed mid-run").isLessThan(n);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                QueueStats s = q.stats();
                return raw.scard(p + "seen") == n && s.ready() == 0 && s.pending() == 0;
            });
            long runs = Long.parseLong(raw.get(p + "runs"));
            List<String> duplicated = new ArrayList<>();
            AtomicInteger ranTwiceByTheVictimFirst = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                List<String> by = raw.lrange(p + "by:" + i, 0, -1);
                assertThat(by).as("runners of task %s", i).isNotEmpty();
                if (by.size() > 1) {
                    duplicated.add(Integer.toString(i));
                    assertThat(by).as("task %s ran twice", i).hasSize(2);
                    // It ran on the victim, which died before acknowledging it; then once more.
                    if (by.get(0).equals("victim") && by.get(1).equals("survivor")) ranTwiceByTheVictimFirst.incrementAndGet();
                }
            }
            QueueStats s = q.stats();
            System.out.printf("kill -9 (%s): %d tasks, %d runs, %d duplicates, %d redelivered, seen at kill %d%n",
                    uri, n, runs, duplicated.size(), s.redelivered(), seenAtKill);
            assertThat(runs).isEqualTo(n + duplicated.size());
            assertThat(ranTwiceByTheVictimFirst.get()).isEqualTo(duplicated.size());
            assertThat(duplicated.size()).as("at most what the victim held").isLessThanOrEqualTo(MAX_IN_FLIGHT);
            assertThat(s.redelivered()).as("the victim's held entries were reclaimed, counted")
                    .isGreaterThan(0).isGreaterThanOrEqualTo(duplicated.size());
            assertThat(s.processed()).isEqualTo(n);
            assertThat(s.deadLettered()).isZero();
            assertThat(s.workers()).extracting(WorkerInfo::id).containsExactly("survivor");
            assertThat(survivor.terminate(Duration.ofSeconds(30))).as(survivor.output()).isZero();
        }
    }

    @Test
    @Timeout(90)
    void sigtermFinishesOrHandsBackInFlightTasksWithinTheDeadlineAndExitsZero() throws Exception {
        String queue = "sigterm";
        String p = "probe:{" + queue + "}:";
        int n = 40;
        try (RedisTestServer redis = RedisTestServer.start();
             UnifiedJedis raw = RedisConnector.of(redis.uri()).open();
             RedisQueue q = RedisQueue.connect(redis.uri(), queue);
             ChildJvm worker = ChildJvm.start(ProbeWorkerMain.class, redis.uri(), queue, "leaving", "4", "12",
                     "30000", "700")) {
            worker.awaitReady(Duration.ofSeconds(60));
            for (int i = 0; i < n; i++) q.enqueue("probe", i + ":400");
            await().atMost(Duration.ofSeconds(20)).until(() -> q.stats().pending() >= 8);
            long t0 = System.nanoTime();
            int status = worker.terminate(Duration.ofSeconds(20));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(status).as(worker.output()).isZero();
            assertThat(tookMs).as("stopped within the deadline plus the JVM's exit").isLessThan(10_000);
            QueueStats after = q.stats();
            assertThat(after.pending()).as("nothing left pending for a reclaim").isZero();
            assertThat(after.ready() + after.processed()).isEqualTo(n);
            assertThat(worker.output()).contains("stopped: StopReport").contains("leftPending=0");

            // Another worker runs what was handed back, at once (no visibility timeout to wait for).
            Set<String> seenBefore = raw.smembers(p + "seen");
            try (RedisWorker other = RedisWorker.builder(redis.uri()).queue(queue)
                    .handler("probe", (ctx, payload) -> {
                        String s = ctx.payloadText();
                        raw.sadd(p + "seen", s.substring(0, s.indexOf(':')));
                    }).start()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> raw.scard(p + "seen") == n);
            }
            assertThat(seenBefore.size()).isEqualTo((int) after.processed());
        }
    }
}
