package dev.corral.cli.scale;

import dev.corral.Pool;
import dev.corral.PoolStats;
import dev.corral.ScalingEvent;
import dev.corral.cli.demo.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.DoubleUnaryOperator;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one real pool with an open-loop load whose rate follows a function of time, and watches
 * it: a {@link Sample} of its gauges every sample period, every {@link ScalingEvent} it reports,
 * and the queue wait and latency of its tasks.
 *
 * <h2>The load</h2>
 * The calling thread is the generator. Arrivals are scheduled one after another, each
 * {@code 1 / rate(t)} after the previous one, where {@code t} is the arrival's own scheduled time:
 * a deterministic schedule that follows the rate as it moves. Arrivals do not wait for earlier
 * tasks (an open loop, as at a server), and are offered with {@link Pool#tryExecute}, so a full
 * pool refuses them instead of slowing the generator down; refusals are counted. While the rate is
 * zero the schedule steps forward in {@link #IDLE_STEP}s. The generator starts at most
 * {@link #BATCH} arrivals between two looks at the clock, so a rate it cannot keep up with makes
 * it fall behind, never run past the end.
 *
 * <h2>What is measured</h2>
 * Queue wait runs from submission to the moment a worker starts the task, for every task.
 * Latency runs from a task's <em>scheduled</em> arrival to its completion, for the tasks scheduled
 * inside the measured window, so a generator that falls behind shows up in the latency instead of
 * hiding it.
 *
 * <h2>Ending without hanging</h2>
 * At the end of the load the pool is shut down: queued tasks get {@code drain} to finish, then
 * running ones are interrupted and queued ones dropped, and the pool gets {@link #STOP_BOUND} to
 * terminate. A pool that does not is reported ({@link Trace#stoppedCleanly()}), not waited for.
 */
public final class Simulation {

    /** How long a pool gets to terminate after it is stopped. */
    static final Duration STOP_BOUND = Duration.ofSeconds(10);
    /** The most arrivals started between two looks at the clock. */
    private static final int BATCH = 64;
    /** How far the schedule moves while the rate is zero. */
    private static final long IDLE_STEP = TimeUnit.MILLISECONDS.toNanos(1);
    /** Where task results end up, so the JIT must compute them. */
    private static final LongAdder SINK = new LongAdder();

    /**
     * What one run saw.
     *
     * @param seconds         the length of the load
     * @param samples         the gauges, in time order, the first at 0 and the last at the end
     * @param events          the pool's scaling events, with times in seconds since the start
     * @param queueWait       submission to start, every task (nanoseconds)
     * @param latency         scheduled arrival to completion, tasks scheduled in the window (nanoseconds)
     * @param offered         arrivals started
     * @param rejected        arrivals the pool refused (queue full)
     * @param completed       tasks that ran to the end
     * @param windowAccepted  arrivals scheduled in the window that the pool accepted
     * @param windowCompleted of those, the ones that completed before the pool was stopped
     * @param windowRejected  arrivals scheduled in the window that the pool refused
     * @param stoppedCleanly  whether the pool terminated within {@link #STOP_BOUND}
     */
    public record Trace(double seconds, List<Sample> samples, List<Event> events, Histogram queueWait,
                       Histogram latency, long offered, long rejected, long completed, long windowAccepted,
                       long windowCompleted, long windowRejected, boolean stoppedCleanly) {

        /** Accepted window tasks that had not completed when the pool was stopped. */
        public long windowUnfinished() {
            return windowAccepted - windowCompleted;
        }
    }

    /** A scaling event at {@code seconds} since the start of the run. */
    public record Event(double seconds, int from, int to, String reason) {
    }

    /** Collects a pool's scaling events; give it to the pool's builder before the run starts. */
    public static final class EventLog implements Consumer<ScalingEvent> {
        private final List<ScalingEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void accept(ScalingEvent e) {
            events.add(e);
        }

        List<Event> since(long start) {
            List<Event> out = new ArrayList<>(events.size());
            for (ScalingEvent e : events) {
                out.add(new Event(Math.max(0, (e.nanoTime() - start) / 1e9), e.from(), e.to(), e.reason()));
            }
            return out;
        }
    }

    /** Told the time left every sample, to show progress. */
    public interface Progress {
        void tick(Duration elapsed, Duration length);
    }

    private final Pool pool;
    private final Workload workload;
    private final Recorder queueWait = new Recorder(3);
    private final Recorder latency = new Recorder(3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder windowCompleted = new LongAdder();
    private long windowFrom;
    private long windowUntil;

    private Simulation(Pool pool, Workload workload) {
        this.pool = pool;
        this.workload = workload;
    }

    /**
     * Runs {@code rate} (arrivals a second, as a function of seconds since the start) through
     * {@code pool} for {@code length}, then stops the pool.
     *
     * @param events      the log the pool was built with, or null
     * @param window      the part of the run, [from, until) in seconds, whose arrivals' latency is measured
     * @param drain       how long queued tasks may run on after the load ends
     */
    public static Trace run(Pool pool, EventLog events, Workload workload, DoubleUnaryOperator rate, Duration length,
                            Duration sampleEvery, double[] window, Duration drain, Progress progress)
            throws InterruptedException {
        return new Simulation(pool, workload).drive(events, rate, length, sampleEvery, window, drain, progress);
    }

    private Trace drive(EventLog events, DoubleUnaryOperator rate, Duration length, Duration sampleEvery,
                        double[] window, Duration drain, Progress progress) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + length.toNanos();
        windowFrom = start + (long) (window[0] * 1e9);
        windowUntil = start + (long) (window[1] * 1e9);
        long every = sampleEvery.toNanos();
        List<Sample> samples = new ArrayList<>();
        long offered = 0;
        long rejected = 0;
        long windowAccepted = 0;
        long windowRejected = 0;
        long lastSampleAt = start;
        long offeredAtLastSample = 0;
        long nextSample = start;
        long due = start;
        boolean clean;
        try {
            for (;;) {
                long now = System.nanoTime();
                if (now - nextSample >= 0 || now - end >= 0) {
                    double elapsed = samples.isEmpty() ? 0 : Math.min(now, end) - start; // the first sample is the start
                    double offeredRate = now - lastSampleAt > 0 ? (offered - offeredAtLastSample) * 1e9 / (now - lastSampleAt) : 0;
                    samples.add(sample(elapsed / 1e9, rate.applyAsDouble(elapsed / 1e9), offeredRate, pool.stats()));
                    lastSampleAt = now;
                    offeredAtLastSample = offered;
                    nextSample = Math.max(nextSample + every, now + every / 2);
                    if (progress != null) {
                        progress.tick(Duration.ofNanos((long) elapsed), length);
                    }
                    if (now - end >= 0) {
                        break;
                    }
                }
                for (int n = 0; n < BATCH && due - now <= 0 && due - end < 0; n++) {
                    double perSecond = rate.applyAsDouble((due - start) / 1e9);
                    if (!(perSecond > 0)) {
                        due += IDLE_STEP;
                        continue;
                    }
                    long scheduled = due;
                    long seed = offered++;
                    boolean inWindow = scheduled - windowFrom >= 0 && scheduled - windowUntil < 0;
                    long submittedAt = System.nanoTime();
                    if (pool.tryExecute(() -> task(seed, scheduled, submittedAt))) {
                        windowAccepted += inWindow ? 1 : 0;
                    } else {
                        rejected++;
                        windowRejected += inWindow ? 1 : 0;
                    }
                    due += Math.max(1, (long) (1e9 / perSecond));
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while generating load");
                }
                long sleep = Math.min(Math.min(due, nextSample), end) - System.nanoTime();
                if (sleep > 0) {
                    LockSupport.parkNanos(this, sleep);
                }
            }
        } finally {
            clean = stop(drain);
        }
        return new Trace(length.toNanos() / 1e9, List.copyOf(samples), events == null ? List.of() : events.since(start),
                queueWait.getIntervalHistogram(), latency.getIntervalHistogram(), offered, rejected, completed.sum(),
                windowAccepted, windowCompleted.sum(), windowRejected, clean);
    }

    private static Sample sample(double seconds, double rate, double offered, PoolStats st) {
        return new Sample(seconds, rate, offered, st.queued(), st.liveWorkers(), st.busyWorkers(), st.targetWorkers());
    }

    /** One task, on a worker of the pool. */
    private void task(long seed, long scheduled, long submittedAt) {
        queueWait.recordValue(Math.max(1, System.nanoTime() - submittedAt));
        try {
            SINK.add(workload.handle(seed));
        } catch (InterruptedException e) {
            return; // only the end of the run interrupts a task; it did not complete
        }
        long end = System.nanoTime();
        completed.increment();
        if (scheduled - windowFrom >= 0 && scheduled - windowUntil < 0) {
            latency.recordValue(Math.max(1, end - scheduled));
            windowCompleted.increment();
        }
    }

    /** Lets queued work run for {@code drain}, then stops the pool. True if it terminated in time. */
    private boolean stop(Duration drain) throws InterruptedException {
        pool.shutdown();
        if (!drain.isZero() && pool.awaitTermination(drain.toNanos(), TimeUnit.NANOSECONDS)) {
            return true;
        }
        pool.shutdownNow();
        return pool.awaitTermination(STOP_BOUND.toNanos(), TimeUnit.NANOSECONDS);
    }
}
