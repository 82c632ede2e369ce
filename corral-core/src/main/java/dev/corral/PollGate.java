package dev.corral;

import dev.corral.internal.PaddedLongs;
import dev.corral.internal.PollCursor;
import dev.corral.internal.TaskQueue;
import java.util.concurrent.Semaphore;

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
 * The Semaphore's count lives in a small object of its own, written twice on every gated poll,
 * which the allocator (and each GC after it) puts beside other small objects of the pool: where
 * one of them is read on every task, every turn costs the other threads a cache miss. A gate of
 * our own with its count in the engine's padded words removed, together with the padded waiter
 * words, the slow runs this causes at two workers on two CPUs (one fork in 40 below 10.5 M
 * tasks/s against a quarter with the Semaphore and half before either), but ran tiny tasks
 * with eight workers a fifth slower (15.5 against 19.5-20 M tasks/s, its parked workers woken
 * from a stack): docs/bench/blocking-submission.md, session 19. The Semaphore stays until a gate
 * does both.
 */
final class PollGate {

    private static final int SPINS = PoolEngine.CPUS > 1 ? 256 : 0;

    private final Semaphore turns = new Semaphore(Math.max(1, PoolEngine.CPUS - 1));
    /** The engine's hot words: the spinner owns the SPINNING bit of its FLAGS word. */
    private final PaddedLongs hot;

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
        turns.acquireUninterruptibly();
        try {
            return queue.poll(w);
        } finally {
            turns.release();
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
}
