package dev.corral;

import java.util.List;

/**
 * What {@link Pool#shutdownGracefully(java.time.Duration)} did. The three counts partition the
 * tasks that were in flight (queued or running) when the call stopped intake: each of them is in
 * exactly one, so {@code completed + interrupted + neverStarted().size()} is that number.
 *
 * @param completed   tasks that settled (succeeded, failed, were cancelled or timed out) before the
 *                    deadline
 * @param interrupted tasks still running at the deadline, which were interrupted (however they
 *                    then settle, they are counted here and not in {@code completed})
 * @param neverStarted tasks still queued at the deadline, handed back un-run: each is the
 *                    {@link Task} itself (cast to read its name), still queued; run it, or cancel it
 * @param terminated  whether every worker had ended when the call returned; false only when a task
 *                    ignored its interrupt (it is then counted in {@link #interrupted})
 */
public record ShutdownReport(long completed, long interrupted, List<Runnable> neverStarted, boolean terminated) {

    public ShutdownReport {
        neverStarted = List.copyOf(neverStarted);
    }
}
