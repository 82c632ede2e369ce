package dev.corral.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    private final FakeClock clock = new FakeClock();

    @Test
    void startsFullThenGrantsOnePermitPerInterval() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 3, clock);   // one per 100 ms

        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();

        clock.advance(100_000_000L - 1);
        assertThat(limiter.tryAcquire()).as("one nanosecond early").isFalse();
        clock.advance(1);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();

        RateLimiterStats stats = limiter.stats();
        assertThat(stats.granted()).isEqualTo(4);
        assertThat(stats.rejected()).isEqualTo(3);
        assertThat(stats.availablePermits()).isZero();
    }

    @Test
    void idleTimeRefillsUpToTheBurstOnly() {
        RateLimiter limiter = RateLimiter.tokenBucket(1000, 5, clock);
        assertThat(limiter.tryAcquire(5)).isTrue();
        clock.advance(3600 * SECOND);
        assertThat(limiter.stats().availablePermits()).isEqualTo(5);
        assertThat(limiter.tryAcquire(5)).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
    }

    @Test
    void multiPermitRequestIsAllOrNothing() {
        RateLimiter limiter = RateLimiter.tokenBucket(1, 4, clock);
        assertThat(limiter.tryAcquire(3)).isTrue();
        assertThat(limiter.tryAcquire(2)).isFalse();
        assertThat(limiter.tryAcquire(1)).as("the refused request took nothing").isTrue();
        assertThat(limiter.stats().rejected()).isEqualTo(2);
    }

    @Test
    void intervalIsRoundedUpToWholeNanoseconds() {
        RateLimiter third = RateLimiter.tokenBucket(3, 1, clock);
        assertThat(third.stats().nanosPerPermit()).isEqualTo(333_333_334L);
        RateLimiter exact = RateLimiter.tokenBucket(4, 1, clock);
        assertThat(exact.stats().nanosPerPermit()).isEqualTo(250_000_000L);
        RateLimiter fastest = RateLimiter.tokenBucket(1e9, 1, clock);
        assertThat(fastest.stats().nanosPerPermit()).isEqualTo(1L);
    }

    @Test
    void nanosUntilAvailableForecastsWithoutCommitting() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 2, clock);
        assertThat(limiter.nanosUntilAvailable(2)).isZero();
        assertThat(limiter.tryAcquire(2)).isTrue();
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(100_000_000L);
        assertThat(limiter.nanosUntilAvailable(2)).isEqualTo(200_000_000L);
        assertThat(limiter.nanosUntilAvailable(1)).as("asking twice takes nothing")
                .isEqualTo(100_000_000L);
        clock.advance(40_000_000L);
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(60_000_000L);
        clock.advance(limiter.nanosUntilAvailable(1));
        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void reservationsQueueUpAtExactIntervals() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 1, clock);
        RateLimiter.Reservation first = limiter.reserve(1);
        RateLimiter.Reservation second = limiter.reserve(1);
        RateLimiter.Reservation third = limiter.reserve(1);
        assertThat(first.delayNanos()).isZero();
        assertThat(second.delayNanos()).isEqualTo(100_000_000L);
        assertThat(third.delayNanos()).isEqualTo(200_000_000L);
        clock.advance(150_000_000L);
        assertThat(second.remainingNanos()).isZero();
        assertThat(third.remainingNanos()).isEqualTo(50_000_000L);
        assertThat(limiter.tryAcquire()).as("reserved permits are taken").isFalse();
        RateLimiterStats stats = limiter.stats();
        assertThat(stats.granted()).isEqualTo(3);
        assertThat(stats.delayed()).isEqualTo(2);
    }

    @Test
    void cancellingTheLastReservationGivesItsPermitsBack() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 1, clock);
        assertThat(limiter.tryAcquire()).isTrue();
        RateLimiter.Reservation r = limiter.reserve(1);
        assertThat(r.delayNanos()).isEqualTo(100_000_000L);
        assertThat(r.cancel()).isTrue();
        assertThat(r.cancel()).as("second cancel").isFalse();
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(100_000_000L);
        assertThat(limiter.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void aReservationWithOthersBehindItCannotBeCancelledUntilTheyAre() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 1, clock);
        limiter.reserve(1);
        RateLimiter.Reservation middle = limiter.reserve(1);
        RateLimiter.Reservation last = limiter.reserve(1);
        assertThat(middle.cancel()).isFalse();
        assertThat(last.cancel()).isTrue();
        assertThat(middle.cancel()).as("it is the last one again").isTrue();
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(100_000_000L);
    }

    @Test
    void aDueReservationCannotBeCancelled() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 1, clock);
        limiter.reserve(1);
        RateLimiter.Reservation r = limiter.reserve(1);
        clock.advance(r.delayNanos());
        assertThat(r.cancel()).isFalse();
        RateLimiter.Reservation immediate = RateLimiter.tokenBucket(10, 1, clock).reserve(1);
        assertThat(immediate.cancel()).isFalse();
    }

    @Test
    void timedAcquireRefusesAtOnceWhenThePermitIsDueTooLate() throws InterruptedException {
        RateLimiter limiter = RateLimiter.tokenBucket(1, 1, clock);
        assertThat(limiter.tryAcquire()).isTrue();
        long before = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofMillis(999))).isFalse();
        assertThat(System.nanoTime() - before).as("did not wait in vain")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(limiter.stats().granted()).isEqualTo(1);
        assertThat(limiter.tryAcquire(1, Duration.ZERO)).isFalse();
        assertThat(limiter.tryAcquire(1, Duration.ofSeconds(-1))).isFalse();
    }

    @Test
    void timedAcquireWaitsUntilThePermitIsDue() throws InterruptedException {
        RateLimiter limiter = RateLimiter.tokenBucket(50, 1);   // system clock: 20 ms apart
        assertThat(limiter.tryAcquire()).isTrue();
        long before = System.nanoTime();
        assertThat(limiter.tryAcquire(1, Duration.ofSeconds(5))).isTrue();
        assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(15_000_000L);
        assertThat(limiter.stats().delayed()).isEqualTo(1);
    }

    @Test
    void interruptedWaitGivesItsPermitsBack() throws Exception {
        RateLimiter limiter = RateLimiter.tokenBucket(1, 1, clock);   // the fake clock never moves
        assertThat(limiter.tryAcquire()).isTrue();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                limiter.tryAcquire(1, Duration.ofSeconds(30));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        org.awaitility.Awaitility.await().until(() -> limiter.stats().waiting() == 1);
        waiter.get().interrupt();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        RateLimiterStats stats = limiter.stats();
        assertThat(stats.cancelled()).isEqualTo(1);
        assertThat(stats.waiting()).isZero();
        assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(SECOND);
    }

    @Test
    void interruptOnEntryThrowsWithoutTakingAnything() {
        RateLimiter limiter = RateLimiter.tokenBucket(1, 1, clock);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> limiter.tryAcquire(1, Duration.ofSeconds(1)))
                .isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void worksAcrossTheClockWrapping() {
        FakeClock nearWrap = new FakeClock(Long.MAX_VALUE - 50_000_000L);
        RateLimiter limiter = RateLimiter.tokenBucket(10, 1, nearWrap);
        assertThat(limiter.tryAcquire()).isTrue();
        nearWrap.advance(99_999_999L);   // wraps past Long.MAX_VALUE
        assertThat(limiter.tryAcquire()).isFalse();
        nearWrap.advance(1);
        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void badArgumentsAreNamedWithTheirValues() {
        assertThatThrownBy(() -> RateLimiter.tokenBucket(-1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permitsPerSecond must be > 0 but was -1.0");
        assertThatThrownBy(() -> RateLimiter.tokenBucket(Double.NaN, 1))
                .hasMessage("permitsPerSecond must be > 0 but was NaN");
        assertThatThrownBy(() -> RateLimiter.tokenBucket(2e9, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("permitsPerSecond must be <= 1.0E9")
                .hasMessageEndingWith("but was 2.0E9");
        assertThatThrownBy(() -> RateLimiter.tokenBucket(1e-12, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permitsPerSecond").hasMessageContaining("1.0E-12");
        assertThatThrownBy(() -> RateLimiter.tokenBucket(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("burst must be >= 1 but was 0");
        assertThatThrownBy(() -> RateLimiter.tokenBucket(1, 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("clock must not be null");

        RateLimiter limiter = RateLimiter.tokenBucket(1, 3, clock);
        assertThatThrownBy(() -> limiter.tryAcquire(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be in [1, burst] = [1, 3] but was 4");
        assertThatThrownBy(() -> limiter.tryAcquire(0))
                .hasMessage("permits must be in [1, burst] = [1, 3] but was 0");
        assertThatThrownBy(() -> limiter.reserve(-2))
                .hasMessage("permits must be in [1, burst] = [1, 3] but was -2");
        assertThatThrownBy(() -> limiter.nanosUntilAvailable(9))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.tryAcquire(1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("maxWait must not be null");
    }

    @Test
    void statsMinusGivesTheCountsOfAnInterval() {
        RateLimiter limiter = RateLimiter.tokenBucket(10, 2, clock);
        limiter.tryAcquire();
        RateLimiterStats before = limiter.stats();
        limiter.tryAcquire();
        limiter.tryAcquire();
        RateLimiterStats interval = limiter.stats().minus(before);
        assertThat(interval.granted()).isEqualTo(1);
        assertThat(interval.rejected()).isEqualTo(1);
        assertThat(interval.burst()).isEqualTo(2);
    }
}
