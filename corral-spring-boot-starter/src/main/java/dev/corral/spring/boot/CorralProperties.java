package dev.corral.spring.boot;

import dev.corral.Overflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything under {@code corral.*}: the pools to create, which pool runs {@code @Async} methods,
 * and how pools stop with the application. Every pool setting is optional; an unset one keeps
 * {@link dev.corral.Pool.Builder}'s default. Settings are checked at start-up, where a wrong one
 * fails the application with a message that names the property and its value.
 *
 * <pre>
 * corral.pools.api.workers=8
 * corral.pools.api.queue-capacity=500
 * corral.pools.api.when-full=caller-runs
 * corral.async.pool=api
 * </pre>
 */
@ConfigurationProperties("corral")
public class CorralProperties {

    /** Pools by name; each becomes a {@link dev.corral.Pool} bean of that name. */
    private Map<String, PoolProperties> pools = new LinkedHashMap<>();

    /** Which pool runs {@code @Async} methods. */
    private Async async = new Async();

    /** How the pools stop when the application stops. */
    private Shutdown shutdown = new Shutdown();

    /** The pools by name. */
    public Map<String, PoolProperties> getPools() {
        return pools;
    }

    /** Sets the pools by name. */
    public void setPools(Map<String, PoolProperties> pools) {
        this.pools = pools;
    }

    /** The {@code @Async} settings. */
    public Async getAsync() {
        return async;
    }

    /** Sets the {@code @Async} settings. */
    public void setAsync(Async async) {
        this.async = async;
    }

    /** The shutdown settings. */
    public Shutdown getShutdown() {
        return shutdown;
    }

    /** Sets the shutdown settings. */
    public void setShutdown(Shutdown shutdown) {
        this.shutdown = shutdown;
    }

    /** {@code corral.async.*}: a Corral pool as the executor of {@code @Async} methods. */
    public static class Async {

        /** The pool (a name under corral.pools, or any Pool bean) that runs @Async methods without a qualifier. */
        private String pool;

        /**
         * Whether that pool also becomes Boot's 'applicationTaskExecutor' bean, used for Spring MVC
         * asynchronous requests and everything else Boot routes through it.
         */
        private boolean replaceApplicationTaskExecutor;

        /** The pool's name, or null for none. */
        public String getPool() {
            return pool;
        }

        /** Sets the pool's name. */
        public void setPool(String pool) {
            this.pool = pool;
        }

        /** Whether the pool also serves as {@code applicationTaskExecutor}. */
        public boolean isReplaceApplicationTaskExecutor() {
            return replaceApplicationTaskExecutor;
        }

        /** Sets whether the pool also serves as {@code applicationTaskExecutor}. */
        public void setReplaceApplicationTaskExecutor(boolean replace) {
            this.replaceApplicationTaskExecutor = replace;
        }
    }

    /** {@code corral.shutdown.*}: stopping the pools with the application. */
    public static class Shutdown {

        /**
         * How long queued and running tasks may take to finish before they are interrupted and
         * handed back; defaults to spring.lifecycle.timeout-per-shutdown-phase (30s).
         */
        private Duration timeout;

        /** The SmartLifecycle phase in which the pools stop: after the web server's graceful shutdown, before it stops. */
        private int phase = CorralLifecycle.DEFAULT_PHASE;

        /** The timeout, or null for Boot's per-phase timeout. */
        public Duration getTimeout() {
            return timeout;
        }

        /** Sets the timeout. */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        /** The lifecycle phase. */
        public int getPhase() {
            return phase;
        }

        /** Sets the lifecycle phase. */
        public void setPhase(int phase) {
            this.phase = phase;
        }
    }

    /**
     * {@code corral.pools.<name>.*}: one pool. Sizes: either {@code workers} (a fixed size) or
     * {@code min-workers}/{@code max-workers} (an elastic one).
     */
    public static class PoolProperties {

