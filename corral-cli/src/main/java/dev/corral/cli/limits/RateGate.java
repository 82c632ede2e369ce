package dev.corral.cli.limits;

import dev.corral.limit.RateLimiter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The token bucket: the request's own thread takes a token, waiting for it if it is due within
 * {@code maxWait} (otherwise the request is refused at once), then runs the request. It bounds how
 * often requests start, not how many run: when requests slow down, more of them run at once.
 */
final class RateGate implements Gate {

    private final RateLimiter bucket;
    private final Duration maxWait;
    private final String limit;

    RateGate(RateLimiter bucket, Duration maxWait, double permitsPerSecond) {
        this.bucket = bucket;
        this.maxWait = maxWait;
        this.limit = Limits.rate(permitsPerSecond);
    }

    @Override
    public long call(Callable<Long> request) throws Exception {
        if (!bucket.tryAcquire(1, maxWait)) {
            throw Refused.INSTANCE;
        }
        return request.call();
    }

    @Override
    public String limit() {
        return limit;
    }
}
