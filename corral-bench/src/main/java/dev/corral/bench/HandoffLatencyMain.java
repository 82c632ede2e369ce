package dev.corral.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hand-off latency: the time from when a task <em>should</em> have been submitted to when a worker
 * starts running it, under an open-loop arrival rate.
 *
 * <h2>Method</h2>
 * One producer thread submits tasks on a fixed schedule, task {@code i} at
 * {@code start + i / rate}. It never waits for a task, and when it falls behind (because a
 * submission blocked, or the OS descheduled it) it submits the overdue tasks at once, each still
 * stamped with its own scheduled time. Each task records {@code nanoTime() - scheduled} into an
 * HdrHistogram {@link Recorder} as its first action. Measuring from the <em>scheduled</em> time
 * avoids coordinated omission: a blocked or slow submission counts against the executor that
 * caused it instead of silently delaying the next measurements. A second recorder measures from
 * the moment just before {@code execute} was called (submit-to-start), printed for reference.
 *
 * <p>The producer waits for each slot by parking when the slot is more than 100 us away and by
 * {@link Thread#yield()} after that, so on a 2-core machine it gives a core to the workers
 * whenever they have something to run. At 20k tasks/s the gap is 50 us and the producer mostly
 * yields; at 200k tasks/s it is 5 us. The producer's own jitter is in the numbers (equally for
 * every candidate); an unloaded machine has p50 of a few microseconds.
 *
 * <p>Tasks do nothing else. The queue capacity (65,536 by default) with Corral's {@code BLOCK}
 * and ThreadPoolExecutor's {@code put} handler lets a candidate that cannot keep up apply
 * back-pressure, which then shows in the scheduled-time latency.
 *
 * <h2>Usage</h2>
 * {@code java -cp benchmarks.jar dev.corral.bench.HandoffLatencyMain --kinds corral,tpe-lbq
 * --rate 20000 --workers 2 --warmup-ms 1000 --measure-ms 3000}. Prints a line per kind and a
 * {@code RESULT} line (microseconds) for {@link BenchMain}.
 */
public final class HandoffLatencyMain {

    private HandoffLatencyMain() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = Harness.args(argv);
        List<String> kinds = Harness.listArg(a, "kinds", Candidates.KINDS);
        int rate = Harness.intArg(a, "rate", 20_000);
        int workers = Harness.intArg(a, "workers", 2);
        int capacity = Harness.intArg(a, "queue-capacity", 65_536);
        long warmupMs = Harness.longArg(a, "warmup-ms", 1_000);
        long measureMs = Harness.longArg(a, "measure-ms", 3_000);
        for (String kind : kinds) {
            run(kind, rate, workers, capacity, warmupMs, measureMs);
        }
    }

    static void run(String kind, int rate, int workers, int capacity, long warmupMs, long measureMs)
            throws InterruptedException {
        Recorder fromScheduled = new Recorder(3);
        Recorder fromSubmit = new Recorder(3);
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Candidates.create(kind, workers, capacity, "handoff");
        double intervalNs = 1e9 / rate;
        long warmupTasks = Math.round(rate * warmupMs / 1000.0);
        long totalTasks = warmupTasks + Math.round(rate * measureMs / 1000.0);
        long start = System.nanoTime() + 1_000_000;
        long maxBehindNs = 0;
        try {
            for (long i = 0; i < totalTasks; i++) {
                if (i == warmupTasks) {
                    fromScheduled.getIntervalHistogram(); // drop the warm-up's samples
                    fromSubmit.getIntervalHistogram();
                }
                long scheduled = start + (long) (i * intervalNs);
                long now = waitUntil(scheduled);
                maxBehindNs = Math.max(maxBehindNs, now - scheduled);
                boolean measured = i >= warmupTasks;
                long submitted = System.nanoTime();
                pool.execute(() -> {
                    long started = System.nanoTime();
                    if (measured) {
                        fromScheduled.recordValue(Math.max(0, started - scheduled));
                        fromSubmit.recordValue(Math.max(0, started - submitted));
                    }
                    done.incrementAndGet();
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (done.get() < totalTasks && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        } finally {
            Candidates.close(pool, 10);
        }
        long elapsedNs = System.nanoTime() - start;
        Histogram h = fromScheduled.getIntervalHistogram();
        Histogram s = fromSubmit.getIntervalHistogram();
        boolean complete = done.get() == totalTasks;
        System.out.printf("%-18s rate %,7d/s workers %d  from scheduled: p50 %8.1f us  p99 %9.1f us  p99.9 %9.1f us  max %9.1f us"
                        + "  | from submit: p50 %7.1f p99 %8.1f us  (n=%,d, producer max behind %.1f ms%s)%n",
                kind, rate, workers, us(h, 50), us(h, 99), us(h, 99.9), h.getMaxValue() / 1e3,
                us(s, 50), us(s, 99), h.getTotalCount(), maxBehindNs / 1e6, complete ? "" : ", INCOMPLETE");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", "handoff");
        r.put("kind", kind);
        r.put("rate", rate);
        r.put("workers", workers);
        r.put("p50", us(h, 50));
        r.put("p99", us(h, 99));
        r.put("p999", us(h, 99.9));
        r.put("max", h.getMaxValue() / 1e3);
        r.put("submitP50", us(s, 50));
        r.put("submitP99", us(s, 99));
        r.put("count", h.getTotalCount());
        r.put("complete", complete);
        r.put("seconds", elapsedNs / 1e9);
        Harness.printResult(r);
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    /** Waits until {@code deadline} (nanoTime) and returns the time it saw last. */
    private static long waitUntil(long deadline) {
        long now;
        while ((now = System.nanoTime()) < deadline) {
            long left = deadline - now;
            if (left > 100_000) {
                LockSupport.parkNanos(left - 80_000);
            } else {
                Thread.yield();
            }
        }
        return now;
    }
}
