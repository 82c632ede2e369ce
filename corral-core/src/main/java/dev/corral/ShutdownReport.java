package dev.corral;

import java.util.List;

/**
 * What {@link Pool#shutdownGracefully(java.time.Duration)} did.
 *
 * @param completed   tasks that settled (succeeded, failed or were cancelled) between the call
 *                    and its return, having been queued or running at the call
 * @param interrupted tasks still running at the deadline, which were interrupted
 * @param neverStarted tasks still queued at the deadline, handed back un-run (their {@link Task}s
 *                    stay queued; run them, or cancel them)
 * @param terminated  whether every worker had ended when the call returned; false only when a task
 *                    ignored its interrupt (it is then counted in {@link #interrupted})
 */
public record ShutdownReport(long completed, long interrupted, List<Runnable> neverStarted, boolean terminated) {

    public ShutdownReport {
        neverStarted = List.copyOf(neverStarted);
    }
}
