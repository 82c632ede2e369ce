package dev.corral.cli.limits;

import dev.corral.cli.demo.Workload;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One strategy under an open-loop load: requests arrive on a fixed schedule, {@code offeredRate} a
 * second, whatever became of the earlier ones, each on a new virtual thread that passes the
 * strategy's {@link Gate} and does the work. A closed loop would not do here: its clients wait for
 * each answer before asking again, so they slow down to whatever the limit admits and the limit
 * is never overrun; arrivals that do not wait are what a limit is for.
 *
 * <h2>What is counted</h2>
 * A request counts when it ends inside the measured window {@code [measureFrom, measureUntil)},
 * whenever it arrived: as a success, a rejection (the gate refused it) or a failure (anything
 * else, which would be a bug). Its latency runs from its scheduled arrival, not from when the
 * generator got round to starting it, so a generator or scheduler that falls behind shows up in
 * the latencies instead of hiding (no coordinated omission). The offered count is the arrivals
 * scheduled inside the window that were started.
 *
 * <h2>Keeping to the schedule</h2>
 * The calling thread is the generator: it parks until the next arrival is due and then starts
 * every arrival that is due, at most {@link #BATCH} before it looks at the clock again, so that a
 * rate it cannot keep up with makes it fall behind, never run past the window. Arrivals still
 * unstarted at the end of the window are dropped; the offered rate in the report says so.
 *
 * <h2>Ending without hanging</h2>
 * At the end of the window the generator stops, every request thread is interrupted (which ends
 * a wait for a permit, a token, a queue slot or a result, and the work's sleep), the gate stops
 * its pool, and both are awaited within {@link #STOP_BOUND}. What is still alive after that is
 * reported, not waited for.
 */
final class OpenLoop {

    /** How long the gate and then the request threads get to end after the window. */
    static final Duration STOP_BOUND = Duration.ofSeconds(10);

    /** Receives the run's progress every {@link #TICK_NANOS}. */
    interface Progress {
        void tick(boolean warmingUp, long arrived, Duration left);
    }

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The most arrivals started between two looks at the clock. */
    private static final int BATCH = 64;
    /** Where request results end up, so the JIT must compute them. */
    private static final LongAdder SINK = new LongAdder();

    private final Gate gate;
    private final Workload workload;
    private final long measureFrom;
    private final long measureUntil;
    private final Recorder latencies = new Recorder(3);
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Requests doing their work now, and the most seen at once inside the window. */
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peakRunning = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    private OpenLoop(Gate gate, Workload workload, long measureFrom, long measureUntil) {
        this.gate = gate;
        this.workload = workload;
        this.measureFrom = measureFrom;
        this.measureUntil = measureUntil;
    }

    /** Runs one strategy to the end, stopping every thread it started, and returns what it measured. */
    static StrategyResult run(Strategy strategy, LimitsSettings s, Workload workload, Progress progress)
            throws InterruptedException {
        Gate gate = strategy.start(s);
        ExecutorService requests = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("limits-request-", 1).factory());
        long start = System.nanoTime();
        long from = start + s.warmup().toNanos();
        long until = from + s.duration().toNanos();
        OpenLoop loop = new OpenLoop(gate, workload, from, until);
        long offered;
        boolean clean;
        try {
            offered = loop.generate(requests, s.offeredRate(), start, progress);
        } finally {
            clean = loop.stop(requests);
        }
        Histogram h = loop.latencies.getIntervalHistogram();
        Throwable first = loop.firstFailure.get();
        return new StrategyResult(strategy, gate.limit(), offered, loop.succeeded.sum(), loop.rejected.sum(),
                loop.failed.sum(), s.duration(), h.getTotalCount() == 0 ? 0.0 : h.getMean(),
                h.getValueAtPercentile(95), h.getValueAtPercentile(99), h.getMaxValue(), loop.peakRunning.get(),
                gate.note(), first == null ? null : first.toString(), clean);
    }

    /** Starts arrivals on schedule until the window ends; returns how many inside the window were started. */
    private long generate(ExecutorService requests, double rate, long start, Progress progress)
            throws InterruptedException {
        double interval = 1e9 / rate;
        long offered = 0;
        long nextTick = start;
        long i = 0;
        long due = start;
        for (long now = System.nanoTime(); now - measureUntil < 0; now = System.nanoTime()) {
            if (now - nextTick >= 0) {
                gate.observe();
                boolean warmingUp = now - measureFrom < 0;
                progress.tick(warmingUp, i, Duration.ofNanos(warmingUp ? measureFrom - now : measureUntil - now));
                nextTick = now + TICK_NANOS;
            }
            for (int n = 0; n < BATCH && due - now <= 0; n++) {
                if (due - measureUntil >= 0) {
                    return offered;
                }
                if (due - measureFrom >= 0) {
                    offered++;
                }
                long seed = i;
                long arrival = due;
                requests.execute(() -> request(seed, arrival));
                due = start + (long) (++i * interval);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while generating load");
            }
            long sleep = Math.min(Math.min(due, nextTick), measureUntil) - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
        return offered;
    }

    /** One request, on its own virtual thread: through the gate, then counted. */
    private void request(long seed, long arrival) {
        Callable<Long> work = () -> {
            int now = running.incrementAndGet();
            try {
                if (inWindow(System.nanoTime())) {
                    peakRunning.accumulateAndGet(now, Math::max);
                }
                return workload.handle(seed);
            } finally {
                running.decrementAndGet();
            }
        };
        boolean refused = false;
        Throwable failure = null;
        try {
            SINK.add(gate.call(work));
        } catch (Gate.Refused e) {
            refused = true;
        } catch (InterruptedException e) {
            return; // only the end of the run interrupts requests, and their end is not counted
        } catch (Exception e) {
            failure = e;
        }
        record(arrival, System.nanoTime(), refused, failure);
    }

    private boolean inWindow(long t) {
        return t - measureFrom >= 0 && t - measureUntil < 0;
    }

    private void record(long arrival, long end, boolean refused, Throwable failure) {
        if (!inWindow(end)) {
            return;
        }
        if (refused) {
            rejected.increment();
        } else if (failure != null) {
            failed.increment();
            firstFailure.compareAndSet(null, failure);
        } else {
            latencies.recordValue(Math.max(1, end - arrival));
            succeeded.increment();
        }
    }

    /** Ends the run: interrupt the requests, stop the gate, within bounds. True if every thread ended. */
    private boolean stop(ExecutorService requests) throws InterruptedException {
        requests.shutdownNow();
        boolean gateStopped = gate.stop(STOP_BOUND);
        boolean requestsStopped = requests.awaitTermination(STOP_BOUND.toNanos(), TimeUnit.NANOSECONDS);
        return gateStopped && requestsStopped;
    }
}
