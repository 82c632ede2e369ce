package dev.corral.cli.demo;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A cell of the demo while it runs, as a {@link CellWatcher} sees it: every request completed or
 * failed so far (warmup included, unlike the measured result), the latency the clients saw, and
 * what its executor is doing.
 */
public final class LiveCell {

    private final Mode mode;
    private final int clients;
    private final long startNanos;
    private final Target target;
    private final LongSupplier completed;
    private final LongSupplier failed;
    private final Recorder latencies;

    LiveCell(Mode mode, int clients, long startNanos, Target target, LongSupplier completed, LongSupplier failed,
             Recorder latencies) {
        this.mode = mode;
        this.clients = clients;
        this.startNanos = startNanos;
        this.target = target;
        this.completed = completed;
        this.failed = failed;
        this.latencies = latencies;
    }

    public Mode mode() {
        return mode;
    }

    public int clients() {
        return clients;
    }

    /** Time since the cell's clients started, warmup included. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Requests that ended so far, successes and failures, warmup included. */
    public long completed() {
        return completed.getAsLong();
    }

    /** Requests that failed so far, warmup included. */
    public long failed() {
        return failed.getAsLong();
    }

    /**
     * The latency (submission to result, in nanoseconds) of the successful requests since the
     * previous call: a live view for one reader, apart from the measured window's figures.
     */
    public Histogram latencySinceLastRead() {
        return latencies.getIntervalHistogram();
    }

    /** What the executor is doing now. */
    public ExecutorGauges gauges() {
        return target.gauges();
    }
}
