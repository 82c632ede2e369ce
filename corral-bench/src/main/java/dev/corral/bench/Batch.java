package dev.corral.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable count-down for one batch of tasks, cheaper than a {@code CountDownLatch} per batch:
 * each task calls {@link #countDown()}, the one task that brings the count to zero unparks the
 * waiter. The waiter spins briefly (a batch of tiny tasks often ends within microseconds of the
 * last submission) and then parks, so that on a small machine it does not steal a core from the
 * workers it is waiting for.
 *
 * <p>One waiter per batch; {@link #reset} must not race with tasks of the previous batch (call it
 * only after {@link #await} returned).
 */
final class Batch {

    private static final int SPINS = 64;

    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Thread waiter;

    /** Arms the batch for {@code tasks} count-downs, with the calling thread as its waiter. */
    void reset(int tasks) {
        waiter = Thread.currentThread();
        remaining.set(tasks);
    }

    /** Called by each task once, when it ends. */
    void countDown() {
        if (remaining.decrementAndGet() == 0) {
            LockSupport.unpark(waiter);
        }
    }

    /** Tasks not yet counted down. */
    int remaining() {
        return remaining.get();
    }

    /**
     * Waits until every task counted down. An interrupt (JMH's iteration timeout sends one) ends
     * the wait with an exception that says how many tasks never ran, so a lost task shows up as a
     * failed benchmark instead of a hung one.
     */
    void await() {
        for (int i = 0; i < SPINS && remaining.get() != 0; i++) {
            Thread.onSpinWait();
        }
        while (remaining.get() != 0) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                throw new IllegalStateException("interrupted while " + remaining.get() + " tasks of the batch had not run");
            }
        }
    }

    /** Waits at most {@code timeout}; says whether every task counted down. */
    boolean await(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (remaining.get() != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(this, left);
        }
        return true;
    }
}
