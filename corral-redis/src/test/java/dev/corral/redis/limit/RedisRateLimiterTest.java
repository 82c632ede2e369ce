package dev.corral.redis.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.Pool;
import dev.corral.limit.RateLimiter;
import dev.corral.redis.testing.RedisServerExtension;
import dev.corral.redis.testing.RedisTestServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

class RedisRateLimiterTest {

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();

    private static RedisRateLimiter bucket(TestInfo info, double rate, int burst) {
        return RedisRateLimiter.builder(server.client(), info.getDisplayName()).permitsPerSecond(rate).burst(burst).build();
    }

    @Test
    void grantsTheBurstAtOnceThenRefuses(TestInfo info) {
        RedisRateLimiter limiter = bucket(info, 0.01, 5);   // 100 s per permit: no refill during the test
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire()).as("permit %d of the burst", i).isTrue();
        }
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.stats().granted()).isEqualTo(5);
        assertThat(limiter.stats().rejected()).isEqualTo(1);
        assertThat(limiter.stats().availablePermits()).isZero();
    }

    @Test
    void twoInstancesWithTheSameNameShareOneBucket(TestInfo info) {
        RedisRateLimiter a = bucket(info, 0.01, 3);
        RedisRateLimiter b = bucket(info, 0.01, 3);
        assertThat(a.tryAcquire(2)).isTrue();
        assertThat(b.tryAcquire(2)).isFalse();
        assertThat(b.tryAcquire(1)).isTrue();
        assertThat(a.tryAcquire()).isFalse();
    }

    @Test
    void aTimedWaitSleepsForTheDelayTheServerComputed(TestInfo info) throws InterruptedException {
        RedisRateLimiter limiter = bucket(info, 10, 1);   // one permit per 100 ms
        assertThat(limiter.tryAcquire()).isTrue();
        long t0 = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofSeconds(5))).isTrue();
        long waited = System.nanoTime() - t0;
        assertThat(waited).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(80));
        assertThat(limiter.stats().delayed()).isEqualTo(1);
    }

    @Test
    void aWaitThatWouldBeTooLongCommitsNothingAndReturnsAtOnce(TestInfo info) throws InterruptedException {
        RedisRateLimiter limiter = bucket(info, 0.1, 1);   // one permit per 10 s
        assertThat(limiter.tryAcquire()).isTrue();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            assertThat(limiter.tryAcquire(1, Duration.ofMillis(50))).isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
        // Twenty refused waits took nothing: the next permit is still due within one interval.
        assertThat(limiter.nanosUntilAvailable(1)).isBetween(1L, TimeUnit.SECONDS.toNanos(10));
        assertThat(limiter.stats().granted()).isEqualTo(1);
    }

    @Test
    void anInterruptedWaitGivesItsPermitBack(TestInfo info) throws Exception {
        RedisRateLimiter limiter = bucket(info, 0.05, 1);   // one permit per 20 s
        assertThat(limiter.tryAcquire()).isTrue();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                return limiter.tryAcquire(1, Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                return e;
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limiter.stats().waiting() == 1);
        waiter.get().interrupt();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(limiter.stats().cancelled()).isEqualTo(1);
        // Had the permit been kept, the next one would be due 20 s later than this.
        assertThat(limiter.nanosUntilAvailable(1)).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void aReservationCanBeCancelledOnlyWhileItIsTheLastCommit(TestInfo info) {
        RedisRateLimiter limiter = bucket(info, 0.01, 1);
        assertThat(limiter.tryAcquire()).isTrue();
        RateLimiter.Reservation first = limiter.reserve(1);
        RateLimiter.Reservation second = limiter.reserve(1);
        assertThat(first.delayNanos()).isPositive();
        assertThat(second.delayNanos()).isGreaterThan(first.delayNanos());
        assertThat(first.cancel()).as("a later reservation counts on it").isFalse();
        assertThat(second.cancel()).isTrue();
        assertThat(second.cancel()).as("only once").isFalse();
        assertThat(first.cancel()).isTrue();
        assertThat(limiter.nanosUntilAvailable(1)).isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(100));
    }

    @Test
    void aPoolStartsTasksNoFasterThanTheSharedRate(TestInfo info) throws Exception {
        RedisRateLimiter limiter = bucket(info, 50, 5);
        int tasks = 30;
        List<Long> starts = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(tasks);
        try (Pool pool = Pool.builder().workers(4).queueCapacity(100).startRate(limiter).build()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                pool.execute(() -> {
                    synchronized (starts) {
                        starts.add(System.nanoTime());
                    }
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            // 5 at once, then 25 at 50/s: at least 0.5 s (minus one interval of slack for the clock).
            assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(460));
        }
        assertThat(starts).hasSize(tasks);
        // A gated worker passes the gate before it polls, and a start token cannot be handed back:
        // a pass whose poll finds nothing spends one. That happens to the workers still waiting at
        // the gate when the last task is taken (at most 3 of the 4), and to passes that race with
        // other workers' takes and with the submissions, which go on while the workers start.
        // Seen: 31-35 in 80 runs (35 in 7, with the pool of before and after 2026-12-05's worker
        // changes); the bound allows two spent tokens per worker.
        assertThat(limiter.stats().granted()).isBetween((long) tasks, tasks + 2L * 4);
    }

    @Test
    void badArgumentsAreRefusedWithTheirNameAndValue() {
        assertThatThrownBy(() -> RedisRateLimiter.builder(null, "x"))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("redis");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), "a}b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a}b");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), "x").permitsPerSecond(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permitsPerSecond").hasMessageContaining("0.0");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), "x").permitsPerSecond(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), "x").burst(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("burst must be >= 1 but was 0");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), "x").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("permitsPerSecond");
        assertThatThrownBy(() -> RedisRateLimiter.builder(server.client(), "x").permitsPerSecond(1e-6).burst(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11 days");
        RedisRateLimiter limiter = RedisRateLimiter.builder(server.client(), "bad-args").permitsPerSecond(10).burst(3).build();
        assertThatThrownBy(() -> limiter.tryAcquire(4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 3] but was 4");
        assertThatThrownBy(() -> limiter.reserve(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but was 0");
        assertThatThrownBy(() -> limiter.tryAcquire(1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("maxWait");
    }

    @Test
    void anUnreachableServerFailsClosedInsteadOfThrowing() throws InterruptedException {
        try (RedisTestServer lonely = RedisTestServer.start();
             RedisClient client = RedisClient.create(lonely.uri())) {
            RedisRateLimiter limiter = RedisRateLimiter.builder(client, "gone").permitsPerSecond(1000).burst(10).build();
            assertThat(limiter.tryAcquire()).isTrue();
            lonely.kill();
            assertThat(limiter.tryAcquire()).isFalse();
            assertThat(limiter.tryAcquire(1, Duration.ofMillis(200))).isFalse();
            assertThat(limiter.isUnreachable()).isTrue();
            assertThatThrownBy(() -> limiter.reserve(1))
                    .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
        }
    }
}
