package dev.corral.limit;

import static dev.corral.Properties.doubleIn;
import static dev.corral.Properties.enumValue;
import static dev.corral.Properties.forAll;
import static dev.corral.Properties.intIn;
import static dev.corral.Properties.listOf;
import static dev.corral.Properties.longIn;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The AIMD limit under random interleavings of acquires and outcomes with random latencies. The
 * property runs a fixed number of seeded tries (see {@link dev.corral.Properties}); a failure
 * names the seed that reproduces it.
 */
class AdaptiveLimiterPropertyTest {

    enum Action { ACQUIRE, SUCCESS, DROP, IGNORE, CLOSE }

    record Step(Action action, long latencyMillis) {}

    static List<Step> steps(RandomGenerator r) {
        return listOf(r, 0, 400, g -> new Step(enumValue(g, Action.class), longIn(g, 0, 300)));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
    void limitStaysWithinItsBoundsAndPermitsWithinTheLimit() {
        forAll(200, 0xAD_0001_0000L, r -> limitStaysWithinItsBoundsAndPermitsWithinTheLimit(
                intIn(r, 1, 20), intIn(r, 0, 30), doubleIn(r, 0.5, 0.99), steps(r)));
    }

    private static void limitStaysWithinItsBoundsAndPermitsWithinTheLimit(
            int min, int span, double backoff, List<Step> steps) {
        int max = min + span;
        FakeClock clock = new FakeClock();
        AdaptiveLimiter limiter = AdaptiveLimiter.aimd().minLimit(min).maxLimit(max)
                .initialLimit(min + span / 2).backoffRatio(backoff).timeout(Duration.ofMillis(100))
                .ticker(clock).build();
        Deque<Permit> held = new ArrayDeque<>();
        for (Step step : steps) {
            clock.advance(Duration.ofMillis(step.latencyMillis()));
            if (step.action() == Action.ACQUIRE || held.isEmpty()) {
                int before = limiter.limit();
                var permit = limiter.tryAcquire();
                assertThat(permit.isPresent()).as("granted iff below the limit")
                        .isEqualTo(held.size() < before);
                permit.ifPresent(held::add);
            } else {
                Permit p = held.poll();
                switch (step.action()) {
                    case SUCCESS -> p.success();
                    case DROP -> p.dropped();
                    case IGNORE -> p.ignored();
                    default -> p.close();
                }
            }
            assertThat(limiter.limit()).isBetween(min, max);
            assertThat(limiter.stats().inUse()).isEqualTo(held.size());
        }
    }
}
