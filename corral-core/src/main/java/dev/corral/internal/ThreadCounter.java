package dev.corral.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counter that a platform thread adds to without an atomic instruction: each platform thread
 * has a cell of its own (a ThreadLocal), written only by that thread with release stores and
 * summed by readers. Virtual threads, which are many and short-lived (a cell and a ThreadLocal
 * map each would outweigh the task), add atomically to striped shared cells instead. Not API.
 * <p>
 * Why: every {@code execute} counts itself as submitted, and on x86 every atomic add is a full
 * fence, which makes the submitter wait for its queue stores to reach the cache lines the
 * workers hold. On 2 cores, with a full queue of tiny tasks, dropping the submitter's atomic adds
 * raised throughput by 20-23% in every cell (docs/bench/blocking-submission.md). The submitter's
 * one fence left is the queue's own CAS.
 * <p>
 * Cells of threads that have ended are folded into a base when the table fills, so a pool fed by
 * ever new platform threads keeps one cell per live thread, not per thread it ever saw. A thread's
 * end happens-before {@code isAlive()} returning false, so its last count is folded whole.
 */
public final class ThreadCounter {

    private final ThreadLocal<Cell> own = new ThreadLocal<>();
    private final StripedCounter shared = new StripedCounter();
    private final ReentrantLock registering = new ReentrantLock();
    /** The cells and the folded count of ended threads, replaced whole so readers see them together. */
    private volatile Table table = new Table(new Cell[0], 0L);
    private static final int MIN_PRUNE = 8;
    private int pruneAt = MIN_PRUNE; // guarded by registering

    /**
     * A counter whose first cell is the calling thread's, if it is a platform thread: the thread
     * that builds a pool is most often the one that submits to it. Its first add then finds its
     * cell, where a miss (a ThreadLocal's first get on this thread) is a path that C2, which
     * compiled the submit path for earlier pools, had seen no thread take: a trap at a new pool
     * that threw the whole compiled submit path away, 6 times in 10 cold JVMs of the bench's
     * fan-out (docs/bench/blocking-submission.md, session 16).
     */
    public ThreadCounter() {
        Thread me = Thread.currentThread();
        if (!me.isVirtual()) {
            register(me);
        }
    }

    /** Adds one for the calling thread; returns its cell's new count (what the latency sample is drawn on). */
    public long increment() {
        return add(1);
    }

    public void decrement() {
        add(-1);
    }

    /** Adds {@code x} for the calling thread; returns its cell's new count. */
    public long add(long x) {
        Thread me = Thread.currentThread();
        if (me.isVirtual()) {
            return shared.addToCell(StripedCounter.cell(), x);
        }
        Cell c = own.get();
        if (c == null) {
            c = register(me);
        }
        long n = c.count + x; // only this thread writes it
        COUNT.setRelease(c, n);
        return n;
    }

    /** The sum of every cell; exact when no update is in flight. */
    public long sum() {
        Table t = table;
        long s = t.ended;
        for (Cell c : t.cells) {
            s += (long) COUNT.getAcquire(c);
        }
        return s + shared.sum();
    }

    /** Cells held now (tests: those of ended threads are folded away as new ones register). */
    int cells() {
        return table.cells.length;
    }

    private Cell register(Thread me) {
        Cell c = new Cell(me);
        registering.lock();
        try {
            Table t = table;
            Cell[] cells = t.cells;
            long ended = t.ended;
            if (cells.length >= pruneAt) {
                // Fold the cells of threads that have ended once the table has doubled since the
                // last time: amortised over the registrations, and within twice the live threads.
                int live = 0;
                Cell[] kept = new Cell[cells.length];
                for (Cell x : cells) {
                    if (x.owner.isAlive()) {
                        kept[live++] = x;
                    } else {
                        ended += (long) COUNT.getAcquire(x);
                    }
                }
                cells = Arrays.copyOf(kept, live);
                pruneAt = Math.max(MIN_PRUNE, 2 * live);
            }
            Cell[] next = Arrays.copyOf(cells, cells.length + 1);
            next[cells.length] = c;
            table = new Table(next, ended);
        } finally {
            registering.unlock();
        }
        own.set(c);
        return c;
    }

    private record Table(Cell[] cells, long ended) {
    }

    private static final class Cell {
        final Thread owner;
        volatile long count;

        Cell(Thread owner) {
            this.owner = owner;
        }
    }

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Cell.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
