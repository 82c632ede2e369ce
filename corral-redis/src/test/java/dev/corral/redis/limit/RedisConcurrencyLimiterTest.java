package dev.corral.redis.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.Pool;
import dev.corral.limit.Permit;
import dev.corral.redis.testing.RedisServerExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisConcurrencyLimiterTest {

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();

    private static RedisConcurrencyLimiter limiter(TestInfo info, int limit, Duration lease) {
        return RedisConcurrencyLimiter.builder(server.client(), info.getDisplayName()).limit(limit).leaseTime(lease)
                .pollInterval(Duration.ofMillis(5)).build();
    }

    @Test
    void twoInstancesWithTheSameNameShareTheLimit(TestInfo info) {
        try (RedisConcurrencyLimiter a = limiter(info, 2, Duration.ofSeconds(30));
             RedisConcurrencyLimiter b = limiter(info, 2, Duration.ofSeconds(30))) {
            Permit p1 = a.tryAcquire().orElseThrow();
            Permit p2 = a.tryAcquire().orElseThrow();
            assertThat(b.tryAcquire()).isEmpty();
            assertThat(a.clusterInUse()).isEqualTo(2);
            p1.close();
            p1.close();   // idempotent: releases once
            Permit p3 = b.tryAcquire().orElseThrow();
            assertThat(a.tryAcquire()).isEmpty();
            assertThat(a.stats().released()).isEqualTo(1);
            assertThat(a.stats().inUse()).isEqualTo(1);
            assertThat(p1.isValid()).isFalse();
            assertThat(p3.isValid()).isTrue();
            p2.close();
            p3.close();
            assertThat(a.clusterInUse()).isZero();
        }
    }

    @Test
    void timedWaitsThatGiveUpHoldNothing(TestInfo info) throws Exception {
        try (RedisConcurrencyLimiter limiter = limiter(info, 2, Duration.ofSeconds(30))) {
            Permit a = limiter.acquire();
            Permit b = limiter.acquire();
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<Optional<Permit>>> waits = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    waits.add(threads.submit(() -> limiter.tryAcquire(Duration.ofMillis(150))));
                }
                for (Future<Optional<Permit>> w : waits) {
                    assertThat(w.get(30, TimeUnit.SECONDS)).isEmpty();
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(limiter.clusterInUse()).isEqualTo(2);
            assertThat(limiter.stats().rejected()).isEqualTo(8);
            a.close();
            b.close();
            // Both slots are free: nothing leaked from the abandoned waits.
            Permit c = limiter.tryAcquire().orElseThrow();
            Permit d = limiter.tryAcquire().orElseThrow();
            assertThat(limiter.tryAcquire()).isEmpty();
            c.close();
            d.close();
        }
    }

    @Test
    void anInterruptedWaitHoldsNothing(TestInfo info) throws Exception {
        try (RedisConcurrencyLimiter limiter = limiter(info, 1, Duration.ofSeconds(30))) {
            Permit held = limiter.acquire();
            AtomicReference<Thread> waiter = new AtomicReference<>();
            CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
                waiter.set(Thread.currentThread());
                try {
                    return limiter.acquire();
                } catch (InterruptedException e) {
                    return e;
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limiter.stats().waiting() == 1);
            waiter.get().interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(limiter.stats().interrupted()).isEqualTo(1);
            held.close();
            assertThat(limiter.clusterInUse()).isZero();
        }
    }

    @Test
    void aWaiterIsServedWhenAnotherProcessReleases(TestInfo info) throws Exception {
        try (RedisConcurrencyLimiter a = limiter(info, 1, Duration.ofSeconds(30));
             RedisConcurrencyLimiter b = limiter(info, 1, Duration.ofSeconds(30))) {
            Permit held = a.acquire();
            CompletableFuture<Optional<Permit>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.tryAcquire(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> b.stats().waiting() == 1);
            assertThat(waiting).isNotDone();
            held.close();   // a's release is seen by b's polling, not by a local signal
            assertThat(waiting.get(20, TimeUnit.SECONDS)).isPresent();
        }
    }

    @Test
    void aHeldLeaseIsRenewedPastItsLeaseTime(TestInfo info) throws Exception {
        try (RedisConcurrencyLimiter holder = limiter(info, 1, Duration.ofMillis(300));
             RedisConcurrencyLimiter other = limiter(info, 1, Duration.ofMillis(300))) {
            Permit p = holder.acquire();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
            while (System.nanoTime() < until) {
                assertThat(other.tryAcquire()).as("renewed lease keeps its slot").isEmpty();
                assertThat(other.tryAcquire(Duration.ofMillis(100))).isEmpty();
            }
            assertThat(p.isValid()).isTrue();
            p.close();
            assertThat(other.tryAcquire()).isPresent();
        }
    }

    @Test
    void aLeaseNoLongerRenewedExpiresAndItsSlotReturns(TestInfo info) throws Exception {
        RedisConcurrencyLimiter holder = limiter(info, 1, Duration.ofMillis(300));
        Permit p = holder.acquire();
        holder.close();   // stops the renewer, as a dead process would
        try (RedisConcurrencyLimiter other = limiter(info, 1, Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            Optional<Permit> q = other.tryAcquire(Duration.ofSeconds(10));
            assertThat(q).isPresent();
            assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !p.isValid());
            assertThat(p.remainingNanos()).isZero();
            assertThatThrownBy(holder::tryAcquire).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            q.get().close();
        }
    }

    @Test
    void twoPoolsGatedByTheSameNameNeverRunMoreThanTheLimit(TestInfo info) throws Exception {
        int limit = 3;
        int tasks = 60;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(tasks);
        try (RedisConcurrencyLimiter l1 = limiter(info, limit, Duration.ofSeconds(30));
             RedisConcurrencyLimiter l2 = limiter(info, limit, Duration.ofSeconds(30));
             Pool p1 = Pool.builder().workers(4).queueCapacity(100).limiter(l1).build();
             Pool p2 = Pool.builder().workers(4).queueCapacity(100).limiter(l2).build()) {
            for (int i = 0; i < tasks; i++) {
                (i % 2 == 0 ? p1 : p2).execute(() -> {
                    int now = running.incrementAndGet();
                    max.accumulateAndGet(now, Math::max);
                    try {
                        Thread.sleep(5);   // the work being limited
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(50, TimeUnit.SECONDS)).isTrue();
            assertThat(max.get()).isBetween(1, limit);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> l1.clusterInUse() == 0);
            // A gated worker takes a permit before it polls, so idle workers may take a few more;
            // every permit taken was given back.
            assertThat(l1.stats().granted() + l2.stats().granted()).isGreaterThanOrEqualTo(tasks);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    l1.stats().inUse() + l2.stats().inUse() == 0);
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheirNameAndValue() {
        assertThatThrownBy(() -> RedisConcurrencyLimiter.builder(server.client(), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> RedisConcurrencyLimiter.builder(server.client(), "x").limit(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit must be >= 1 but was 0");
        assertThatThrownBy(() -> RedisConcurrencyLimiter.builder(server.client(), "x").leaseTime(Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseTime").hasMessageContaining("PT0.005S");
        assertThatThrownBy(() -> RedisConcurrencyLimiter.builder(server.client(), "x").pollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> RedisConcurrencyLimiter.builder(server.client(), "x").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("limit was not set");
        assertThatThrownBy(() -> RedisConcurrencyLimiter.builder(server.client(), "x").limit(1)
                .leaseTime(Duration.ofSeconds(1)).renewEvery(Duration.ofSeconds(2)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("renewEvery");
        try (RedisConcurrencyLimiter l = RedisConcurrencyLimiter.builder(server.client(), "x").limit(1).build()) {
            assertThatThrownBy(() -> l.tryAcquire(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("maxWait");
            assertThatThrownBy(() -> l.addCapacityListener(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("listener");
        }
    }
}
