package dev.corral.cli.limits;

import dev.corral.limit.Limiter;
import dev.corral.limit.Permit;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The bulkhead: the request's own thread waits up to {@code maxWait} for a permit of a
 * {@link Limiter}, runs the request under it and releases it. Nothing queues except the waiting
 * threads themselves.
 */
final class PermitGate implements Gate {

    private final Limiter limiter;
    private final Duration maxWait;
    private final String limit;

    PermitGate(Limiter limiter, Duration maxWait, int limit) {
        this.limiter = limiter;
        this.maxWait = maxWait;
        this.limit = Limits.count(limit);
    }

    @Override
    public long call(Callable<Long> request) throws Exception {
        Optional<Permit> maybe = limiter.tryAcquire(maxWait);
        if (maybe.isEmpty()) {
            throw Refused.INSTANCE;
        }
        try (Permit permit = maybe.get()) {
            long result = request.call();
            permit.success();
            return result;
        }
    }

    @Override
    public String limit() {
        return limit;
    }
}
