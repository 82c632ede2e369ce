package dev.corral.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConcurrencyLimiterTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void grantsUpToTheLimitThenRejects() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(2);
        Permit a = limiter.tryAcquire().orElseThrow();
        Permit b = limiter.tryAcquire().orElseThrow();
        assertThat(limiter.tryAcquire()).isEmpty();
        a.close();
        assertThat(limiter.tryAcquire()).isPresent();

        LimiterStats stats = limiter.stats();
        assertThat(stats.limit()).isEqualTo(2);
        assertThat(stats.inUse()).isEqualTo(2);
        assertThat(stats.granted()).isEqualTo(3);
        assertThat(stats.rejected()).isEqualTo(1);
        assertThat(stats.released()).isEqualTo(1);
        assertThat(stats.waiting()).isZero();
        assertThat(stats.oldestPermitAgeNanos()).as("not tracked").isEqualTo(-1);
        b.close();
    }

    @Test
    void doubleCloseIsHarmless() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        Permit permit = limiter.tryAcquire().orElseThrow();
        assertThat(permit.isValid()).isTrue();
        assertThat(permit.remainingNanos()).isEqualTo(Long.MAX_VALUE);
        permit.success();
        permit.close();
        permit.close();
        permit.dropped();
        assertThat(permit.isValid()).isFalse();
        assertThat(permit.remainingNanos()).isZero();

        LimiterStats stats = limiter.stats();
        assertThat(stats.released()).isEqualTo(1);
        assertThat(stats.dropped()).as("only the first report counts").isZero();
        assertThat(stats.inUse()).isZero();
        assertThat(stats.limit()).isEqualTo(1);
        Permit only = limiter.tryAcquire().orElseThrow();
        assertThat(limiter.tryAcquire()).as("no extra permit was created").isEmpty();
        only.close();
    }

    @Test
    void concurrentClosesReleaseOnce() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        for (int round = 0; round < 200; round++) {
            Permit permit = limiter.tryAcquire().orElseThrow();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> closers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                closers.add(threads.submit(() -> {
                    go.await();
                    permit.close();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : closers) {
                f.get();
            }
        }
        assertThat(limiter.stats().released()).isEqualTo(200);
        assertThat(limiter.stats().inUse()).isZero();
        assertThat(limiter.stats().limit()).isEqualTo(1);
    }

    @Test
    void forgottenPermitShowsInStatsWithItsAge() {
        FakeClock clock = new FakeClock();
        ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().limit(3).trackPermitAge(true)
                .ticker(clock).build();
        assertThat(limiter.stats().oldestPermitAgeNanos()).isZero();
        Permit forgotten = limiter.tryAcquire().orElseThrow();
        clock.advance(Duration.ofMinutes(10));
        try (Permit recent = limiter.acquire()) {
            clock.advance(Duration.ofSeconds(1));
            LimiterStats stats = limiter.stats();
            assertThat(stats.inUse()).isEqualTo(2);
            assertThat(stats.oldestPermitAgeNanos()).isEqualTo(Duration.ofSeconds(601).toNanos());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(limiter.stats().inUse()).isEqualTo(1);
        assertThat(limiter.stats().granted() - limiter.stats().released()).isEqualTo(1);
        forgotten.close();
        assertThat(limiter.stats().oldestPermitAgeNanos()).isZero();
    }

    @Test
    void timedWaitReturnsEmptyAfterTimeoutWithoutLeaking() throws InterruptedException {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        Permit held = limiter.tryAcquire().orElseThrow();
        long before = System.nanoTime();
        assertThat(limiter.tryAcquire(Duration.ofMillis(50))).isEmpty();
        assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(limiter.tryAcquire(Duration.ZERO)).isEmpty();
        assertThat(limiter.tryAcquire(Duration.ofDays(-1))).isEmpty();

        LimiterStats stats = limiter.stats();
        assertThat(stats.rejected()).isEqualTo(3);
        assertThat(stats.inUse()).isEqualTo(1);
        assertThat(stats.waiting()).isZero();
        held.close();
        assertThat(limiter.tryAcquire()).as("the permit came back").isPresent();
    }

    @Test
    void timedWaitGetsAPermitReleasedInTime() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        Permit held = limiter.tryAcquire().orElseThrow();
        Future<Optional<Permit>> waiter = threads.submit(() -> limiter.tryAcquire(Duration.ofSeconds(30)));
        await().until(() -> limiter.stats().waiting() == 1);
        held.close();
        Permit handed = waiter.get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(limiter.stats().inUse()).isEqualTo(1);
        handed.close();
    }

    @Test
    void interruptedWaiterThrowsAndKeepsNoPermit() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        Permit held = limiter.tryAcquire().orElseThrow();
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<Permit> waiter = threads.submit(() -> {
            waiterThread.set(Thread.currentThread());
            return limiter.acquire();
        });
        await().until(() -> limiter.stats().waiting() == 1);
        waiterThread.get().interrupt();
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(limiter.stats().interrupted()).isEqualTo(1);
        held.close();
        assertThat(limiter.stats().inUse()).isZero();
        assertThat(limiter.tryAcquire()).isPresent();
    }

    @Test
    void interruptOnEntryThrowsEvenWithPermitsFree() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        Thread.currentThread().interrupt();
        assertThatThrownBy(limiter::acquire).isInstanceOf(InterruptedException.class);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> limiter.tryAcquire(Duration.ofSeconds(1)))
                .isInstanceOf(InterruptedException.class);
        assertThat(limiter.stats().inUse()).isZero();
        assertThat(limiter.stats().interrupted()).isEqualTo(2);
    }

    @Test
    void growingTheLimitWakesWaiters() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        Permit held = limiter.tryAcquire().orElseThrow();
        List<Future<Permit>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(threads.submit(limiter::acquire));
        }
        await().until(() -> limiter.stats().waiting() == 3);
        limiter.setLimit(3);
        await().until(() -> limiter.stats().waiting() == 1);
        assertThat(limiter.stats().inUse()).isEqualTo(3);
        limiter.setLimit(4);
        for (Future<Permit> w : waiters) {
            w.get(5, TimeUnit.SECONDS).close();
        }
        held.close();
        assertThat(limiter.stats().inUse()).isZero();
        assertThat(limiter.limit()).isEqualTo(4);
    }

    @Test
    void shrinkingNeverRevokesHeldPermits() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(4);
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(limiter.tryAcquire().orElseThrow());
        }
        limiter.setLimit(2);
        assertThat(held).allMatch(Permit::isValid);
        assertThat(limiter.stats().inUse()).isEqualTo(4);
        assertThat(limiter.stats().limit()).isEqualTo(2);

        held.remove(0).close();
        held.remove(0).close();
        assertThat(limiter.tryAcquire()).as("2 still held, limit 2").isEmpty();
        held.remove(0).close();
        Permit again = limiter.tryAcquire().orElseThrow();
        assertThat(limiter.tryAcquire()).isEmpty();
        again.close();
        held.remove(0).close();
        assertThat(limiter.stats().inUse()).isZero();
        assertThat(limiter.tryAcquire()).isPresent();
        assertThat(limiter.tryAcquire()).isPresent();
        assertThat(limiter.tryAcquire()).isEmpty();
    }

    @Test
    void fairLimiterServesWaitersInArrivalOrder() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1, true);
        assertThat(limiter.isFair()).isTrue();
        Permit held = limiter.tryAcquire().orElseThrow();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Future<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            waiters.add(threads.submit(() -> {
                try (Permit p = limiter.acquire()) {
                    order.add(id);
                }
                return null;
            }));
            // Queue them one by one so that arrival order is known.
            await().until(() -> limiter.stats().waiting() == id + 1);
        }
        assertThat(limiter.tryAcquire()).as("no overtaking the queue").isEmpty();
        held.close();
        for (Future<?> w : waiters) {
            w.get(5, TimeUnit.SECONDS);
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void capacityListenerRunsOnReleaseAndOnGrowth() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        AtomicInteger calls = new AtomicInteger();
        Runnable listener = calls::incrementAndGet;
        limiter.addCapacityListener(listener);
        Permit p = limiter.tryAcquire().orElseThrow();
        assertThat(calls).hasValue(0);
        p.close();
        p.close();
        assertThat(calls).hasValue(1);
        limiter.setLimit(2);
        assertThat(calls).hasValue(2);
        limiter.setLimit(1);
        assertThat(calls).as("shrinking frees nothing").hasValue(2);
        assertThat(limiter.removeCapacityListener(listener)).isTrue();
        assertThat(limiter.removeCapacityListener(listener)).isFalse();
        limiter.tryAcquire().orElseThrow().close();
        assertThat(calls).hasValue(2);
    }

    @Test
    void failingCapacityListenerDoesNotUndoTheRelease() throws Exception {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        limiter.addCapacityListener(() -> {
            throw new IllegalStateException("boom");
        });
        AtomicReference<Throwable> reported = new AtomicReference<>();
        Thread t = new Thread(() -> limiter.tryAcquire().orElseThrow().close());
        t.setUncaughtExceptionHandler((thread, e) -> reported.set(e));
        t.start();
        t.join();
        assertThat(reported.get()).hasMessage("boom");
        assertThat(limiter.stats().inUse()).isZero();
        assertThat(limiter.stats().released()).isEqualTo(1);
    }

    @Test
    void outcomesAreCountedButDoNotMoveAFixedLimit() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(5);
        for (int i = 0; i < 10; i++) {
            limiter.tryAcquire().orElseThrow().dropped();
        }
        assertThat(limiter.stats().dropped()).isEqualTo(10);
        assertThat(limiter.limit()).isEqualTo(5);
    }

    @Test
    void statsMinusGivesTheCountsOfAnInterval() {
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        limiter.tryAcquire().orElseThrow().close();
        LimiterStats before = limiter.stats();
        Permit p = limiter.tryAcquire().orElseThrow();
        limiter.tryAcquire();
        LimiterStats interval = limiter.stats().minus(before);
        assertThat(interval.granted()).isEqualTo(1);
        assertThat(interval.rejected()).isEqualTo(1);
        assertThat(interval.released()).isZero();
        assertThat(interval.inUse()).isEqualTo(1);
        p.close();
    }

    @Test
    void badArgumentsAreNamedWithTheirValues() {
        assertThatThrownBy(() -> ConcurrencyLimiter.of(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be >= 1 but was 0");
        assertThatThrownBy(() -> ConcurrencyLimiter.of(-5, true))
                .hasMessage("limit must be >= 1 but was -5");
        assertThatThrownBy(() -> ConcurrencyLimiter.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("limit was not set");
        assertThatThrownBy(() -> ConcurrencyLimiter.builder().ticker(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ticker must not be null");
        ConcurrencyLimiter limiter = ConcurrencyLimiter.of(1);
        assertThatThrownBy(() -> limiter.setLimit(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be >= 1 but was -1");
        assertThatThrownBy(() -> limiter.tryAcquire(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("maxWait must not be null");
        assertThatThrownBy(() -> limiter.addCapacityListener(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener must not be null");
        assertThatThrownBy(() -> limiter.stats().minus(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("earlier must not be null");
    }
}