        /** A fixed number of workers: at most this many tasks run at once (min = max). Default: available processors. */
        private Integer workers;
        /** Workers kept even when idle (elastic pools). */
        private Integer minWorkers;
        /** The most workers alive at once (elastic pools). */
        private Integer maxWorkers;
        /** How long a worker above the minimum may stay idle before it leaves. Default 60s. */
        private Duration keepAlive;
        /** Workers started at start-up instead of on first demand. */
        private Integer prestart;
        /** ThreadPoolExecutor's order: queue first, grow past the minimum only when the queue is full. */
        private boolean queueFirst;
        /** Queue slots for tasks waiting for a worker; 0 makes a direct hand-off. Default 1024. */
        private Integer queueCapacity;
        /** A queue that the actuator endpoint (or setQueueCapacity) can later set to any size; otherwise only up to queue-capacity. */
        private boolean resizableQueue;
        /** An unbounded queue (never waits nor fails for room). Use with care. */
        private boolean unboundedQueue;
        /** Stripes of the bounded queue: a power of two from 1 to 64. Default: chosen from cores and workers. */
        private Integer queueStripes;
        /** What submit/execute do when the pool is full: block, reject, caller-runs or discard-oldest. Default block. */
        private Overflow whenFull;
        /** Workers are virtual threads (for many blocking tasks). */
        private boolean virtualThreads;
        /** Order waiting tasks by priority (lower first, FIFO among equals). */
        private boolean priorityQueue;
        /** With priority-queue: every step a task waits counts as one level more urgent (off by default). */
        private Duration priorityAgingStep;
        /** A timeout for every task that does not set its own. */
        private Duration defaultTimeout;
        /** How long a task may run on after its deadline's interrupt before it is reported stuck. Default 1s. */
        private Duration stuckGrace;
        /** Reports every task still running this long after it started (detection only). */
        private Duration stuckThreshold;
        /** Also report failures of submitted tasks to the failure handler. */
        private boolean reportAllFailures;
        /** The length of one latency window in the pool's stats. Default 30s. */
        private Duration statsWindow;
        /** Automatic scaling between min-workers and max-workers. */
        private Scaling scaling;

        public Integer getWorkers() { return workers; }
        public void setWorkers(Integer workers) { this.workers = workers; }
        public Integer getMinWorkers() { return minWorkers; }
        public void setMinWorkers(Integer minWorkers) { this.minWorkers = minWorkers; }
        public Integer getMaxWorkers() { return maxWorkers; }
        public void setMaxWorkers(Integer maxWorkers) { this.maxWorkers = maxWorkers; }
        public Duration getKeepAlive() { return keepAlive; }
        public void setKeepAlive(Duration keepAlive) { this.keepAlive = keepAlive; }
        public Integer getPrestart() { return prestart; }
        public void setPrestart(Integer prestart) { this.prestart = prestart; }
        public boolean isQueueFirst() { return queueFirst; }
        public void setQueueFirst(boolean queueFirst) { this.queueFirst = queueFirst; }
        public Integer getQueueCapacity() { return queueCapacity; }
        public void setQueueCapacity(Integer queueCapacity) { this.queueCapacity = queueCapacity; }
        public boolean isResizableQueue() { return resizableQueue; }
        public void setResizableQueue(boolean resizableQueue) { this.resizableQueue = resizableQueue; }
        public boolean isUnboundedQueue() { return unboundedQueue; }
        public void setUnboundedQueue(boolean unboundedQueue) { this.unboundedQueue = unboundedQueue; }
        public Integer getQueueStripes() { return queueStripes; }
        public void setQueueStripes(Integer queueStripes) { this.queueStripes = queueStripes; }
        public Overflow getWhenFull() { return whenFull; }
        public void setWhenFull(Overflow whenFull) { this.whenFull = whenFull; }
        public boolean isVirtualThreads() { return virtualThreads; }
        public void setVirtualThreads(boolean virtualThreads) { this.virtualThreads = virtualThreads; }
        public boolean isPriorityQueue() { return priorityQueue; }
        public void setPriorityQueue(boolean priorityQueue) { this.priorityQueue = priorityQueue; }
        public Duration getPriorityAgingStep() { return priorityAgingStep; }
        public void setPriorityAgingStep(Duration priorityAgingStep) { this.priorityAgingStep = priorityAgingStep; }
        public Duration getDefaultTimeout() { return defaultTimeout; }
        public void setDefaultTimeout(Duration defaultTimeout) { this.defaultTimeout = defaultTimeout; }
        public Duration getStuckGrace() { return stuckGrace; }
        public void setStuckGrace(Duration stuckGrace) { this.stuckGrace = stuckGrace; }
        public Duration getStuckThreshold() { return stuckThreshold; }
        public void setStuckThreshold(Duration stuckThreshold) { this.stuckThreshold = stuckThreshold; }
        public boolean isReportAllFailures() { return reportAllFailures; }
        public void setReportAllFailures(boolean reportAllFailures) { this.reportAllFailures = reportAllFailures; }
        public Duration getStatsWindow() { return statsWindow; }
        public void setStatsWindow(Duration statsWindow) { this.statsWindow = statsWindow; }
        public Scaling getScaling() { return scaling; }
        public void setScaling(Scaling scaling) { this.scaling = scaling; }
    }

