package dev.corral.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AdaptiveLimiterTest {

    private static final Duration FAST = Duration.ofMillis(5);
    private static final Duration SLOW = Duration.ofMillis(500);

    private final FakeClock clock = new FakeClock();

    private AdaptiveLimiter limiter(int initial, int min, int max) {
        return AdaptiveLimiter.aimd().initialLimit(initial).minLimit(min).maxLimit(max)
                .timeout(Duration.ofMillis(100)).ticker(clock).build();
    }

    /** Fills the limit, lets {@code latency} pass on the clock, reports every call as a success. */
    private void saturatedRound(AdaptiveLimiter limiter, Duration latency) {
        List<Permit> permits = new ArrayList<>();
        limiter.tryAcquire().ifPresent(permits::add);
        while (permits.size() < limiter.limit()) {
            permits.add(limiter.tryAcquire().orElseThrow());
        }
        assertThat(limiter.tryAcquire()).as("rejects at the limit").isEmpty();
        clock.advance(latency);
        permits.forEach(Permit::success);
    }

    @Test
    void limitFallsWhenLatencyRisesAndRisesWhenItRecovers() {
        AdaptiveLimiter limiter = limiter(10, 2, 40);

        for (int i = 0; i < 3; i++) {
            saturatedRound(limiter, FAST);
        }
        int afterFast = limiter.limit();
        assertThat(afterFast).as("grows while fast and busy").isGreaterThan(10);

        for (int i = 0; i < 3; i++) {
            saturatedRound(limiter, SLOW);
        }
        int afterSlow = limiter.limit();
        assertThat(afterSlow).as("falls when slow").isLessThan(afterFast);
        for (int i = 0; i < 20; i++) {
            saturatedRound(limiter, SLOW);
        }
        assertThat(limiter.limit()).as("but not below its minimum").isEqualTo(2);

        for (int i = 0; i < 30; i++) {
            saturatedRound(limiter, FAST);
        }
        assertThat(limiter.limit()).as("recovers").isGreaterThan(afterSlow);
        for (int i = 0; i < 30; i++) {
            saturatedRound(limiter, FAST);
        }
        assertThat(limiter.limit()).as("but not above its maximum").isEqualTo(40);

        AdaptiveLimiter.Stats stats = limiter.adaptiveStats();
        assertThat(stats.increases()).isPositive();
        assertThat(stats.decreases()).isPositive();
        assertThat(stats.limiter().dropped()).as("slow successes count as drops").isPositive();
        assertThat(stats.limiter().inUse()).isZero();
    }

    @Test
    void oneSlowSampleBacksOffByTheRatioRoundedDown() {
        AdaptiveLimiter limiter = limiter(20, 1, 100);
        Permit p = limiter.tryAcquire().orElseThrow();
        clock.advance(Duration.ofMillis(100).plusNanos(1));
        p.success();
        assertThat(limiter.limit()).isEqualTo(18);
        limiter.tryAcquire().orElseThrow().dropped();
        assertThat(limiter.limit()).isEqualTo(16);   // (int) (18 * 0.9) = 16
        Permit atThreshold = limiter.tryAcquire().orElseThrow();
        clock.advance(Duration.ofMillis(100));
        atThreshold.success();
        assertThat(limiter.limit()).as("exactly the timeout is not slow").isEqualTo(16);
    }

    @Test
    void aLightlyUsedLimitDoesNotGrow() {
        AdaptiveLimiter limiter = limiter(10, 1, 100);
        for (int i = 0; i < 50; i++) {
            Permit p = limiter.tryAcquire().orElseThrow();   // one in flight out of ten
            clock.advance(FAST);
            p.success();
        }
        assertThat(limiter.limit()).isEqualTo(10);
        assertThat(limiter.adaptiveStats().successes()).isEqualTo(50);
    }

    @Test
    void ignoredOutcomesAndBareClosesTeachNothing() {
        AdaptiveLimiter limiter = limiter(4, 1, 100);
        for (int i = 0; i < 20; i++) {
            List<Permit> permits = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                permits.add(limiter.tryAcquire().orElseThrow());
            }
            clock.advance(SLOW);
            permits.get(0).ignored();
            permits.get(1).close();
            permits.get(2).ignored();
            permits.get(3).close();
        }
        assertThat(limiter.limit()).isEqualTo(4);
        assertThat(limiter.adaptiveStats().ignored()).isEqualTo(80);
    }

    @Test
    void growthWakesAWaiter() throws Exception {
        AdaptiveLimiter limiter = limiter(2, 1, 10);
        Permit a = limiter.tryAcquire().orElseThrow();
        Permit b = limiter.tryAcquire().orElseThrow();
        AtomicInteger listened = new AtomicInteger();
        limiter.addCapacityListener(listened::incrementAndGet);
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            Future<Permit> waiter = threads.submit(limiter::acquire);
            await().until(() -> limiter.stats().waiting() == 1);
            clock.advance(FAST);
            a.success();   // 2 of 2 were in flight and it was fast: the limit becomes 3
            assertThat(limiter.limit()).isEqualTo(3);
            Permit c = waiter.get(5, TimeUnit.SECONDS);
            assertThat(listened.get()).isEqualTo(2);   // the rise, then the release
            b.close();
            c.close();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        AdaptiveLimiter limiter = AdaptiveLimiter.aimd().build();
        assertThat(limiter.limit()).isEqualTo(20);
        assertThat(limiter.minLimit()).isEqualTo(1);
        assertThat(limiter.maxLimit()).isEqualTo(200);
    }

    @Test
    void badArgumentsAreNamedWithTheirValues() {
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().initialLimit(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialLimit must be >= 1 but was 0");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().minLimit(-1))
                .hasMessage("minLimit must be >= 1 but was -1");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().maxLimit(0))
                .hasMessage("maxLimit must be >= 1 but was 0");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().backoffRatio(1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backoffRatio must be in [0.5, 1) but was 1.0");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().backoffRatio(Double.NaN))
                .hasMessage("backoffRatio must be in [0.5, 1) but was NaN");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be > 0 but was PT0S");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().timeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout must not be null");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().minLimit(10).maxLimit(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minLimit must be <= maxLimit (5) but was 10");
        assertThatThrownBy(() -> AdaptiveLimiter.aimd().initialLimit(300).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialLimit must be in [minLimit, maxLimit] = [1, 200] but was 300");
    }
}
