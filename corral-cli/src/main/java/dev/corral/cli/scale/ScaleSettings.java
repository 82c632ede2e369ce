package dev.corral.cli.scale;

import dev.corral.Pool;
import dev.corral.ScalingEvent;
import dev.corral.ScalingPolicy;
import dev.corral.UtilizationPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything a {@code corral scale} run needs, checked and with defaults filled in: the load (in
 * workers' worth: a rate times the service time), the pool's bounds and its scaling policy, and how
 * long and how finely to watch.
 *
 * @param duration        how long each load shape runs
 * @param minWorkers      the elastic pool's minimum (and the small fixed pool's size)
 * @param maxWorkers      the elastic pool's maximum (and the large fixed pool's size)
 * @param trough          the lowest load, in workers' worth: arrivals a second times the nominal
 *                        service time ({@code cpu + io}), i.e. how many workers it keeps busy
 * @param peak            the highest load, in workers' worth (also the burst's load)
 * @param cpu             CPU work per task, calibrated
 * @param io              blocking wait per task after its CPU work
 * @param queueCapacity   queue slots of every pool; a task that finds the queue full is refused
 * @param high            the busy fraction at or above which the policy adds workers
 * @param highFor         how long it must stay there first
 * @param low             the busy fraction below which the policy removes workers
 * @param lowFor          how long it must stay there first
 * @param stepUp          workers added at a time
 * @param stepDown        workers removed at a time
 * @param cooldown        the pause after each change
 * @param keepAlive       how long a worker above the minimum may stay idle before it leaves
 * @param scalingInterval how often the pool asks its policy
 * @param sampleEvery     how often the run reads the pool's gauges for the chart
 * @param burstLength     the whole burst comparison timeline per pool: idle 3, burst 5, idle 5
 *                        parts of it
 */
