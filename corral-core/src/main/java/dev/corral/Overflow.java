package dev.corral;

/**
 * What {@link Pool#submit} and {@link Pool#execute} do when every worker is busy and the queue is
 * full. The non-waiting {@code trySubmit}/{@code tryExecute} ignore this setting: they never wait
 * (or wait at most the time given) and report a full pool by their return value.
 */
public enum Overflow {
    /**
     * Wait until there is room, like a send on a full Go channel (the default). Waiting submitters
     * are admitted strictly in arrival order: a newcomer never takes a slot ahead of one that is
     * already waiting. A waiting submitter is told {@link java.util.concurrent.RejectedExecutionException}
     * if the pool shuts down, and {@link java.util.concurrent.RejectedExecutionException} with an
     * {@link InterruptedException} cause (interrupt status restored) if it is interrupted.
     */
    BLOCK,
    /**
     * Throw {@link java.util.concurrent.RejectedExecutionException} at once; the message names the
     * pool, its queue capacity and depth and its worker count.
     */
    REJECT,
    /**
     * Run the task in the submitting thread (slowing the submitter down, which is the point). After
     * shutdown the task is rejected instead. A task run this way is counted like any other.
     */
    CALLER_RUNS,
    /**
     * Push the oldest queued task out to make room. The pushed-out task is not silently lost: its
     * {@link Task} fails with a {@link java.util.concurrent.RejectedExecutionException}, it is
     * counted in {@link PoolStats#discarded()} and reported to the failure handler. With a queue
     * capacity of zero there is nothing to push out and the new task is rejected.
     */
    DISCARD_OLDEST
}
