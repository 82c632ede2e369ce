package dev.corral.spring.boot;

import dev.corral.Pool;
import dev.corral.ScalingPolicy;
import dev.corral.spring.boot.CorralProperties.PoolProperties;
import dev.corral.spring.boot.CorralProperties.QueueDepth;
import dev.corral.spring.boot.CorralProperties.Scaling;
import dev.corral.spring.boot.CorralProperties.Utilization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one {@code corral.pools.<name>} entry into a {@link Pool.Builder}, after checking every
 * setting. The checks repeat the builder's own, but name the property as the user wrote it
 * ({@code corral.pools.api.workers must be >= 1, was 0}) and report every problem of every pool at
 * once instead of the first one only; the builder stays the final judge of combinations (its
 * message is then prefixed with the pool's property path).
 */
final class PoolSettings {

    private final String prefix;
    private final PoolProperties p;
    private final List<String> problems = new ArrayList<>();

    private PoolSettings(String name, PoolProperties p) {
        this.prefix = "corral.pools." + name + ".";
        this.p = p;
    }

    /** Every problem of this pool's settings, each naming its property and value; empty if none. */
    static List<String> check(String name, PoolProperties p) {
        PoolSettings s = new PoolSettings(name, p);
        s.checkAll();
        return s.problems;
    }

    /**
     * A builder with these settings (already {@link #check checked}); {@code name} becomes the
     * pool's name (thread names, stats).
     */
    static Pool.Builder builder(String name, PoolProperties p) {
        Pool.Builder b = Pool.builder().name(name);
        if (p.getWorkers() != null) {
            b.workers(p.getWorkers());
        }
        if (p.getMinWorkers() != null) {
            b.minWorkers(p.getMinWorkers());
        }
        if (p.getMaxWorkers() != null) {
            b.maxWorkers(p.getMaxWorkers());
        }
        if (p.getKeepAlive() != null) {
            b.keepAlive(p.getKeepAlive());
        }
        if (p.getPrestart() != null) {
            b.prestart(p.getPrestart());
        }
        if (p.isQueueFirst()) {
            b.queueFirst();
        }
        if (p.getWhenFull() != null) {
            b.whenFull(p.getWhenFull()); // before queueStripes: the default striping reads it
        }
        if (p.isUnboundedQueue()) {
            b.unboundedQueue();
        } else if (p.isResizableQueue()) {
            b.resizableQueue(p.getQueueCapacity() != null ? p.getQueueCapacity() : 1024);
        } else if (p.getQueueCapacity() != null) {
            b.queueCapacity(p.getQueueCapacity());
        }
        if (p.getQueueStripes() != null) {
            b.queueStripes(p.getQueueStripes());
        }
        if (p.isVirtualThreads()) {
            b.virtualThreads();
        }
        if (p.isPriorityQueue()) {
            if (p.getPriorityAgingStep() != null) {
                b.priorityQueue(p.getPriorityAgingStep());
            } else {
                b.priorityQueue();
            }
        }
        if (p.getDefaultTimeout() != null) {
            b.defaultTimeout(p.getDefaultTimeout());
        }
        if (p.getStuckGrace() != null) {
            b.stuckGrace(p.getStuckGrace());
        }
        if (p.getStuckThreshold() != null) {
            b.stuckThreshold(p.getStuckThreshold());
        }
        if (p.isReportAllFailures()) {
            b.reportAllFailures(true);
        }
        if (p.getStatsWindow() != null) {
            b.statsWindow(p.getStatsWindow());
        }
        Scaling scaling = p.getScaling();
        if (scaling != null) {
            if (scaling.getInterval() != null) {
                b.scalingInterval(scaling.getInterval());
            }
            ScalingPolicy policy = policy(scaling);
            if (policy != null) {
                b.scaling(policy);
            }
        }
        return b;
    }

    private static ScalingPolicy policy(Scaling s) {
        Utilization u = s.getUtilization();
        if (u != null) {
            return ScalingPolicy.utilization(u.getHigh(), u.getHighFor(), u.getLow(), u.getLowFor())
                    .stepUp(u.getStepUp()).stepDown(u.getStepDown()).cooldown(u.getCooldown());
        }
        QueueDepth q = s.getQueueDepth();
        if (q != null) {
            return ScalingPolicy.queueDepth(q.getTargetDelay()).stepUp(q.getStepUp()).cooldown(q.getCooldown())
                    .scaleDownWhenIdleFor(q.getScaleDownWhenIdleFor()).low(q.getLow());
        }
        return null;
    }

    private void checkAll() {
        Integer workers = p.getWorkers();
        atLeast("workers", workers, 1);
        atLeast("min-workers", p.getMinWorkers(), 0);
        atLeast("max-workers", p.getMaxWorkers(), 1);
        if (workers != null && (p.getMinWorkers() != null || p.getMaxWorkers() != null)) {
            problems.add(prefix + "workers (a fixed size) cannot be combined with " + prefix
                    + "min-workers/max-workers (an elastic one), was workers=" + workers
                    + (p.getMinWorkers() != null ? ", min-workers=" + p.getMinWorkers() : "")
                    + (p.getMaxWorkers() != null ? ", max-workers=" + p.getMaxWorkers() : ""));
        }
        if (p.getMinWorkers() != null && p.getMaxWorkers() != null && p.getMinWorkers() >= 0
                && p.getMaxWorkers() >= 1 && p.getMinWorkers() > p.getMaxWorkers()) {
            problems.add(prefix + "min-workers must be <= " + prefix + "max-workers (" + p.getMaxWorkers()
                    + "), was " + p.getMinWorkers());
        }
        positive("keep-alive", p.getKeepAlive());
        atLeast("prestart", p.getPrestart(), 0);
        Integer most = workers != null ? workers : p.getMaxWorkers();
        if (p.getPrestart() != null && most != null && most >= 1 && p.getPrestart() > most) {
            problems.add(prefix + "prestart must be <= the pool's most workers (" + most + "), was " + p.getPrestart());
        }
        Integer capacity = p.getQueueCapacity();
        if (capacity != null && (capacity < 0 || capacity > Pool.MAX_QUEUE_CAPACITY)) {
            problems.add(prefix + "queue-capacity must be in [0, " + Pool.MAX_QUEUE_CAPACITY + "], was " + capacity
                    + " (a bounded queue is allocated up front; set unbounded-queue=true for more)");
        }
        if (p.isUnboundedQueue() && capacity != null) {
            problems.add(prefix + "unbounded-queue=true cannot be combined with " + prefix
                    + "queue-capacity, was queue-capacity=" + capacity);
        }
        if (p.isUnboundedQueue() && p.isResizableQueue()) {
            problems.add(prefix + "unbounded-queue=true cannot be combined with " + prefix + "resizable-queue=true");
        }
        if (p.isResizableQueue() && capacity != null && capacity == 0) {
            problems.add(prefix + "queue-capacity must be >= 1 with resizable-queue=true, was 0");
        }
        Integer stripes = p.getQueueStripes();
        if (stripes != null && (stripes < 1 || stripes > Pool.MAX_QUEUE_STRIPES || Integer.bitCount(stripes) != 1)) {
            problems.add(prefix + "queue-stripes must be a power of two in [1, " + Pool.MAX_QUEUE_STRIPES + "], was " + stripes);
        }
        boolean handOff = capacity != null && capacity == 0 && !p.isUnboundedQueue();
        if (p.isPriorityQueue() && handOff) {
            problems.add(prefix + "priority-queue=true needs a queue: queue-capacity must be >= 1, was 0");
        }
        if (p.isQueueFirst() && handOff) {
            problems.add(prefix + "queue-first=true needs a queue: queue-capacity must be >= 1, was 0");
        }
        if (p.getPriorityAgingStep() != null && !p.isPriorityQueue()) {
            problems.add(prefix + "priority-aging-step needs priority-queue=true, was priority-aging-step="
                    + p.getPriorityAgingStep() + " without it");
        }
        positive("priority-aging-step", p.getPriorityAgingStep());
        positive("default-timeout", p.getDefaultTimeout());
        notNegative("stuck-grace", p.getStuckGrace());
        positive("stuck-threshold", p.getStuckThreshold());
        positive("stats-window", p.getStatsWindow());
        Scaling s = p.getScaling();
        if (s != null) {
            checkScaling(s);
        }
    }

    private void checkScaling(Scaling s) {
        positive("scaling.interval", s.getInterval());
        Utilization u = s.getUtilization();
        QueueDepth q = s.getQueueDepth();
        if (u != null && q != null) {
            problems.add(prefix + "scaling.utilization and " + prefix
                    + "scaling.queue-depth cannot both be set: choose one scaling policy");
        }
        if (u != null) {
            if (!(u.getHigh() > 0 && u.getHigh() <= 1)) {
                problems.add(prefix + "scaling.utilization.high must be in (0, 1], was " + u.getHigh());
            }
            if (!(u.getLow() >= 0 && u.getLow() < u.getHigh())) {
                problems.add(prefix + "scaling.utilization.low must be in [0, high=" + u.getHigh() + "), was " + u.getLow());
            }
            notNegative("scaling.utilization.high-for", required("scaling.utilization.high-for", u.getHighFor()));
            notNegative("scaling.utilization.low-for", required("scaling.utilization.low-for", u.getLowFor()));
            notNegative("scaling.utilization.cooldown", required("scaling.utilization.cooldown", u.getCooldown()));
            atLeast("scaling.utilization.step-up", u.getStepUp(), 1);
            atLeast("scaling.utilization.step-down", u.getStepDown(), 1);
        }
        if (q != null) {
            notNegative("scaling.queue-depth.target-delay", required("scaling.queue-depth.target-delay", q.getTargetDelay()));
            notNegative("scaling.queue-depth.cooldown", required("scaling.queue-depth.cooldown", q.getCooldown()));
            notNegative("scaling.queue-depth.scale-down-when-idle-for",
                    required("scaling.queue-depth.scale-down-when-idle-for", q.getScaleDownWhenIdleFor()));
            atLeast("scaling.queue-depth.step-up", q.getStepUp(), 1);
            if (!(q.getLow() >= 0 && q.getLow() <= 1)) {
                problems.add(prefix + "scaling.queue-depth.low must be in [0, 1], was " + q.getLow());
            }
        }
        if (u == null && q == null && s.getInterval() != null) {
            problems.add(prefix + "scaling.interval needs a policy: set " + prefix + "scaling.utilization.* or "
                    + prefix + "scaling.queue-depth.*");
        }
    }

    private Duration required(String property, Duration d) {
        if (d == null) {
            problems.add(prefix + property + " is required");
        }
        return d;
    }

    private void atLeast(String property, Integer value, int min) {
        if (value != null && value < min) {
            problems.add(prefix + property + " must be >= " + min + ", was " + value);
        }
    }

    private void positive(String property, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) {
            problems.add(prefix + property + " must be > 0, was " + d);
        }
    }

    private void notNegative(String property, Duration d) {
        if (d != null && d.isNegative()) {
            problems.add(prefix + property + " must be >= 0, was " + d);
        }
    }
}
