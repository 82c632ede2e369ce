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
     * Ticker time of its acceptance; of its start once its worker starts it (Worker.bareStarting:
     * from then on only that worker reads it).
     */
    long at;

    TimedRunnable(Runnable body, long acceptedAt) {
        this.body = body;
        this.at = acceptedAt;
    }

    /** The user's Runnable of a bare queue element: the element itself, or the one timed here. */
    static Runnable of(Object bare) {
        return bare instanceof TimedRunnable t ? t.body : (Runnable) bare;
    }
}
