package dev.corral.limit;

import static dev.corral.Properties.doubleIn;
import static dev.corral.Properties.forAll;
import static dev.corral.Properties.intIn;
import static dev.corral.Properties.listOf;
import static dev.corral.Properties.longIn;
import static dev.corral.Properties.oneOf;
import static dev.corral.Properties.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The token bucket against its contract, on random schedules of requests at random fake-clock
 * times. Every bound is checked in exact arithmetic (BigDecimal of the very double that was
 * configured), so no rounding slack is granted to the implementation. Each property runs a fixed
 * number of seeded tries (see {@link dev.corral.Properties}); a failure names the seed that
 * reproduces it.
 */
class TokenBucketPropertyTest {

    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    enum Kind { TRY, RESERVE, CANCEL_LAST }

    /** One step: move the clock by {@code advance} ns, then make one request. */
    record Step(long advance, Kind kind, int permits) {}

    /** Awkward rates (no whole-nanosecond interval) as well as round ones, from 0.1/s to 1e9/s. */
    static double rate(RandomGenerator r) {
        if (r.nextBoolean()) {
            return oneOf(r, 0.5, 1.0, 3.0, 7.7, 1000.0 / 3, 1e6, 123_456.789, 3e8, 1e9);
        }
        return doubleIn(r, 0.1, 1e6);
    }

    static int burst(RandomGenerator r) {
        return intIn(r, 1, 10);
    }

    static Step step(RandomGenerator r) {
        long advance = switch (weighted(r, 4, 4, 4, 1)) {
            case 0 -> 0L;                                   // simultaneous
            case 1 -> longIn(r, 1, 2_000);                  // nanosecond jitter
            case 2 -> longIn(r, 1, 400_000_000L);           // sub-interval
            default -> longIn(r, 1, 5_000_000_000L);        // idle
        };
        Kind kind = switch (weighted(r, 6, 3, 1)) {
            case 0 -> Kind.TRY;
            case 1 -> Kind.RESERVE;
            default -> Kind.CANCEL_LAST;
        };
        return new Step(advance, kind, intIn(r, 1, 10));
    }

    static List<Step> schedule(RandomGenerator r) {
        return listOf(r, 1, 200, TokenBucketPropertyTest::step);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void neverGrantsMoreThanRateTimesWindowPlusBurst() {
        forAll(300, 0x7B_0001_0000L, r -> neverGrantsMoreThanRateTimesWindowPlusBurst(rate(r), burst(r), schedule(r)));
    }

    private static void neverGrantsMoreThanRateTimesWindowPlusBurst(double rate, int burst, List<Step> schedule) {
        FakeClock clock = new FakeClock();
        long origin = clock.nanoTime();
        RateLimiter limiter = RateLimiter.tokenBucket(rate, burst, clock);

        record Grant(long due, int permits, RateLimiter.Reservation reservation) {}
        List<Grant> grants = new ArrayList<>();
        Grant lastReserved = null;
        for (Step step : schedule) {
            clock.advance(step.advance());
            long now = clock.nanoTime() - origin;
            int permits = Math.min(step.permits(), burst);
            switch (step.kind()) {
                case TRY -> {
                    if (limiter.tryAcquire(permits)) {
                        grants.add(new Grant(now, permits, null));
                    }
                }
                case RESERVE -> {
                    RateLimiter.Reservation r = limiter.reserve(permits);
                    lastReserved = new Grant(now + r.delayNanos(), permits, r);
                    grants.add(lastReserved);
                }
                case CANCEL_LAST -> {
                    if (lastReserved != null && lastReserved.reservation().cancel()) {
                        grants.remove(lastReserved);
                        lastReserved = null;
                    }
                }
            }
        }

        grants.sort(Comparator.comparingLong(Grant::due));
        BigDecimal exactRate = new BigDecimal(rate);
        int n = grants.size();
        long[] prefix = new long[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + grants.get(i).permits();
        }
        // Every window [due_i, due_j], with all grants due at those instants included.
        for (int i = 0; i < n; i++) {
            if (i > 0 && grants.get(i - 1).due() == grants.get(i).due()) {
                continue;
            }
            for (int j = i; j < n; j++) {
                if (j + 1 < n && grants.get(j + 1).due() == grants.get(j).due()) {
                    continue;
                }
                long count = prefix[j + 1] - prefix[i];
                long window = grants.get(j).due() - grants.get(i).due();
                // count <= rate * window / 1e9 + burst  <=>  (count - burst) * 1e9 <= rate * window
                long excess = (count - burst) * 1_000_000_000L;
                if (excess <= 0 || excess < 0.999 * rate * window) {
                    continue;   // clearly within the bound; only close calls need exact arithmetic
                }
                assertThat(BigDecimal.valueOf(excess))
                        .as("permits due in a window of %d ns at rate %s, burst %d: %d", window, rate,
                                burst, count)
                        .isLessThanOrEqualTo(exactRate.multiply(BigDecimal.valueOf(window)));
            }
        }
    }

    /**
     * Decisions and delays agree step by step with a plain token bucket holding "credit" in
     * nanoseconds (refilled by elapsed time, capped at the burst, debited per permit): the
     * single-number GCRA state grants exactly what a textbook bucket would, never less.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void agreesWithATextbookTokenBucket() {
        forAll(300, 0x7B_0002_0000L, r -> agreesWithATextbookTokenBucket(rate(r), burst(r), schedule(r)));
    }

    private static void agreesWithATextbookTokenBucket(double rate, int burst, List<Step> schedule) {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.tokenBucket(rate, burst, clock);

        long interval = limiter.stats().nanosPerPermit();
        assertThat(BigDecimal.valueOf(interval)).isEqualTo(
                NANOS_PER_SECOND.divide(new BigDecimal(rate), 0, RoundingMode.CEILING));

        long capacity = interval * burst;
        long credit = capacity;           // may go negative while reservations are outstanding
        long lastRefill = 0;
        long now = 0;
        record Pending(RateLimiter.Reservation r, long creditBefore, long at, long due) {}
        Pending last = null;              // the last commit, if it was a reservation
        for (Step step : schedule) {
            clock.advance(step.advance());
            now += step.advance();
            credit = Math.min(capacity, credit + (now - lastRefill));
            lastRefill = now;
            int permits = Math.min(step.permits(), burst);
            long cost = permits * interval;

            assertThat(limiter.nanosUntilAvailable(permits)).isEqualTo(Math.max(0, cost - credit));
            switch (step.kind()) {
                case TRY -> {
                    boolean expected = credit >= cost;
                    assertThat(limiter.tryAcquire(permits)).isEqualTo(expected);
                    if (expected) {
                        credit -= cost;
                        last = null;
                    }
                }
                case RESERVE -> {
                    long before = credit;
                    credit -= cost;
                    RateLimiter.Reservation r = limiter.reserve(permits);
                    assertThat(r.delayNanos()).isEqualTo(Math.max(0, -credit));
                    last = new Pending(r, before, now, now + r.delayNanos());
                }
                case CANCEL_LAST -> {
                    if (last != null) {
                        boolean expected = now < last.due();
                        assertThat(last.r().cancel()).isEqualTo(expected);
                        if (expected) {
                            credit = Math.min(capacity, last.creditBefore() + (now - last.at()));
                        }
                        last = null;
                    }
                }
            }
            long expectedAvailable = Math.max(0, credit) / interval;
            assertThat(limiter.stats().availablePermits()).isEqualTo(expectedAvailable);
        }
    }
}
