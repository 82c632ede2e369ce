package dev.corral.cli.limits;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * One strategy's way of holding requests to its limit. Every request arrives on a virtual thread
 * of its own (the open loop starts one per arrival, as a server starts one per connection); that
 * thread calls {@link #call} and gets the request's result, or {@link Refused} when the strategy
 * would not admit it within its wait.
 */
interface Gate {

    /**
     * Runs {@code request} once the limit admits it, on this thread or on a worker, and returns
     * its result.
     *
     * @throws Refused if the limit did not admit the request within the strategy's wait
     * @throws InterruptedException if the thread was interrupted (only the end of a run does that)
     * @throws Exception whatever else went wrong: the request failed
     */
    long call(Callable<Long> request) throws Exception;

    /** The limit as the table shows it: {@code 50}, {@code 9,615/s}, or where it moved to. */
    String limit();

    /** Called every progress tick, for gates that follow a limit that moves. */
    default void observe() {
    }

    /** A line about how the limit behaved during the run, or null if there is nothing to say. */
    default String note() {
        return null;
    }

    /**
     * Stops whatever threads the gate owns (a pool's workers), settles what it holds, and waits up
     * to {@code bound} for them to end.
     *
     * @return whether every thread ended within the bound
     */
    default boolean stop(Duration bound) throws InterruptedException {
        return true;
    }

    /**
     * The limit did not admit a request in time. A plain signal, not an error: it carries no stack
     * trace, and one instance serves every refusal.
     */
    final class Refused extends Exception {
        static final Refused INSTANCE = new Refused();

        private Refused() {
            super("refused by the limit", null, false, false);
        }
    }
}
