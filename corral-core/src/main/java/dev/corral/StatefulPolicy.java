package dev.corral;

import java.util.concurrent.locks.ReentrantLock;

/**
 * What the built-in scaling policies share: one lock around each decision (a lock, not
 * {@code synchronized}: the pool's scaler may be a virtual thread, and the lock also publishes
 * the window state between the threads that call in turn), and the cooldown after a change.
 * Not API.
 */
abstract class StatefulPolicy implements ScalingPolicy {

    private final ReentrantLock lock = new ReentrantLock();
    private boolean changed;       // guarded by lock: the policy has changed the count at least once
    private long changedAt;        // guarded by lock: the sample time of its last change

    @Override
    public final Decision decide(LoadSample s) {
        lock.lock();
        try {
            return decideLocked(s);
        } finally {
            lock.unlock();
        }
    }

    /** The decision, under the lock. */
    abstract Decision decideLocked(LoadSample s);

    /** Closes the policy's windows after a change, so new evidence must build up. Under the lock. */
    abstract void resetWindows();

    /** Whether a change happened less than {@code cooldownNanos} before {@code now}. */
    final boolean inCooldown(long now, long cooldownNanos) {
        return changed && now - changedAt < cooldownNanos;
    }

    /** Records a change at {@code now} and returns it. */
    final Decision change(long now, int target, String reason) {
        changed = true;
        changedAt = now;
        resetWindows();
        return new Decision(target, reason);
    }
}
