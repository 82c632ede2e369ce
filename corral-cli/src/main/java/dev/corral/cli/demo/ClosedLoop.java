package dev.corral.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One cell of the demo: {@code clients} virtual threads, each in a closed loop (submit a request,
 * wait for its result, repeat), against one {@link Target}, for a warmup and then a measured window.
 *
 * <h2>What is counted</h2>
 * A request counts when it completes inside the measured window {@code [measureFrom, measureUntil)},
 * whenever it was submitted; its latency runs from just before the submission (so time spent
 * waiting for room in a full queue is included) to the moment its result is in the client's hands.
 * Any exception on the way (a rejection, a failure of the task, a thread that could not be started)
 * makes it an error. The window's deadlines are fixed before the clients start, so no request is
 * judged by a flag that changes under it.
 *
 * <h2>Ending without hanging</h2>
 * At the end of the window the cell raises {@code stopping}, interrupts every client (which ends a
 * wait for a result or for room), then stops the target (interrupts its running requests, settles
 * its queued ones) and joins everything within bounds. Whatever is still alive after that is
 * reported, not waited for.
 */
final class ClosedLoop {

    /** How long the target and then the clients get to end after the window. */
    static final Duration STOP_BOUND = Duration.ofSeconds(10);

    /** Receives the cell's progress every {@link #TICK}. */
    interface Progress {
        void tick(boolean warmingUp, long requests, Duration left);
    }

    private static final Duration TICK = Duration.ofMillis(200);
    /** Where request results end up, so the JIT must compute them. */
    private static final AtomicLong SINK = new AtomicLong();

    private final Target target;
    private final Workload workload;
    private final long measureFrom;
    private final long measureUntil;
    private final Recorder latencies = new Recorder(3);
    /** Every successful request's latency, warmup included, for a {@link CellWatcher}'s live view. */
    private final Recorder liveLatencies = new Recorder(3);
    /** Every failed request, warmup included: for watchers only. */
    private final LongAdder allFailed = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Every completed request, measured or not: for progress only. */
    private final LongAdder completed = new LongAdder();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile boolean stopping;

    private ClosedLoop(Target target, Workload workload, long measureFrom, long measureUntil) {
        this.target = target;
        this.workload = workload;
        this.measureFrom = measureFrom;
        this.measureUntil = measureUntil;
    }

    /** Runs one cell to the end, stopping every thread it started, and returns what it measured. */
    static CellResult run(Mode mode, int clients, DemoSettings s, Workload workload, Progress progress)
            throws InterruptedException {
        return run(mode, clients, s, workload, progress, CellWatcher.NONE);
    }

    /** Runs one cell as above, telling {@code watcher} when it starts, as it runs and when it ends. */
    static CellResult run(Mode mode, int clients, DemoSettings s, Workload workload, Progress progress,
                          CellWatcher watcher) throws InterruptedException {
        Target target = mode.start(s);
        long start = System.nanoTime();
        long from = start + s.warmup().toNanos();
        long until = from + s.duration().toNanos();
        ClosedLoop cell = new ClosedLoop(target, workload, from, until);
        LiveCell live = new LiveCell(mode, clients, start, target, cell.completed::sum, cell.allFailed::sum,
                cell.liveLatencies);
        watcher.started(live);

        List<Thread> clientThreads = new ArrayList<>(clients);
        boolean clean;
        try {
            for (int i = 0; i < clients; i++) {
                long id = i;
                clientThreads.add(Thread.ofVirtual().name("demo-client-" + i).start(() -> cell.client(id)));
            }
            for (long now = System.nanoTime(); now - until < 0; now = System.nanoTime()) {
                boolean warmingUp = now - from < 0;
                progress.tick(warmingUp, cell.completed.sum(),
                        Duration.ofNanos(warmingUp ? from - now : until - now));
                watcher.tick(live);
                Thread.sleep(Duration.ofNanos(Math.min(TICK.toNanos(), until - now)));
            }
        } finally {
            clean = cell.stop(clientThreads);
        }
        Histogram h = cell.latencies.getIntervalHistogram();
        Throwable first = cell.firstFailure.get();
        CellResult result = new CellResult(mode, clients, cell.succeeded.sum(), cell.failed.sum(), s.duration(),
                h.getTotalCount() == 0 ? 0.0 : h.getMean(),
                h.getValueAtPercentile(95), h.getValueAtPercentile(99), h.getMaxValue(),
                first == null ? null : first.toString(), clean);
        watcher.ended(live, result);
        return result;
    }

    private void client(long id) {
        long acc = 0;
        for (long n = 0; !stopping; n++) {
            long seed = id << 40 ^ n;
            Callable<Long> request = () -> workload.handle(seed);
            Future<Long> f = null;
            Throwable failure = null;
            long t0 = System.nanoTime();
            try {
                f = target.submit(request);
                acc ^= f.get();
            } catch (InterruptedException e) {
                if (f != null) {
                    f.cancel(true);
                }
                break; // only the cell interrupts its clients, and only when it is over
            } catch (ExecutionException e) {
                failure = e.getCause() != null ? e.getCause() : e;
            } catch (RuntimeException | OutOfMemoryError e) {
                failure = e; // rejected, cancelled, or no thread could be started
            }
            record(t0, System.nanoTime(), failure);
        }
        SINK.getAndAdd(acc);
    }

    private void record(long submittedAt, long doneAt, Throwable failure) {
        completed.increment();
        if (failure == null) {
            liveLatencies.recordValue(Math.max(1, doneAt - submittedAt));
        } else {
            allFailed.increment();
        }
        if (doneAt - measureFrom < 0 || doneAt - measureUntil >= 0) {
            return;
        }
        if (failure == null) {
            latencies.recordValue(Math.max(1, doneAt - submittedAt));
            succeeded.increment();
        } else {
            failed.increment();
            firstFailure.compareAndSet(null, failure);
        }
    }

    /** Ends the cell: stop clients and target, within bounds. True if every thread ended. */
    private boolean stop(List<Thread> clientThreads) throws InterruptedException {
        stopping = true;
        for (Thread c : clientThreads) {
            c.interrupt();
        }
        boolean targetStopped = target.stop(STOP_BOUND);
        long deadline = System.nanoTime() + STOP_BOUND.toNanos();
        boolean clientsStopped = true;
        for (Thread c : clientThreads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                c.join(Duration.ofNanos(left));
            }
            if (c.isAlive()) {
                clientsStopped = false;
                break;
            }
        }
        return targetStopped && clientsStopped;
    }
}
