package dev.corral.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A few volatile {@code long}s, each alone on its own pair of cache lines: a pool's hot fields,
 * and the cells of a {@link StripedCounter}. Not API.
 * <p>
 * Why: the JVM packs an object's {@code int} fields together, so a field that workers write many
 * times a second (a spinning flag, the idle count) shares its cache line with read-mostly fields
 * that every submission reads (the run state, the worker cap, the waiter count), and each write
 * makes every submitting core miss on all of them. Padding a field where it is declared does not
 * survive the JVM's field layout (it groups fields by kind and size); array elements do keep their
 * order, so the values live in one array 128 bytes apart (two lines, against adjacent-line
 * prefetch).
 */
public final class PaddedLongs {

    private static final int STRIDE = 16; // longs: 128 bytes
    private static final VarHandle AA = MethodHandles.arrayElementVarHandle(long[].class);

    /*
     * The holder itself is read on every access, and a small object lies beside others in memory,
     * wherever the allocator or the last GC put it: beside a lock's or a semaphore's state, say,
     * written many times a second. So its one field sits between 64 bytes of padding on each side:
     * the JVM lays out primitive fields first (the int fills the gap after the header, the longs
     * follow in the order declared) and reference fields last, in the order declared. The pool's
     * other objects read on every task do the same (PoolEngine's line padding).
     */
    @SuppressWarnings("unused") private int g0;
    @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;
    private final long[] cells;
    @SuppressWarnings("unused") private Object q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    /** {@code n} values, all 0. */
    public PaddedLongs(int n) {
        cells = new long[(n + 2) * STRIDE]; // a spare stride before the first and after the last
    }

    private static int at(int i) {
        return (i + 1) * STRIDE;
    }

    public long get(int i) {
        return (long) AA.getVolatile(cells, at(i));
    }

    public void set(int i, long value) {
        AA.setVolatile(cells, at(i), value);
    }

    public boolean compareAndSet(int i, long expected, long value) {
        return AA.compareAndSet(cells, at(i), expected, value);
    }

    /** Adds {@code delta} to value {@code i} atomically; returns the value before. */
    public long getAndAdd(int i, long delta) {
        return (long) AA.getAndAdd(cells, at(i), delta);
    }

    public long getAndBitwiseAnd(int i, long mask) {
        return (long) AA.getAndBitwiseAnd(cells, at(i), mask);
    }
}
