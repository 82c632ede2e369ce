package dev.corral;

/**
 * Reported (once per task) to a pool's failure handler when a task keeps running after its
 * deadline interrupted it: the code ignores interruption, so its worker cannot be given back. The
 * exception's stack trace is the stuck thread's, taken when it was reported.
 */
public final class TaskStuckException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TaskStuckException(String message) {
        super(message);
    }
}
