package dev.corral.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void eachWaitIsHalfTheDoubledCeilingPlusJitterCappedAtTheMax() {
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0);
        Backoff high = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.999_999);
        long[] ceilings = {100, 200, 400, 800, 1000, 1000};
        for (int attempt = 1; attempt <= ceilings.length; attempt++) {
            assertThat(low.delayMillis(attempt)).isEqualTo(ceilings[attempt - 1] / 2);
            assertThat(low.minDelayMillis(attempt)).isEqualTo(ceilings[attempt - 1] / 2);
            assertThat(high.delayMillis(attempt)).isBetween(ceilings[attempt - 1] - 1, ceilings[attempt - 1]);
        }
    }

    @Test
    void hugeAttemptNumbersDoNotOverflow() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);
        assertThat(b.delayMillis(1_000)).isBetween(150_000L, 300_000L);
        assertThat(b.delayMillis(63)).isBetween(150_000L, 300_000L);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0))
                .hasMessageContaining("base must be > 0");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0))
                .hasMessageContaining("max must be >= base");
    }
}
