package dev.corral.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** The AIMD limit under random interleavings of acquires and outcomes with random latencies. */
class AdaptiveLimiterPropertyTest {

    enum Action { ACQUIRE, SUCCESS, DROP, IGNORE, CLOSE }

    record Step(Action action, long latencyMillis) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.of(Action.class), Arbitraries.longs().between(0, 300))
                .as(Step::new).list().ofMaxSize(400);
    }

    @Property(tries = 200)
    void limitStaysWithinItsBoundsAndPermitsWithinTheLimit(
            @ForAll @IntRange(min = 1, max = 20) int min,
            @ForAll @IntRange(min = 0, max = 30) int span,
            @ForAll @DoubleRange(min = 0.5, max = 0.99) double backoff,
            @ForAll("steps") List<Step> steps) {
        int max = min + span;
        FakeClock clock = new FakeClock();
        AdaptiveLimiter limiter = AdaptiveLimiter.aimd().minLimit(min).maxLimit(max)
                .initialLimit(min + span / 2).backoffRatio(backoff).timeout(Duration.ofMillis(100))
                .clock(clock).build();
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