    /**
     * {@code corral.pools.<name>.scaling.*}: a scaling policy, either {@code utilization} or
     * {@code queue-depth} (setting any property of one turns it on).
     */
    public static class Scaling {

        /** How often the policy samples the pool's load. Default 1s. */
        private Duration interval;
        /** Scale out while the workers stay busy, in while they stay idle. */
        private Utilization utilization;
        /** Scale out while queued tasks wait longer than a target delay. */
        private QueueDepth queueDepth;

        public Duration getInterval() { return interval; }
        public void setInterval(Duration interval) { this.interval = interval; }
        public Utilization getUtilization() { return utilization; }
        public void setUtilization(Utilization utilization) { this.utilization = utilization; }
        public QueueDepth getQueueDepth() { return queueDepth; }
        public void setQueueDepth(QueueDepth queueDepth) { this.queueDepth = queueDepth; }
    }

    /**
     * {@code scaling.utilization.*}: {@link dev.corral.ScalingPolicy#utilization}. Defaults are
     * the classic rule: +2 workers after 30s at or above 80% busy, -1 after 2m below 40%, 30s
     * cooldown.
     */
    public static class Utilization {

        /** The busy fraction at or above which the pool counts as busy, in (0, 1]. */
        private double high = 0.8;
        /** How long every sample must be busy before the pool grows. */
        private Duration highFor = Duration.ofSeconds(30);
        /** The busy fraction below which the pool counts as idle, in [0, high); 0 never shrinks. */
        private double low = 0.4;
        /** How long every sample must be idle before the pool shrinks. */
        private Duration lowFor = Duration.ofMinutes(2);
        /** Workers added at a time. */
        private int stepUp = 2;
        /** Workers removed at a time. */
        private int stepDown = 1;
        /** No change for this long after a change. */
        private Duration cooldown = Duration.ofSeconds(30);

        public double getHigh() { return high; }
        public void setHigh(double high) { this.high = high; }
        public Duration getHighFor() { return highFor; }
        public void setHighFor(Duration highFor) { this.highFor = highFor; }
        public double getLow() { return low; }
        public void setLow(double low) { this.low = low; }
        public Duration getLowFor() { return lowFor; }
        public void setLowFor(Duration lowFor) { this.lowFor = lowFor; }
        public int getStepUp() { return stepUp; }
        public void setStepUp(int stepUp) { this.stepUp = stepUp; }
        public int getStepDown() { return stepDown; }
        public void setStepDown(int stepDown) { this.stepDown = stepDown; }
        public Duration getCooldown() { return cooldown; }
        public void setCooldown(Duration cooldown) { this.cooldown = cooldown; }
    }

    /**
     * {@code scaling.queue-depth.*}: {@link dev.corral.ScalingPolicy#queueDepth}. Defaults:
     * step-up 1, cooldown 10s, scale-down-when-idle-for 60s, low 0.5; target-delay is required.
     */
    public static class QueueDepth {

        /** The longest queue wait the pool should let tasks have (required). */
        private Duration targetDelay;
        /** Workers added at a time. */
        private int stepUp = 1;
        /** No change for this long after a change. */
        private Duration cooldown = Duration.ofSeconds(10);
        /** Remove a worker after the queue has been empty and utilization below 'low' this long. */
        private Duration scaleDownWhenIdleFor = Duration.ofSeconds(60);
        /** The utilization below which an empty-queue sample counts as quiet, in [0, 1]. */
        private double low = 0.5;

        public Duration getTargetDelay() { return targetDelay; }
        public void setTargetDelay(Duration targetDelay) { this.targetDelay = targetDelay; }
        public int getStepUp() { return stepUp; }
        public void setStepUp(int stepUp) { this.stepUp = stepUp; }
        public Duration getCooldown() { return cooldown; }
        public void setCooldown(Duration cooldown) { this.cooldown = cooldown; }
        public Duration getScaleDownWhenIdleFor() { return scaleDownWhenIdleFor; }
        public void setScaleDownWhenIdleFor(Duration scaleDownWhenIdleFor) { this.scaleDownWhenIdleFor = scaleDownWhenIdleFor; }
        public double getLow() { return low; }
        public void setLow(double low) { this.low = low; }
    }
}
