package dev.corral;

import dev.corral.internal.PollCursor;
import dev.corral.internal.TaskQueue;
import java.util.concurrent.Semaphore;

/**
 * Lets at most CPUS - 1 (at least one) platform workers poll the queue at once while the pool has
 * more workers than CPUs; the others park until one is done polling. Only the poll is gated, never
 * a running task, so blocking tasks keep every worker busy. Measured on 2 cores
 * (docs/bench/blocking-submission.md, "Letting the losers sleep"): with eight workers of tiny
 * tasks every worker was always runnable, and the producers got their share of two CPUs among ten
 * threads; parked losers leave them the CPU, as the waiters on ThreadPoolExecutor's queue lock do.
 * Virtual workers have none: they never outnumber their carriers.
 */
final class PollGate {

    private final Semaphore turns = new Semaphore(Math.max(1, PoolEngine.CPUS - 1));

    /** Polls {@code queue} for {@code w}, parked until its turn if {@code live} workers outnumber the CPUs. */
    Object poll(TaskQueue<Object> queue, PollCursor w, int live) {
        if (live <= PoolEngine.CPUS) {
            return queue.poll(w);
        }
        turns.acquireUninterruptibly();
        try {
            return queue.poll(w);
        } finally {
            turns.release();
        }
    }
}
