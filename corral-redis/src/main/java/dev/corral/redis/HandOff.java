package dev.corral.redis;

import dev.corral.Task;
import dev.corral.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a worker's parts meet: the deliveries it holds, the slots that bound them, and the queue
 * of verdicts waiting to be written. The {@link Fetcher} reserves slots and holds deliveries; the
 * pool threads decide them (freeing the slot and queueing the verdict); the {@link Settler} takes
 * the verdicts, writes them, and lets go of the deliveries; the {@link Leases} renew what is held;
 * a stop waits here for the held set to empty, then hands back what is left.
 *
 * <p>Invariants: a delivery is in {@link #held} from its fetch until its verdict is written (or
 * given up on); {@link #busySlots} counts the slots reserved by fetches plus the deliveries that
 * took one and are not decided yet, and never exceeds {@link #maxInFlight}; each delivery is
 * decided once and its verdict queued once.
 *
 * <p>Waits (a fetcher for slots or out a backoff, a stop for quiet) sleep on one condition. A
 * verdict signals it only when someone waits ({@link #waiters}), so the hot path takes no lock.
 */
final class HandOff {

    private final int maxInFlight;
    private final Ticker ticker;
    /** Every delivery fetched and not yet settled in Redis. */
    private final Map<String, Delivery> held = new ConcurrentHashMap<>();
    /** Deliveries occupying a slot: submitted to the pool, handler not yet decided. */
    private final AtomicInteger busySlots = new AtomicInteger();
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final ReentrantLock signal = new ReentrantLock();
    private final Condition changed = signal.newCondition();
    /** Threads waiting on {@code changed}: a handler's verdict signals only when someone waits. */
    private final AtomicInteger waiters = new AtomicInteger();
    /** False once the worker stops fetching: ends the fetchers' waits. */
    private volatile boolean fetching = true;

    HandOff(int maxInFlight, Ticker ticker) {
        this.maxInFlight = maxInFlight;
        this.ticker = ticker;
    }

    int maxInFlight() {
        return maxInFlight;
    }

    boolean fetching() {
        return fetching;
    }

    /** Ends fetching: the fetchers' waits return and their loops end. */
    void stopFetching() {
        fetching = false;
        wake();
    }

    // ------------------------------------------------------------------------------------------
    // Slots (the fetchers' side)

    /** Slots neither reserved nor taken; negative never, zero when saturated. */
    int free() {
        return maxInFlight - busySlots.get();
    }

    /** Takes all free slots for one fetch; 0 if there are none. */
    int reserveSlots() {
        while (true) {
            int busy = busySlots.get();
            int free = maxInFlight - busy;
            if (free <= 0) return 0;
            if (busySlots.compareAndSet(busy, busy + free)) return free;
        }
    }

    /** Gives back reserved slots a fetch did not fill. */
    void release(int slots) {
        if (slots <= 0) return;
        busySlots.addAndGet(-slots);
        if (waiters.get() > 0) wake();
    }

    /** Holds a fetched delivery; false if one for the same entry is held already. */
    boolean hold(Delivery d) {
        return held.putIfAbsent(d.key, d) == null;
    }

    void awaitSlots(int wanted, long maxNanos) {
        signal.lock();
        waiters.incrementAndGet();
        try {
            long left = maxNanos;
            while (maxInFlight - busySlots.get() < wanted && fetching && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiters.decrementAndGet();
            signal.unlock();
        }
    }

    /** Waits out a fetcher's backoff; a stop ends it early. */
    void pause(long millis) {
        signal.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (left > 0 && fetching) left = changed.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            signal.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Verdicts (the pool threads' side)

    /** The first verdict on a delivery wins; it frees the slot and goes to the settler. False if one had won already. */
    boolean decide(Delivery d, Outcome o) {
        return decide(d, o, null);
    }

    /** The same, recording what failed the attempt (for the listener's events) only if this verdict wins. */
    boolean decide(Delivery d, Outcome o, Throwable failure) {
        if (!d.decided.compareAndSet(false, true)) return false;
        if (failure != null) d.failure = failure;
        if (d.tookSlot) busySlots.decrementAndGet();
        outcomes.add(o);
        // Dekker with the waiters: they count themselves before re-reading busySlots, we decrement
        // busySlots before reading the count, so one of us sees the other (and waits are bounded).
        if (waiters.get() > 0) wake();
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Settling (the settler's side)

    /** The next verdict, waiting up to {@code timeout}; null if none came. */
    Outcome poll(long timeout, TimeUnit unit) throws InterruptedException {
        return outcomes.poll(timeout, unit);
    }

    /** Moves up to {@code max} queued verdicts into {@code batch}. */
    void drainTo(List<Outcome> batch, int max) {
        outcomes.drainTo(batch, max);
    }

    /** The delivery's verdict is written (or given up on): it is no longer held. */
    void settled(Delivery d) {
        held.remove(d.key, d);
    }

    // ------------------------------------------------------------------------------------------
    // The held set (leases, stats, a stop)

    int heldCount() {
        return held.size();
    }

    /** Whether this very delivery (not another one of the same entry) is still held. */
    boolean isHeld(Delivery d) {
        return held.get(d.key) == d;
    }

    /** A copy of the held deliveries, for a pass that calls Redis. */
    List<Delivery> heldSnapshot() {
        return new ArrayList<>(held.values());
    }

    /**
     * A stop's hand-back: marks every held delivery to be handed back, cancels its pool task
     * (interrupting a running handler, whose verdict is then a hand-back) or, when it has no task
     * yet, decides the hand-back here. False if some handler was still running.
     */
    boolean handBackAll() {
        boolean threadsReturned = true;
        if (!held.isEmpty()) {
            for (Delivery d : held.values()) {
                d.handBack = true;
                Task<?> t = d.task;
                if (t != null) {
                    if (t.isStarted() && !t.isDone()) threadsReturned = false;
                    t.cancel(true);
                } else if (d.tookSlot) {
                    decide(d, Outcome.handBack(d));
                }
            }
        }
        return threadsReturned;
    }

    /** Waits until nothing is held (every delivery settled in Redis), or the ticker passes {@code end}. */
    void awaitQuiet(long end) {
        signal.lock();
        waiters.incrementAndGet();
        try {
            while (!held.isEmpty()) {
                long left = end - ticker.nanoTime();
                if (left <= 0) return;
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiters.decrementAndGet();
            signal.unlock();
        }
    }

    void wake() {
        signal.lock();
        try {
            changed.signalAll();
        } finally {
            signal.unlock();
        }
    }
}
