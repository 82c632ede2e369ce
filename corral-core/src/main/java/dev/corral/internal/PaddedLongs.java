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
 * makes every submitting core miss on all of them. Declaration-order padding does not survive the
 * JVM's field layout; array elements do keep their order, so the values live in one array 128
 * bytes apart (two lines, against adjacent-line prefetch).
 */
public final class PaddedLongs {

    private static final int STRIDE = 16; // longs: 128 bytes
    private static final VarHandle AA = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells;

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
