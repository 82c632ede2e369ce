package dev.corral;

import java.lang.System.Logger.Level;
import java.util.function.BiConsumer;

/**
 * Where a pool's failures go: a task's failure (or its callback's, or a context propagator's) to
 * the {@linkplain Pool.Builder#onTaskFailure failure handler}, everything that has no task (a
 * listener's failure on a pool event, a timed action, the thread factory) to the log. Reporting
 * never throws: a handler that throws is logged with the failure it was given, so that a worker
 * is never lost to it.
 */
final class FailureReporter {

    /**
     * The log, found at its first use: System.getLogger starts the logging backend (java.util.logging
     * reads its configuration and loads some 110 classes, about 230 KB allocated), a cost a pool
     * that never logs should not pay when it is built.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(Pool.class.getName());
    }

    private final String pool;
    private final BiConsumer<? super Task<?>, ? super Throwable> handler;

    /** {@code handler} null: failures are logged as WARNING with the pool and task names. */
    FailureReporter(String pool, BiConsumer<? super Task<?>, ? super Throwable> handler) {
        this.pool = pool;
        this.handler = handler != null ? handler : logTo(pool);
    }

    void report(Task<?> t, Throwable error) {
        try {
            handler.accept(t, error);
        } catch (Throwable handlerError) {
            try {
                handlerError.addSuppressed(error);
                Log.LOG.log(Level.ERROR, "pool '" + pool + "': the failure handler threw while reporting task '"
                        + t.name() + "'", handlerError);
            } catch (Throwable ignored) {
                // Never let reporting kill a worker.
            }
        }
    }

    /** A listener threw: reported like a callback's failure, or logged for a pool event. */
    void listenerFailed(Task<?> t, Throwable error) {
        if (t != null) {
            report(t, error);
        } else {
            Log.LOG.log(Level.WARNING, "pool '" + pool + "': the task listener threw", error);
        }
    }

    /** Logs a failure that belongs to no task ({@code what} says whose it is). */
    void log(Level level, String what, Throwable error) {
        Log.LOG.log(level, "pool '" + pool + "': " + what, error);
    }

    /**
     * What the deadline timer reports to: a stuck task always reaches the handler (whatever the
     * task's kind) after the listener hears of it; a timed action that threw is logged.
     */
    Deadlines.Reporter forTimer(TaskEvents events) {
        return new Deadlines.Reporter() {
            @Override
            public void stuck(Task<?> t, TaskStuckException stuck) {
                if (events != null) {
                    events.stuck(t, stuck);
                }
                report(t, stuck);
            }

            @Override
            public void timerFailed(Throwable error) {
                log(Level.WARNING, "a timed action failed", error);
            }
        };
    }

    private static BiConsumer<Task<?>, Throwable> logTo(String poolName) {
        return (t, e) -> Log.LOG.log(Level.WARNING, "pool '" + poolName + "': task '" + t.name() + "' failed", e);
    }
}
