package dev.corral;

/**
 * A Runnable queued bare ({@code PoolEngine.offerBare}) that falls in the latency sample: the
 * Runnable and when it was accepted, so that its worker records its queue wait and run time
 * without the Task such a submission used to get. Below the sampling rate every submission is in
 * the sample, and a burst onto a virtual pool is all below it: half the tasks of a 10,000-task
 * fan-out went the Task path, each with a Task (128 bytes) and the Task path's frames on its
 * blocked stack. This costs 24 bytes and keeps the bare path's one frame.
 *
 * <p>Not a Runnable itself, so nothing can mistake it for the user's: every place that takes a
 * bare element out of the queue (a worker, a hand-back, a cancellation at termination) unwraps it
 * with {@link #of}.
 */
final class TimedRunnable {

    final Runnable body;
    /**
     * Ticker time of its acceptance; of its start once its worker starts it (Worker.starts:
     * from then on only that worker reads it).
     */
    long at;

    TimedRunnable(Runnable body, long acceptedAt) {
        this.body = body;
        this.at = acceptedAt;
    }

    /**
     * Whether the bare queue element {@code bare} is one of these. Every test of an element's type
     * on a worker's path is a {@code Class.isInstance} or {@code Class.cast} on a constant class:
     * C2 compiles those without a type profile of their own, while an {@code instanceof}, a cast
     * or a {@code getClass()} speculates on the classes its profile saw, which here are the user's
     * task classes, and traps on any other. A worker's loop is one long-lived frame, so when a
     * task class appears after the loop was compiled, every virtual worker blocked in a task's
     * body goes through that trap when it gets back, a deoptimization each: 4,741 to 8,970 in one
     * cold fan-out of 10,000 workers, in 5 of 16 JVMs of the bench's fan-out
     * (docs/bench/blocking-submission.md, session 16). C2 can still bring a speculation on the
     * element's class from elsewhere (most cold JVMs trap here once, in the first worker that
     * starts a task of a new class, before its body): one recompile, not a trap per blocked worker.
     */
    static boolean is(Object bare) {
        return TimedRunnable.class.isInstance(bare);
    }

    /**
     * The user's Runnable of a bare queue element: the element itself, or the one timed here.
     * {@code Class.cast}, as C2 compiles it, checks the type without a profile (see {@link #is}).
     */
    static Runnable of(Object bare) {
        return is(bare) ? ((TimedRunnable) bare).body : Runnable.class.cast(bare);
    }
}
