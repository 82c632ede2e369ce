package dev.corral;

import java.util.concurrent.CountDownLatch;

/** Task bodies the pool tests share. */
final class TestTasks {

    private TestTasks() {
    }

    /** Counts {@code running} down, then waits for {@code release}; an interrupt ends the wait. */
    static Runnable blockUntil(CountDownLatch running, CountDownLatch release) {
        return () -> {
            running.countDown();
            awaitQuietly(release);
        };
    }

    /** Counts {@code running} down, then waits until interrupted (shutdownNow, cancel(true)). */
    static Runnable blockUntilInterrupted(CountDownLatch running) {
        return blockUntil(running, new CountDownLatch(1));
    }

    /** Waits for {@code release}; an interrupt ends the wait and stays set. */
    static Runnable blockUntil(CountDownLatch release) {
        return () -> awaitQuietly(release);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
