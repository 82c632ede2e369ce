package dev.corral.redis.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": the n-th wait is half of {@code min(max, base * 2^(n-1))}
 * plus a random part of up to the other half. The fixed half guarantees the wait grows; the random
 * half spreads retries of many failures that happened together. Not API.
 */
public final class Backoff {

    private final long baseMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    /**
     * @param random uniform in [0, 1): injected so tests can pin it
     */
    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        if (base.isNegative() || base.isZero()) throw new IllegalArgumentException("backoff base must be > 0 but was " + base);
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff max must be >= base (" + base + ") but was " + max);
        }
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The wait before attempt {@code failedAttempt + 1}, in milliseconds. */
    public long delayMillis(int failedAttempt) {
        int shift = Math.min(Math.max(failedAttempt - 1, 0), 40);
        long ceiling = baseMillis << shift;
        if (ceiling <= 0 || ceiling > maxMillis || (baseMillis << shift) >>> shift != baseMillis) ceiling = maxMillis;
        long half = ceiling / 2;
        return half + (long) (random.getAsDouble() * (ceiling - half));
    }

    /** The smallest wait {@link #delayMillis} can return for this attempt. */
    public long minDelayMillis(int failedAttempt) {
        int shift = Math.min(Math.max(failedAttempt - 1, 0), 40);
        long ceiling = baseMillis << shift;
        if (ceiling <= 0 || ceiling > maxMillis || (baseMillis << shift) >>> shift != baseMillis) ceiling = maxMillis;
        return ceiling / 2;
    }
}
