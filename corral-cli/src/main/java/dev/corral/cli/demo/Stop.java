package dev.corral.cli.demo;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** How every pool of the commands is stopped after a measured run. */
public final class Stop {

    private Stop() {
    }

    /**
     * Stops {@code executor} now: interrupts what runs, cancels the tasks it hands back (a handed-back
     * task stays unsettled until someone settles it, and its client would wait on it forever), and
     * waits up to {@code bound} for its threads to end. Returns whether they did.
     */
    public static boolean now(ExecutorService executor, Duration bound) throws InterruptedException {
        for (Runnable never : executor.shutdownNow()) {
            if (never instanceof Future<?> f) {
                f.cancel(false);
            }
        }
        return executor.awaitTermination(bound.toNanos(), TimeUnit.NANOSECONDS);
    }
}
