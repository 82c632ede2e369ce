package dev.corral;

import dev.corral.internal.PaddedLongs;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The idle workers: a LIFO stack ordered by last use (ants' idea). The top is the most recently
 * idled worker, so hot threads are reused first; the bottom is the longest idle, so the workers
 * whose keep-alive has passed form a prefix and the search for them stops at the first one still
 * fresh.
 *
 * <p>Guarded by the engine's lock: every method is called with it held. The stack's size is also
 * published lock-free, in the engine's hot word {@code IDLE_COUNT}, on every change: a submission
 * reads it without the lock to decide whether to wake someone, and the order "push, publish the
 * count, re-check the queue" in {@code PoolEngine.park} is one half of the engine's Dekker
 * handshake (see the engine's overview). The protocol (who pushes, who pops and why) stays in
 * the engine; this class keeps the array and the bookkeeping.
 */
final class IdleStack {

    private final PaddedLongs hot;
    private final int countSlot;
    private Worker[] idle = new Worker[16];
    /** since[i]: ticker time idle[i] went idle. Here, not in the Worker: only idle workers need it. */
    private long[] since = new long[16];
    private int top;

    /** The count is published in {@code hot[countSlot]}. */
    IdleStack(PaddedLongs hot, int countSlot) {
        this.hot = hot;
        this.countSlot = countSlot;
    }

    /** Pushes {@code w}, idle since {@code now}, marks it parked, and publishes the count. */
    void push(Worker w, long now) {
        if (top == idle.length) {
            idle = Arrays.copyOf(idle, idle.length * 2);
            since = Arrays.copyOf(since, idle.length);
        }
        since[top] = now;
        idle[top++] = w;
        w.parked = true;
        hot.set(countSlot, top);
    }

    /**
     * Pops the most recently idled worker (LIFO keeps hot threads hot), or null. The caller then
     * calls {@link #release} and unparks it.
     */
    Worker pop() {
        if (top == 0) {
            return null;
        }
        Worker w = idle[--top];
        idle[top] = null;
        hot.set(countSlot, top);
        return w;
    }

    /**
     * Lets a popped worker go, with a task handed over or none. The hand-off is written before
     * {@code parked} is cleared, so a worker that sees itself released also sees its task, even if
     * it woke spuriously.
     */
    static void release(Worker w, Task<?> handoff) {
        w.given = handoff;
        w.parked = false;
    }

    /** Takes {@code w} off the stack wherever it is (it found work, or it is leaving). */
    void remove(Worker w) {
        for (int i = top - 1; i >= 0; i--) {
            if (idle[i] == w) {
                System.arraycopy(idle, i + 1, idle, i, top - i - 1);
                System.arraycopy(since, i + 1, since, i, top - i - 1);
                idle[--top] = null;
                break;
            }
        }
        w.parked = false;
        hot.set(countSlot, top);
    }

    /** Workers on the stack (the same value the engine reads lock-free). */
    int size() {
        return top;
    }

    /** How many of the longest idle have been idle for {@code keepAliveNanos} at {@code now}: a prefix. */
    int idleFor(long now, long keepAliveNanos) {
        int n = 0;
        while (n < top && now - since[n] >= keepAliveNanos) {
            n++;
        }
        return n;
    }

    /**
     * Takes the {@code n} longest idle workers off the stack, marks them retired and released
     * (live must already count them out), and returns them for the caller to unpark after
     * releasing the lock.
     */
    Worker[] retireOldest(int n) {
        Worker[] out = Arrays.copyOf(idle, n);
        for (Worker w : out) {
            w.retired = true;
            release(w, null);
        }
        System.arraycopy(idle, n, idle, 0, top - n);
        System.arraycopy(since, n, since, 0, top - n);
        Arrays.fill(idle, top - n, top, null);
        top -= n;
        hot.set(countSlot, top);
        return out;
    }

    /** Wakes every idle worker without releasing it: it parks again with the current keep-alive and minimum. */
    void nudgeAll() {
        for (int i = 0; i < top; i++) {
            LockSupport.unpark(idle[i].thread);
        }
    }
}