public record ScaleSettings(
        Duration duration,
        int minWorkers,
        int maxWorkers,
        double trough,
        double peak,
        Duration cpu,
        Duration io,
        int queueCapacity,
        double high,
        Duration highFor,
        double low,
        Duration lowFor,
        int stepUp,
        int stepDown,
        Duration cooldown,
        Duration keepAlive,
        Duration scalingInterval,
        Duration sampleEvery,
        Duration burstLength) {

    /** The burst timeline's parts: idle, burst, idle, in thirteenths of {@link #burstLength}. */
    static final int BURST_IDLE_BEFORE = 3;
    static final int BURST_ON = 5;
    static final int BURST_IDLE_AFTER = 5;
    private static final int BURST_PARTS = BURST_IDLE_BEFORE + BURST_ON + BURST_IDLE_AFTER;

    public ScaleSettings {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(highFor, "highFor");
        Objects.requireNonNull(lowFor, "lowFor");
        Objects.requireNonNull(cooldown, "cooldown");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(scalingInterval, "scalingInterval");
        Objects.requireNonNull(sampleEvery, "sampleEvery");
        Objects.requireNonNull(burstLength, "burstLength");
        if (cpu.plus(io).isZero() || cpu.isNegative() || io.isNegative()) {
            throw new IllegalArgumentException("cpu + io must be more than zero, got " + cpu + " + " + io);
        }
        if (!(trough >= 0 && trough <= peak && peak > 0)) {
            throw new IllegalArgumentException("need 0 <= trough <= peak and peak > 0, got " + trough + " and " + peak);
        }
        if (minWorkers > maxWorkers) {
            throw new IllegalArgumentException("minWorkers (" + minWorkers + ") must be <= maxWorkers (" + maxWorkers + ")");
        }
        policy(high, highFor, low, lowFor, stepUp, stepDown, cooldown); // its own checks, at the front door
    }

    /**
     * The timings that scale with the run: at the default 20 s a shape, the policy waits 500 ms of
     * busy samples before adding workers, 1 s of idle ones before removing them, cools down 500 ms,
     * is asked every 200 ms, idle workers leave after 2 s and the chart gets a point every 100 ms.
     * A shorter run gets proportionally shorter timings, so that it still shows the pool move.
     */
    public record Timings(Duration highFor, Duration lowFor, Duration cooldown, Duration keepAlive,
                          Duration scalingInterval, Duration sampleEvery) {

        public static Timings scaledTo(Duration duration) {
            long d = duration.toNanos();
            return new Timings(Duration.ofNanos(d / 40), Duration.ofNanos(d / 20), Duration.ofNanos(d / 40),
                    atLeast(Duration.ofNanos(d / 10), Duration.ofMillis(1)),
                    clamp(Duration.ofNanos(d / 100), Duration.ofMillis(5), Duration.ofMillis(250)),
                    clamp(Duration.ofNanos(d / 200), Duration.ofMillis(5), Duration.ofMillis(100)));
        }

        private static Duration clamp(Duration d, Duration lo, Duration hi) {
            return d.compareTo(lo) < 0 ? lo : d.compareTo(hi) > 0 ? hi : d;
        }

        private static Duration atLeast(Duration d, Duration lo) {
            return d.compareTo(lo) < 0 ? lo : d;
        }
    }

    /** The nominal time one task takes on an idle machine: {@code cpu + io}. */
    public double serviceSeconds() {
        return cpu.plus(io).toNanos() / 1e9;
    }

    /** Arrivals a second that keep {@code workers} workers busy. */
    public double rateFor(double workers) {
        return workers / serviceSeconds();
    }

    /** Arrivals a second at a shape's {@code level} (0 trough, 1 peak). */
    public double rateAt(double level) {
        return rateFor(trough + level * (peak - trough));
    }

    /** How long the burst part of the burst timeline lasts, and what precedes and follows it. */
    public Duration burstIdleBefore() {
        return burstLength.multipliedBy(BURST_IDLE_BEFORE).dividedBy(BURST_PARTS);
    }

    public Duration burstOn() {
        return burstLength.multipliedBy(BURST_ON).dividedBy(BURST_PARTS);
    }

    /** The scaling policy every elastic pool of the run gets (each pool makes its own copy). */
    public UtilizationPolicy policy() {
        return policy(high, highFor, low, lowFor, stepUp, stepDown, cooldown);
    }

    private static UtilizationPolicy policy(double high, Duration highFor, double low, Duration lowFor,
                                            int stepUp, int stepDown, Duration cooldown) {
        return ScalingPolicy.utilization(high, highFor, low, lowFor).stepUp(stepUp).stepDown(stepDown).cooldown(cooldown);
    }

    /** A new elastic pool: min..max workers moved by {@link #policy()}, reporting every change to {@code onScale}. */
    public Pool elasticPool(String name, Consumer<? super ScalingEvent> onScale) {
        return Pool.builder().name(name)
                .minWorkers(minWorkers).maxWorkers(maxWorkers).keepAlive(keepAlive)
                .queueCapacity(queueCapacity)
                .scaling(policy()).scalingInterval(scalingInterval)
                .onScale(onScale)
                .build();
    }

    /**
     * The elastic pool without a policy: workers start on demand up to the maximum (grow before
     * queueing) and leave after keepAlive idle, down to the minimum.
     */
    public Pool onDemandPool(String name) {
        return Pool.builder().name(name)
                .minWorkers(minWorkers).maxWorkers(maxWorkers).keepAlive(keepAlive)
                .queueCapacity(queueCapacity)
                .build();
    }

    /** A new pool of exactly {@code workers} workers, started on demand and never retired. */
    public Pool fixedPool(String name, int workers) {
        return Pool.builder().name(name).workers(workers).queueCapacity(queueCapacity).build();
    }

    /** The elastic pool's settings as builder calls, for reports. */
    public String describeElastic() {
        return "minWorkers(" + minWorkers + ").maxWorkers(" + maxWorkers + ").keepAlive(" + human(keepAlive)
                + ").queueCapacity(" + queueCapacity + ").scalingInterval(" + human(scalingInterval) + ").scaling("
                + policy() + ")";
    }

    /** 500ms, 2s, 1.5s: the short form the command line takes. */
    static String human(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }
}
