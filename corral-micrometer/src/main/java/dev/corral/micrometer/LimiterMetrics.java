package dev.corral.micrometer;

import dev.corral.limit.AdaptiveLimiter;
import dev.corral.limit.Limiter;
import dev.corral.limit.LimiterStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a concurrency {@link Limiter} ({@code ConcurrencyLimiter}, {@code AdaptiveLimiter}, or any
 * other implementation) to a Micrometer registry, from its {@link Limiter#stats()} snapshot.
 *
 * <pre>{@code
 * new LimiterMetrics(limiter, "db").bindTo(registry);
 * }</pre>
 *
 * <h2>Meters (tags {@code name}, {@code kind} = the limiter's class, plus the extra tags)</h2>
 * <ul>
 *   <li>gauges: {@code corral.limiter.limit} (the limit now, permits; for an adaptive limiter the
 *       value it has learned), {@code corral.limiter.in.use} (permits held), {@code corral.limiter.waiting}
 *       (threads waiting for a permit), {@code corral.limiter.permit.oldest.age} (seconds the
 *       longest-held permit has been held; only when the limiter tracks permit ages)</li>
 *   <li>function counters, permits: {@code corral.limiter.granted}, {@code corral.limiter.rejected},
 *       {@code corral.limiter.interrupted}, {@code corral.limiter.released}, {@code corral.limiter.dropped}</li>
 *   <li>an {@link AdaptiveLimiter} adds gauges {@code corral.limiter.limit.min} and
 *       {@code corral.limiter.limit.max}, and counters {@code corral.limiter.limit.increases},
 *       {@code corral.limiter.limit.decreases} and {@code corral.limiter.successes}</li>
 * </ul>
 * Each value is read from a fresh snapshot when the registry asks; nothing is added to the
 * limiter's own hot path. See {@link LimiterStats} for exactly when each counter moves.
 */
public final class LimiterMetrics implements MeterBinder {

    private final Limiter limiter;
    private final Tags tags;

    /** Meters for {@code limiter}, tagged {@code name}. */
    public LimiterMetrics(Limiter limiter, String name) {
        this(limiter, name, Tags.empty());
    }

    /**
     * Meters for {@code limiter}, tagged {@code name} and {@code tags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public LimiterMetrics(Limiter limiter, String name, Iterable<Tag> tags) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(name, "name");
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags"), "name", name, "kind", kindOf(limiter));
    }

    private static String kindOf(Limiter limiter) {
        String s = limiter.getClass().getSimpleName();
        return switch (s) {
            case "ConcurrencyLimiter" -> "concurrency";
            case "AdaptiveLimiter" -> "adaptive";
            default -> s.isEmpty() ? "limiter" : s;
        };
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        gauge(registry, "corral.limiter.limit", s -> s.limit(), "The most permits that may be held at once now", "permits");
        gauge(registry, "corral.limiter.in.use", s -> s.inUse(), "Permits held now", "permits");
        gauge(registry, "corral.limiter.waiting", s -> s.waiting(), "Threads waiting for a permit", BaseUnits.THREADS);
        if (limiter.stats().oldestPermitAgeNanos() >= 0) {
            TimeGauge.builder("corral.limiter.permit.oldest.age", limiter, TimeUnit.NANOSECONDS,
                            l -> l.stats().oldestPermitAgeNanos())
                    .tags(tags).description("How long the longest-held permit has been held")
                    .register(registry);
        }
        counter(registry, "corral.limiter.granted", LimiterStats::granted, "Permits handed out");
        counter(registry, "corral.limiter.rejected", LimiterStats::rejected, "Acquire calls that got no permit");
        counter(registry, "corral.limiter.interrupted", LimiterStats::interrupted, "Waits for a permit ended by an interrupt");
        counter(registry, "corral.limiter.released", LimiterStats::released, "Permits released");
        counter(registry, "corral.limiter.dropped", LimiterStats::dropped, "Releases that reported a drop (overload)");
        if (limiter instanceof AdaptiveLimiter adaptive) {
            Gauge.builder("corral.limiter.limit.min", adaptive, AdaptiveLimiter::minLimit).tags(tags)
                    .description("The lowest the adaptive limit may fall to").baseUnit("permits").register(registry);
            Gauge.builder("corral.limiter.limit.max", adaptive, AdaptiveLimiter::maxLimit).tags(tags)
                    .description("The highest the adaptive limit may rise to").baseUnit("permits").register(registry);
            FunctionCounter.builder("corral.limiter.limit.increases", adaptive, a -> a.adaptiveStats().increases())
                    .tags(tags).description("Samples that raised the adaptive limit").register(registry);
            FunctionCounter.builder("corral.limiter.limit.decreases", adaptive, a -> a.adaptiveStats().decreases())
                    .tags(tags).description("Samples that lowered the adaptive limit").register(registry);
            FunctionCounter.builder("corral.limiter.successes", adaptive, a -> a.adaptiveStats().successes())
                    .tags(tags).description("Releases that reported success within the timeout").register(registry);
        }
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<LimiterStats> f, String description, String unit) {
        Gauge.builder(name, limiter, l -> f.applyAsDouble(l.stats())).tags(tags).description(description).baseUnit(unit)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<LimiterStats> f, String description) {
        FunctionCounter.builder(name, limiter, l -> f.applyAsDouble(l.stats())).tags(tags).description(description)
                .baseUnit("permits").register(registry);
    }
}
