package dev.corral.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real threads racing acquire, release, timeouts and interrupts. Whatever the interleaving, the
 * permits held never exceed the limit, and when the dust settles every permit is back.
 */
@Timeout(30)
class LimiterRaceTest {

    static Stream<Arguments> limiters() {
        IntFunction<Limiter> bulkhead = n -> ConcurrencyLimiter.of(n);
        IntFunction<Limiter> fair = n -> ConcurrencyLimiter.of(n, true);
        IntFunction<Limiter> tracked = n -> ConcurrencyLimiter.builder().limit(n).trackPermitAge(true).build();
        // Bounds pinned so that outcomes cannot move the limit under the test's feet.
        IntFunction<Limiter> adaptive = n -> AdaptiveLimiter.aimd().initialLimit(n).minLimit(n).maxLimit(n).build();
        return Stream.of(
                Arguments.of("non-fair", bulkhead),
                Arguments.of("fair", fair),
                Arguments.of("tracked", tracked),
                Arguments.of("adaptive", adaptive));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limiters")
    void permitsInUseNeverExceedTheLimitUnderRandomSchedules(String name, IntFunction<Limiter> factory)
            throws InterruptedException {
        for (int run = 0; run < 12; run++) {
            int limit = 1 + ThreadLocalRandom.current().nextInt(3);
            Limiter limiter = factory.apply(limit);
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger violations = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                workers.add(Thread.ofPlatform().start(() -> work(limiter, limit, holders, violations)));
            }
            Thread interrupter = Thread.ofPlatform().start(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!done.get()) {
                    workers.get(random.nextInt(workers.size())).interrupt();
                    LockSupport.parkNanos(random.nextLong(20_000, 200_000));   // pacing only
                }
            });
            for (Thread t : workers) {
                t.join();
            }
            done.set(true);
            interrupter.join();

            assertThat(violations).as("%s: times more than %d permits were held", name, limit).hasValue(0);
            assertSettled(limiter, limit);
        }
    }

    private static void work(Limiter limiter, int limit, AtomicInteger holders, AtomicInteger violations) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int op = 0; op < 400; op++) {
            Optional<Permit> permit;
            try {
                permit = switch (random.nextInt(3)) {
                    case 0 -> limiter.tryAcquire();
                    case 1 -> limiter.tryAcquire(Duration.ofNanos(random.nextLong(0, 100_000)));
                    default -> Optional.of(limiter.acquire());
                };
            } catch (InterruptedException e) {
                continue;   // the interrupt status is already cleared
            }
            if (permit.isEmpty()) {
                continue;
            }
            if (holders.incrementAndGet() > limit) {
                violations.incrementAndGet();
            }
            for (int spin = random.nextInt(200); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            holders.decrementAndGet();
            Permit p = permit.get();
            switch (random.nextInt(4)) {
                case 0 -> p.success();
                case 1 -> p.dropped();
                case 2 -> {
                    p.close();
                    p.close();
                }
                default -> p.ignored();
            }
        }
        Thread.interrupted();   // an interrupt that arrived after the last wait
    }

    private static void assertSettled(Limiter limiter, int limit) {
        LimiterStats stats = limiter.stats();
        assertThat(stats.inUse()).isZero();
        assertThat(stats.waiting()).isZero();
        assertThat(stats.granted()).isEqualTo(stats.released());
        if (stats.oldestPermitAgeNanos() != -1) {
            assertThat(stats.oldestPermitAgeNanos()).isZero();
        }
        List<Permit> all = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            all.add(limiter.tryAcquire().orElseThrow(() -> new AssertionError("a permit leaked")));
        }
        assertThat(limiter.tryAcquire()).as("no permit was duplicated").isEmpty();
        all.forEach(Permit::close);
    }

    /**
     * The failsafe #400 / resilience4j #1530 race, forced many times: the only permit is released
     * at about the moment its waiter times out. Either the waiter gets it (and releases it) or the
     * permit stays free; it is never lost.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("limiters")
    void timeoutRacingAReleaseNeverLosesThePermit(String name, IntFunction<Limiter> factory) throws Exception {
        Limiter limiter = factory.apply(1);
        for (int i = 0; i < 1500; i++) {
            Permit held = limiter.tryAcquire().orElseThrow();
            long wait = ThreadLocalRandom.current().nextLong(0, 60_000);
            AtomicReference<Optional<Permit>> got = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    got.set(limiter.tryAcquire(Duration.ofNanos(wait)));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            spin(ThreadLocalRandom.current().nextInt(0, 60_000));
            held.close();
            waiter.join();
            got.get().ifPresent(Permit::close);
            assertThat(limiter.stats().inUse()).isZero();
        }
        assertSettled(limiter, 1);
    }

    /** Same race with an interrupt instead of a timeout. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("limiters")
    void interruptRacingAReleaseNeverLosesThePermit(String name, IntFunction<Limiter> factory) throws Exception {
        Limiter limiter = factory.apply(1);
        for (int i = 0; i < 1500; i++) {
            Permit held = limiter.tryAcquire().orElseThrow();
            AtomicReference<Permit> got = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    got.set(limiter.acquire());
                } catch (InterruptedException expectedSometimes) {
                    // no permit to return
                }
            });
            spin(ThreadLocalRandom.current().nextInt(0, 40_000));
            if (ThreadLocalRandom.current().nextBoolean()) {
                waiter.interrupt();
                held.close();
            } else {
                held.close();
                waiter.interrupt();
            }
            waiter.join();
            if (got.get() != null) {
                got.get().close();
            }
            assertThat(limiter.stats().inUse()).isZero();
        }
        assertSettled(limiter, 1);
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
