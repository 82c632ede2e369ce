package dev.corral;

import static dev.corral.Task.CANCELLED;
import static dev.corral.Task.CLAIMED;
import static dev.corral.Task.DISCARDED;
import static dev.corral.Task.EXPIRING;
import static dev.corral.Task.FAILED;
import static dev.corral.Task.HANDED_BACK;
import static dev.corral.Task.INTERRUPTING;
import static dev.corral.Task.QUEUED;
import static dev.corral.Task.QUEUED_SETTLING;
import static dev.corral.Task.RECLAIMED;
import static dev.corral.Task.RUNNING;
import static dev.corral.Task.RUNNING_SETTLING;
import static dev.corral.Task.SUCCEEDED;
import static dev.corral.Task.TIMED_OUT;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future.State;

/**
 * How a {@link Task}'s int state and outcome read from outside: the state as the JDK's
 * {@link State}, as a {@link Task.Phase} and as the word {@code toString()} shows, and the outcome
 * as {@code get()}, {@code resultNow()}, {@code exceptionNow()} and completion callbacks receive
 * it. Nothing here moves the state: the state machine stays whole in Task, and this is its cold,
 * read-only side. The outcome is read only after a settled state has been read, because the write
 * of that state is what publishes it. Not API.
 */
final class TaskViews {

    private TaskViews() {
    }

    /** {@link Task#state()}: a task being cancelled or timing out already reads CANCELLED or FAILED. */
    static State state(int s) {
        return switch (s) {
            case QUEUED, CLAIMED, RUNNING, RUNNING_SETTLING, QUEUED_SETTLING, HANDED_BACK -> State.RUNNING;
            case SUCCEEDED -> State.SUCCESS;
            case FAILED, DISCARDED, TIMED_OUT, EXPIRING -> State.FAILED;
            default -> State.CANCELLED;
        };
    }

    /** {@link Task#phase()}. */
    static Task.Phase phase(int s) {
        return switch (s) {
            case QUEUED, CLAIMED, HANDED_BACK, QUEUED_SETTLING -> Task.Phase.QUEUED;
            case RUNNING, RUNNING_SETTLING -> Task.Phase.RUNNING;
            default -> Task.Phase.SETTLED;
        };
    }

    /** {@link Task#isStarted()}, given the state and the {@code started} flag read after it. */
    static boolean isStarted(int s, boolean started) {
        return switch (s) {
            case RUNNING, RUNNING_SETTLING, INTERRUPTING, EXPIRING, SUCCEEDED, FAILED -> true;
            case CANCELLED, TIMED_OUT -> started; // written before the final state that we just read
            default -> false;
        };
    }

    /** The state as {@link Task#toString()} names it. */
    static String describe(int s) {
        return switch (s) {
            case QUEUED, CLAIMED, QUEUED_SETTLING -> "queued";
            case RUNNING, RUNNING_SETTLING -> "running";
            case HANDED_BACK -> "handed back";
            case EXPIRING -> "timing out";
            case INTERRUPTING -> "cancelling";
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            case DISCARDED -> "discarded";
            case TIMED_OUT -> "timed out";
            default -> "rejected";
        };
    }

    /** What {@code get()} returns or throws for a task it has seen in the settled state {@code s}. */
    @SuppressWarnings("unchecked")
    static <T> T report(Task<T> task, int s) throws ExecutionException {
        Object x = task.rawOutcome();
        if (s == SUCCEEDED) {
            return (T) x;
        }
        if (s == FAILED || s == DISCARDED || s == TIMED_OUT) {
            throw new ExecutionException((Throwable) x);
        }
        throw new CancellationException("task '" + task.name() + "' was cancelled");
    }

    /** The failure a completion callback receives (a CancellationException if cancelled), or null on success. */
    static Throwable failureOrNull(Task<?> task) {
        int s = task.rawState();
        if (s == SUCCEEDED) {
            return null;
        }
        if (s == FAILED || s == DISCARDED || s == TIMED_OUT) {
            return (Throwable) task.rawOutcome();
        }
        return new CancellationException("task '" + task.name() + "' was cancelled");
    }

    /** {@link Task#resultNow()}. */
    @SuppressWarnings("unchecked")
    static <T> T resultNow(Task<T> task) {
        return switch (task.rawState()) {
            case SUCCEEDED -> (T) task.rawOutcome();
            case FAILED, DISCARDED, TIMED_OUT, EXPIRING -> throw new IllegalStateException("task '" + task.name() + "' completed with an exception");
            case CANCELLED, RECLAIMED, INTERRUPTING -> throw new IllegalStateException("task '" + task.name() + "' was cancelled");
            default -> throw new IllegalStateException("task '" + task.name() + "' has not completed");
        };
    }

    /** {@link Task#exceptionNow()}. */
    static Throwable exceptionNow(Task<?> task) {
        int s = task.rawState();
        if (s == EXPIRING) {
            s = TaskWaiters.awaitSettledUninterruptibly(task); // decided, and recorded in a moment
        }
        return switch (s) {
            case FAILED, DISCARDED, TIMED_OUT -> (Throwable) task.rawOutcome();
            case SUCCEEDED -> throw new IllegalStateException("task '" + task.name() + "' completed with a result");
            case CANCELLED, RECLAIMED, INTERRUPTING -> throw new IllegalStateException("task '" + task.name() + "' was cancelled");
            default -> throw new IllegalStateException("task '" + task.name() + "' has not completed");
        };
    }
}
