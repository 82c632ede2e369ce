package dev.corral.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Records a latency distribution (nanoseconds) on the hot path and summarises the recent window.
 *
 * <h2>Implementation overview</h2>
 * A log-linear histogram: values below 16 ns have a bucket each; above, every power of two is cut
 * into 16 equal sub-buckets, so a bucket's width is at most 1/16 of its lower bound and a reported
 * percentile is within 6.25% of the true value. Values are clamped to 2^42 ns (about 73 minutes).
 * <p>
 * Writers add 1 to one counter with a single atomic add and nothing else: no lock, no phaser.
 * The counters are striped by thread id (a few stripes per core) so that workers on different cores
 * rarely share a cache line. HdrHistogram's {@code Recorder} was measured here first: its writer
 * phaser and concurrent counts cost several atomics per value, which showed up as a large share of
 * a tiny task's cost; this is why core does not depend on it.
 * <p>
 * Counters only grow. A reader (under {@code readLock}) sums the stripes and subtracts the totals
 * it saved when the previous window began; every {@code windowNanos} of ticker time it saves new
 * totals. Summaries therefore cover the last one to two windows.
 */
public final class LatencyRecorder {

    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;            // sub-buckets per power of two
    private static final int MAX_EXP = 42;                  // 2^42 ns ~ 73 minutes
    /** Buckets: [0, 16) one per value, then 16 per power of two from 2^4 up to 2^42. */
    static final int BUCKETS = SUB + (MAX_EXP - SUB_BITS + 1) * SUB;
    private static final long MAX_VALUE = (1L << (MAX_EXP + 1)) - 1;

    /**
     * A stripe's counters, made by the first value recorded in it: a full set is 5 KB a stripe,
     * 320 KB for a pool's two recorders on 16 cores, and a pool of a few platform workers only
     * ever writes to the stripes of their thread ids. Made by a CAS, so two first recorders of
     * one stripe share one row (a plain write could drop the other's count with its row).
     */
    private final AtomicReferenceArray<AtomicLongArray> rows;
    private final int stripeMask;
    private final LongSupplier ticker;
    private final long windowNanos;

    private final ReentrantLock readLock = new ReentrantLock();
    /** Totals before anything was recorded; shared, never written (the window arrays are replaced, not filled). */
    private static final long[] NONE_YET = new long[BUCKETS];

    private long[] previousStart = NONE_YET; // guarded by readLock: totals when the previous window began
    private long[] currentStart = NONE_YET;  // guarded by readLock: totals when the current window began
    private long windowStart;                          // guarded by readLock

    public LatencyRecorder(LongSupplier ticker, Duration window) {
        int stripes = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;
        stripes = Math.min(stripes, 64);
        this.rows = new AtomicReferenceArray<>(stripes);
        this.stripeMask = stripes - 1;
        this.ticker = ticker;
        this.windowNanos = window.toNanos();
        this.windowStart = ticker.getAsLong();
    }

    static int bucketOf(long v) {
        if (v < SUB) {
            return v < 0 ? 0 : (int) v;
        }
        if (v > MAX_VALUE) {
            v = MAX_VALUE;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);           // >= SUB_BITS
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return SUB + (exp - SUB_BITS) * SUB + sub;
    }

    /** The largest value that falls in {@code bucket}. */
    static long upperBoundOf(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = (bucket - SUB) / SUB + SUB_BITS;
        int sub = (bucket - SUB) % SUB;
        long lower = (1L << exp) + ((long) sub << (exp - SUB_BITS));
        return lower + (1L << (exp - SUB_BITS)) - 1;
    }

    /** Records one value; safe from any thread, one atomic add. */
    public void record(long nanos) {
        int stripe = (int) Thread.currentThread().threadId() & stripeMask;
        AtomicLongArray row = rows.get(stripe);
        if (row == null) {
            row = rowFor(stripe);
        }
        row.getAndIncrement(bucketOf(nanos));
    }

    private AtomicLongArray rowFor(int stripe) {
        AtomicLongArray fresh = new AtomicLongArray(BUCKETS);
        AtomicLongArray won = rows.compareAndExchange(stripe, null, fresh);
        return won == null ? fresh : won;
    }

    /** Stripes that have recorded something (tests). */
    int stripesInUse() {
        int n = 0;
        for (int s = 0; s <= stripeMask; s++) {
            if (rows.get(s) != null) {
                n++;
            }
        }
        return n;
    }

    /** A summary of the recent window: count, p50, p95, p99, max (each a bucket's upper bound). */
    public Summary summary() {
        readLock.lock();
        try {
            long[] totals = new long[BUCKETS];
            int stripes = stripeMask + 1;
            for (int s = 0; s < stripes; s++) {
                AtomicLongArray row = rows.get(s);
                if (row == null) {
                    continue;
                }
                for (int b = 0; b < BUCKETS; b++) {
                    totals[b] += row.get(b);
                }
            }
            long now = ticker.getAsLong();
            if (now - windowStart >= windowNanos) {
                previousStart = currentStart;
                currentStart = totals.clone();
                windowStart = now;
            }
            long[] window = new long[BUCKETS];
            long n = 0;
            for (int b = 0; b < BUCKETS; b++) {
                window[b] = totals[b] - previousStart[b];
                n += window[b];
            }
            if (n == 0) {
                return Summary.EMPTY;
            }
            return new Summary(n, percentile(window, n, 0.50), percentile(window, n, 0.95),
                    percentile(window, n, 0.99), percentile(window, n, 1.0));
        } finally {
            readLock.unlock();
        }
    }

    private static long percentile(long[] window, long n, double q) {
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += window[b];
            if (seen >= rank) {
                return upperBoundOf(b);
            }
        }
        return upperBoundOf(BUCKETS - 1);
    }

    /** Percentiles in nanoseconds. */
    public record Summary(long count, long p50, long p95, long p99, long max) {
        public static final Summary EMPTY = new Summary(0, 0, 0, 0, 0);
    }
}
