package dev.corral.cli.limits;

import dev.corral.Overflow;
import dev.corral.Pool;
import dev.corral.limit.AdaptiveLimiter;
import dev.corral.limit.ConcurrencyLimiter;
import dev.corral.limit.RateLimiter;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The ways {@code corral limits} holds requests to a limit, each under the same load. In every
 * one a request waits at most {@link LimitsSettings#maxWait()} to be admitted, then is refused.
 */
public enum Strategy {

    /** A bulkhead: a semaphore of {@code limit} permits taken by the request's own thread. */
    SEMAPHORE("semaphore") {
        @Override
        public String describe(LimitsSettings s) {
            return "ConcurrencyLimiter.of(" + s.limit() + ").tryAcquire(" + maxWait(s) + ") on the request's virtual"
                    + " thread, the work under the permit";
        }

        @Override
        Gate start(LimitsSettings s) {
            return new PermitGate(ConcurrencyLimiter.of(s.limit()), s.maxWait(), s.limit());
        }
    },

    /** A rate limit that matches the concurrency limit in theory: limit / (cpu + io) per second. */
    TOKEN_BUCKET("token-bucket") {
        @Override
        public String describe(LimitsSettings s) {
            return "RateLimiter.tokenBucket(" + Limits.rate(s.tokenRate()) + ", burst " + s.burst() + ").tryAcquire(1, "
                    + maxWait(s) + ") on the request's virtual thread; how many run at once is not bounded";
        }

        @Override
        Gate start(LimitsSettings s) {
            return new RateGate(RateLimiter.tokenBucket(s.tokenRate(), s.burst()), s.maxWait(), s.tokenRate());
        }
    },

    /** A Corral pool of {@code limit} workers: the pool size is the limit, its queue the waiting room. */
    POOL_SIZE("pool-size") {
        @Override
        public String describe(LimitsSettings s) {
            return "Pool.builder().workers(" + s.limit() + ").queueCapacity(" + s.queue() + "), virtual threads;"
                    + " trySubmit(request, " + maxWait(s) + "), then wait for the result";
        }

        @Override
        Gate start(LimitsSettings s) {
            return PoolGate.sized(pool(s, cliName(), s.limit()).build(), s.maxWait(), s.limit());
        }
    },

    /** A pool with room to spare, held back by an AIMD limiter that follows the tasks' run time. */
    ADAPTIVE("adaptive") {
        @Override
        public String describe(LimitsSettings s) {
            return "Pool.builder().workers(" + s.adaptiveMax() + ").queueCapacity(" + s.queue()
                    + ").limiter(AdaptiveLimiter.aimd().initialLimit(" + s.adaptiveInitial() + ").maxLimit("
                    + s.adaptiveMax() + ").timeout(" + Limits.ms(s.adaptiveTimeout()) + ")), trySubmit as pool-size";
        }

        @Override
        Gate start(LimitsSettings s) {
            AdaptiveLimiter limiter = AdaptiveLimiter.aimd()
                    .initialLimit(s.adaptiveInitial())
                    .minLimit(1)
                    .maxLimit(s.adaptiveMax())
                    .timeout(s.adaptiveTimeout())
                    .build();
            return PoolGate.adaptive(pool(s, cliName(), s.adaptiveMax()).limiter(limiter).build(), s.maxWait(), limiter);
        }
    },

    /** A pool of {@code limit} workers whose tasks also start at most at the token rate. */
    POOL_RATE("pool+rate") {
        @Override
        public String describe(LimitsSettings s) {
            return "Pool.builder().workers(" + s.limit() + ").queueCapacity(" + s.queue() + ").startRate("
                    + "tokenBucket(" + Limits.rate(s.tokenRate()) + ", " + s.burst() + ")), trySubmit as pool-size";
        }

        @Override
        Gate start(LimitsSettings s) {
            Pool pool = pool(s, cliName(), s.limit()).startRate(RateLimiter.tokenBucket(s.tokenRate(), s.burst())).build();
            return PoolGate.rated(pool, s.maxWait(), s.limit(), s.tokenRate());
        }
    };

    private final String cliName;

    Strategy(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in the report: {@code semaphore}, {@code pool+rate}... */
    public String cliName() {
        return cliName;
    }

    /** One line saying how this strategy is set up under {@code s}. */
    public abstract String describe(LimitsSettings s);

    /** Builds this strategy's gate (and pool) for one run. */
    abstract Gate start(LimitsSettings s);

    /** The strategy named {@code name} (any case); the message of a failure lists the names. */
    public static Strategy parse(String name) {
        for (Strategy s : values()) {
            if (s.cliName.equalsIgnoreCase(name.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a strategy: expected one of " + names());
    }

    /** The command-line names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(Strategy::cliName).collect(Collectors.joining(", "));
    }

    /**
     * The pools' common settings. Virtual workers, so that the work runs on the same kind of thread
     * as in the strategies without a pool; REJECT, though {@code trySubmit} ignores it, so that
     * nothing in the pool itself could wait.
     */
    private static Pool.Builder pool(LimitsSettings s, String name, int workers) {
        return Pool.builder()
                .name("limits-" + name)
                .workers(workers)
                .queueCapacity(s.queue())
                .whenFull(Overflow.REJECT)
                .virtualThreads();
    }

    private static String maxWait(LimitsSettings s) {
        return Limits.ms(s.maxWait());
    }
}
