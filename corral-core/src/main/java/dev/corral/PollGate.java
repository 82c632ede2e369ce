package dev.corral;

import dev.corral.internal.PaddedLongs;
import dev.corral.internal.PollCursor;
import dev.corral.internal.TaskQueue;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * How platform workers poll, beyond the take itself: at most CPUS - 1 (at least one) poll the
 * queue at once while the pool has as many workers as CPUs or more, and one at a time watches the queue
 * for a moment before it parks ({@link #spinForWork}). Virtual workers do neither (their pool has
 * no PollGate).
 * <p>
 * The gate: the others park until one is done polling. Only the poll is gated, never a running
 * task, so blocking tasks keep every worker busy. Measured on 2 cores
 * (docs/bench/blocking-submission.md, "Letting the losers sleep"): with eight workers of tiny
 * tasks every worker was always runnable, and the producers got their share of two CPUs among ten
 * threads; parked losers leave them the CPU, as the waiters on ThreadPoolExecutor's queue lock do.
 * Virtual workers never outnumber their carriers.
 * <p>
 * The turns are a non-fair Semaphore's synchronizer, step for step, in an object of our own
 * ({@link Turns}). The JDK's keeps its count in a small object written twice on every gated poll,
 * which the allocator (and each GC after it) puts beside other small objects of the pool: where
 * one of them is read on every task, every turn costs the other threads a cache miss, and with
 * two producers and two workers on a full queue a quarter to a half of the forks ran at 7-10 M
 * tasks/s instead of 12-14. Ours ends in padding, and the objects read on every task are padded
 * too (PoolEngine's line padding). A gate with a parking scheme of its own (session 19) cured the
 * slow forks as well, but ran tiny tasks with eight workers a fifth slower (15.5 against 19.5-20
 * M tasks/s); the Semaphore's algorithm on AQS keeps them where they were
 * (docs/bench/blocking-submission.md, sessions 19 and 20).
 */
final class PollGate {

    private static final int SPINS = PoolEngine.CPUS > 1 ? 256 : 0;

    // Line padding around the two fields every gated poll reads (PoolEngine says why).
    @SuppressWarnings("unused") private int g0;
    @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;
    private final Turns turns = new Turns(Math.max(1, PoolEngine.CPUS - 1));
    /** The engine's hot words: the spinner owns the SPINNING bit of its FLAGS word. */
    private final PaddedLongs hot;

    @SuppressWarnings("unused") private Object q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    PollGate(PaddedLongs hot) {
        this.hot = hot;
    }

    /**
     * Polls {@code queue} for {@code w}, parked until its turn if {@code live} workers are as many
     * as the CPUs or more. As many, not only more: with a worker per CPU, whoever submits shares a
     * CPU with one of them, and two workers polling a 2-core machine took turns at the head of the
     * ring and the batch's counter with the producer descheduled: tiny tasks from one producer to
     * two workers ran 8.7-9.1 M tasks/s ungated and 16.6-18.1 gated, TPE + ArrayBlockingQueue
     * (whose lock lets one worker in at a time) 14-15 (docs/bench/blocking-submission.md, session 16).
     */
    Object poll(TaskQueue<Object> queue, PollCursor w, int live) {
        if (live < PoolEngine.CPUS || live == 1) {
            return queue.poll(w);
        }
        turns.acquireShared(1);
        try {
            return queue.poll(w);
        } finally {
            turns.releaseShared(1);
        }
    }

    /**
     * Lets one worker at a time watch the queue for a moment before it parks (the Go scheduler's
     * "spinning M"). Under a stream of small tasks the next one usually arrives within a
     * microsecond or two, while parking and being woken costs the submitter a lock and a futex
     * wake and the worker a context switch; producers skip the wake-up while a worker spins. Only
     * one spins, so an idle pool burns at most one core for {@code SPINS} polls, then nothing.
     * <p>
     * Virtual workers never spin: a spinning virtual thread holds one of the few carrier threads
     * that every other virtual thread needs (with 100,000 virtual workers on 2 carriers the spin
     * was an eighth of the fan-out benchmark's CPU), and parking one costs no system call.
     * <p>
     * Correctness does not depend on the spin: the spinner stops spinning ({@code SPINNING}
     * cleared) before it announces itself idle and re-checks the queue, so a producer that
     * saw it spinning and skipped the wake-up offered before that re-check.
     */
    boolean spinForWork(PoolEngine e) {
        if (!setSpinning()) {
            return false;
        }
        boolean found = false;
        for (int i = 0; i < SPINS && e.runState == PoolEngine.RUNNING; i++) {
            if (!e.queue.isEmpty()) {
                found = true;
                break;
            }
            Thread.onSpinWait();
        }
        hot.getAndBitwiseAnd(PoolEngine.FLAGS, ~PoolEngine.SPINNING);
        return found;
    }

    /** Sets SPINNING in the engine's FLAGS if it is clear; false if another worker spins. */
    private boolean setSpinning() {
        for (;;) {
            long f = hot.get(PoolEngine.FLAGS);
            if ((f & PoolEngine.SPINNING) != 0) {
                return false;
            }
            if (hot.compareAndSet(PoolEngine.FLAGS, f, f | PoolEngine.SPINNING)) {
                return true;
            }
        }
    }

    /**
     * The turns: a non-fair Semaphore's synchronizer, step for step (the JDK's
     * {@code Semaphore.NonfairSync}), in an object that ends in 64 bytes of padding, so that no
     * object the allocator or a GC puts after it shares the line of its count. The count sits in
     * the synchronizer's first line, which the gate's callers need anyway.
     */
    @SuppressWarnings("unused")
    static final class Turns extends AbstractQueuedSynchronizer {

        // Reference fields are laid out after primitive ones and in the order declared, so these
        // come after the synchronizer's state, head and tail (its superclass's fields come first).
        private Object p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

        Turns(int turns) {
            setState(turns);
        }

        @Override
        protected int tryAcquireShared(int acquires) {
            for (;;) {
                int available = getState();
                int remaining = available - acquires;
                if (remaining < 0 || compareAndSetState(available, remaining)) {
                    return remaining;
                }
            }
        }

        @Override
        protected boolean tryReleaseShared(int releases) {
            for (;;) {
                int current = getState();
                if (compareAndSetState(current, current + releases)) {
                    return true;
                }
            }
        }
    }
}
