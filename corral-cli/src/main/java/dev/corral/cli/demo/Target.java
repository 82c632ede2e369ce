package dev.corral.cli.demo;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/** One way of running the demo's requests: what the clients of one cell submit to. */
interface Target {

    /**
     * Starts {@code request}; the returned future settles with its outcome.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the request is refused
     * @throws OutOfMemoryError if no thread could be started for it (thread per request)
     */
    Future<Long> submit(Callable<Long> request);

    /**
     * Stops taking requests, interrupts the running ones, settles the queued ones (so no client
     * waits on them for ever) and waits up to {@code bound} for every thread to end.
     *
     * @return whether every thread ended within the bound
     */
    boolean stop(Duration bound) throws InterruptedException;

    /** What the executor is doing now, for a live view; cheap enough to read a few times a second. */
    ExecutorGauges gauges();
}
