package dev.corral.micrometer;

import dev.corral.limit.RateLimiter;
import dev.corral.limit.RateLimiterStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link RateLimiter} to a Micrometer registry, from its {@link RateLimiter#stats()}
 * snapshot (tag {@code name}, plus the extra tags):
 * gauges {@code corral.rate.limiter.rate} (permits a second), {@code corral.rate.limiter.burst},
 * {@code corral.rate.limiter.available} (permits grantable now), {@code corral.rate.limiter.waiting}
 * (threads); function counters, permits: {@code corral.rate.limiter.granted},
 * {@code corral.rate.limiter.rejected}, {@code corral.rate.limiter.delayed},
 * {@code corral.rate.limiter.cancelled}. See {@link RateLimiterStats} for when each moves.
 */
public final class RateLimiterMetrics implements MeterBinder {

    private final RateLimiter limiter;
    private final Tags tags;

    /** Meters for {@code limiter}, tagged {@code name}. */
    public RateLimiterMetrics(RateLimiter limiter, String name) {
        this(limiter, name, Tags.empty());
    }

    /**
     * Meters for {@code limiter}, tagged {@code name} and {@code tags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public RateLimiterMetrics(RateLimiter limiter, String name, Iterable<Tag> tags) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags"), "name", Objects.requireNonNull(name, "name"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        gauge(registry, "corral.rate.limiter.rate", RateLimiterStats::permitsPerSecond, "The permits a second the limiter grants", null);
        gauge(registry, "corral.rate.limiter.burst", s -> s.burst(), "The most permits that can be saved up", "permits");
        gauge(registry, "corral.rate.limiter.available", s -> s.availablePermits(), "Permits that could be granted now", "permits");
        gauge(registry, "corral.rate.limiter.waiting", s -> s.waiting(), "Threads waiting for their permits to be due", BaseUnits.THREADS);
        counter(registry, "corral.rate.limiter.granted", RateLimiterStats::granted, "Permits granted");
        counter(registry, "corral.rate.limiter.rejected", RateLimiterStats::rejected, "Permits refused");
        counter(registry, "corral.rate.limiter.delayed", RateLimiterStats::delayed, "Granted permits the caller had to wait for");
        counter(registry, "corral.rate.limiter.cancelled", RateLimiterStats::cancelled, "Reserved permits given back");
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<RateLimiterStats> f, String description, String unit) {
        Gauge.Builder<RateLimiter> b = Gauge.builder(name, limiter, l -> f.applyAsDouble(l.stats())).tags(tags).description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<RateLimiterStats> f, String description) {
        FunctionCounter.builder(name, limiter, l -> f.applyAsDouble(l.stats())).tags(tags).description(description)
                .baseUnit("permits").register(registry);
    }
}
