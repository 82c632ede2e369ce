package dev.corral.limit;

import dev.corral.Ticker;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import dev.corral.internal.StripedCounter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.function.IntUnaryOperator;

/**
 * The engine shared by {@link ConcurrencyLimiter} and {@link AdaptiveLimiter}: a resizable
 * semaphore that hands out {@link Permit} objects and counts what happens to them.
 *
 * <h2>Implementation overview</h2>
 * Permits live in an {@link AbstractQueuedSynchronizer} whose state is the number of
 * <em>available</em> permits, {@code limit - inUse}, exactly as in {@link
 * java.util.concurrent.Semaphore}; AQS gives us FIFO parking, fair and barging acquisition, and
 * the guarantee that a timed-out or interrupted waiter never consumes a permit (a cancelled node
 * passes its wake-up on to its successor). We do not hand-roll that queue: the lost-permit bugs of
 * other bulkheads all live in such hand-rolled hand-offs.
 *
 * <p>Invariant: {@code state == limit - inUse} whenever no resize is half-way. The limit is an
 * {@link AtomicInteger} beside the state; a resize first CASes the limit, then applies the
 * difference to the state: growth through {@code releaseShared(delta)}, which wakes waiters,
 * shrinkage by subtracting, which may drive the state negative when more permits are held than the
 * new limit allows. A negative state simply makes acquisition fail until enough permits come back,
 * so shrinking never revokes a held permit. Concurrent resizes commute because each applies only
 * its own difference.
 *
 * <p>Each permit carries a released flag flipped once under the permit's own monitor, so only the
 * first of any number of racing close/outcome calls reaches {@link #release}. Why a monitor and not
 * a CAS: the common use takes and closes a permit in one method ({@code try (Permit p = ...)}),
 * where the JIT's escape analysis proves the permit never leaves the thread, scalar-replaces it and
 * elides the lock, so the permit costs no allocation and no atomic instruction; a CAS through a
 * VarHandle defeats that analysis (measured: 32 bytes and one more locked instruction per permit,
 * about 20% of the bulkhead's single-thread cost). A permit that does escape pays an uncontended
 * thin lock (two uncontended CASes on its header instead of one on a field). Nothing blocks
 * inside the monitor, which is held for a few instructions: on JDK 21 a virtual thread that finds
 * it contended (two threads closing one permit at once) pins its carrier for no longer than that. Counters are striped counters updated
 * after the semaphore operation they describe; snapshots read them without a lock, which is why
 * {@link LimiterStats} documents them as individually, not jointly, exact.
 */
abstract class SemaphoreLimiter implements Limiter {

    /** How a permit was released. {@code close()} without a report is {@link #IGNORED}. */
    enum Outcome { SUCCESS, DROPPED, IGNORED }

    /** The limiter's clock: ages of held permits, latencies of calls. */
    final Ticker clock;
    private final Sync sync;
    /** Whether permits are stamped with the clock and in-flight count when acquired. */
    private final boolean stampPermits;
    /** Held permits, only when ages are tracked (null otherwise: the set costs a hash insert). */
    private final Set<HeldPermit> held;
    private final CopyOnWriteArrayList<Runnable> capacityListeners = new CopyOnWriteArrayList<>();

    private final StripedCounter rejected = new StripedCounter();
    private final StripedCounter interrupted = new StripedCounter();
    private final StripedCounter dropped = new StripedCounter();

    SemaphoreLimiter(int limit, boolean fair, Ticker clock, boolean trackPermitAge,
            boolean stampPermits) {
        this.sync = new Sync(limit, fair);
        this.clock = clock;
        this.held = trackPermitAge ? ConcurrentHashMap.newKeySet() : null;
        this.stampPermits = stampPermits || trackPermitAge;
    }

    // ---- Limiter ----------------------------------------------------------------------------

    @Override
    public final Optional<Permit> tryAcquire() {
        if (sync.tryAcquireShared(1) < 0) {
            rejected.increment();
            return Optional.empty();
        }
        return Optional.of(grant());
    }

    @Override
    public final Optional<Permit> tryAcquire(Duration maxWait) throws InterruptedException {
        long nanos = Checks.waitNanos(maxWait);
        boolean acquired;
        try {
            acquired = sync.tryAcquireSharedNanos(1, nanos);
        } catch (InterruptedException e) {
            interrupted.increment();
            throw e;
        }
        if (!acquired) {
            rejected.increment();
            return Optional.empty();
        }
        return Optional.of(grant());
    }

    @Override
    public final Permit acquire() throws InterruptedException {
        try {
            sync.acquireSharedInterruptibly(1);
        } catch (InterruptedException e) {
            interrupted.increment();
            throw e;
        }
        return grant();
    }

    @Override
    public final LimiterStats stats() {
        int limit = sync.limit();
        int inUse = Math.max(0, limit - sync.available());
        long oldest = -1;
        if (held != null) {
            long now = clock.nanoTime();
            oldest = 0;
            for (HeldPermit p : held) {
                oldest = Math.max(oldest, now - p.acquiredAt);
            }
        }
        // Released is derived, not counted: one atomic less per permit. Every granted permit is
        // either in use or released; read while permits move, the figure can lag by those in flight.
        long grantedNow = sync.granted();
        return new LimiterStats(limit, inUse, sync.getQueueLength(),
                grantedNow, rejected.sum(), interrupted.sum(), Math.max(0, grantedNow - inUse), dropped.sum(),
                oldest);
    }

    @Override
    public final void addCapacityListener(Runnable listener) {
        capacityListeners.add(Checks.notNull(listener, "listener"));
    }

    @Override
    public final boolean removeCapacityListener(Runnable listener) {
        Checks.notNull(listener, "listener");
        // CopyOnWriteArrayList.remove compares by equals; listeners are compared by identity.
        for (Runnable r : capacityListeners) {
            if (r == listener) {
                return capacityListeners.remove(r);
            }
        }
        return false;
    }

    // ---- for subclasses ---------------------------------------------------------------------

    /** The current limit. */
    final int currentLimit() {
        return sync.limit();
    }

    /** Whether waiters are served in arrival order. */
    final boolean fair() {
        return sync.fair;
    }

    /**
     * Moves the limit by {@code update} (applied to the current limit, retried on contention) and
     * wakes waiters or fires capacity listeners when it grew. Returns the change.
     */
    final int updateLimit(IntUnaryOperator update) {
        int delta = sync.updateLimit(update);
        if (delta > 0) {
            fireCapacityListeners();
        }
        return delta;
    }

    /** Counts a release that the subclass judged a drop although it was not reported as one. */
    final void countDrop() {
        dropped.increment();
    }

    /**
     * Called once per permit, before its slot is returned, with the outcome it was released with
     * and the clock reading at release (0 when permits are not stamped).
     */
    void onRelease(HeldPermit permit, Outcome outcome, long now) {}

    // ---- internals --------------------------------------------------------------------------

    private Permit grant() {
        HeldPermit permit;
        try {
            permit = stampPermits
                    ? new HeldPermit(clock.nanoTime(), Math.max(0, sync.limit() - sync.available()))
                    : new HeldPermit(0L, 0);
            if (held != null) {
                held.add(permit);
            }
        } catch (Throwable t) {
            // A failing clock (or OOM) must not strand the slot we already took.
            sync.releaseShared(1);
            throw t;
        }
        return permit; // counted as granted by the acquiring CAS itself
    }

    private void release(HeldPermit permit, Outcome outcome) {
        try {
            if (held != null) {
                held.remove(permit);
            }
            if (outcome == Outcome.DROPPED) {
                dropped.increment();
            }
            onRelease(permit, outcome, stampPermits ? clock.nanoTime() : 0L);
        } finally {
            sync.releaseShared(1);
        }
        fireCapacityListeners();
    }

    private void fireCapacityListeners() {
        if (capacityListeners.isEmpty()) {
            return;
        }
        for (Runnable listener : capacityListeners) {
            try {
                listener.run();
            } catch (Throwable t) {
                // The release already happened; a listener's failure must not look like ours.
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, t);
            }
        }
    }

    /** A permit of this limiter. Stamped fields are 0 unless the limiter stamps permits. */
    final class HeldPermit implements Permit {
        /** Clock reading when granted. */
        final long acquiredAt;
        /** Permits in use right after this one was granted, this one included. */
        final int inFlightAtAcquire;
        private boolean released; // guarded by this; see the overview for why a monitor

        HeldPermit(long acquiredAt, int inFlightAtAcquire) {
            this.acquiredAt = acquiredAt;
            this.inFlightAtAcquire = inFlightAtAcquire;
        }

        @Override
        public void close() {
            release(Outcome.IGNORED);
        }

        @Override
        public void success() {
            release(Outcome.SUCCESS);
        }

        @Override
        public void dropped() {
            release(Outcome.DROPPED);
        }

        @Override
        public void ignored() {
            release(Outcome.IGNORED);
        }

        @Override
        public boolean isValid() {
            synchronized (this) {
                return !released;
            }
        }

        @Override
        public long remainingNanos() {
            return isValid() ? Long.MAX_VALUE : 0L;
        }

        private void release(Outcome outcome) {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            SemaphoreLimiter.this.release(this, outcome);
        }

        @Override
        public String toString() {
            return "Permit[" + (isValid() ? "held" : "released") + "]";
        }
    }

    /** Available permits as AQS state; see the overview. */
    /**
     * Free permits and the grant count in one {@code long} state, so that a grant is one CAS: the
     * low 32 bits are the free permits (signed: negative after a shrink below the permits in use),
     * the high 32 bits count grants modulo 2^32, with the wraps counted apart (every 4 billion
     * grants). Counting grants in the same CAS that takes the permit saves the hot path an atomic
     * add on a separate counter.
     */
    private static final class Sync extends AbstractQueuedLongSynchronizer {
        private static final long serialVersionUID = 1L;
        private static final long LOW = 0xFFFF_FFFFL;

        final boolean fair;
        private final AtomicInteger limit;
        private final AtomicLong grantWraps = new AtomicLong();

        Sync(int limit, boolean fair) {
            this.fair = fair;
            this.limit = new AtomicInteger(limit);
            setState(pack(0, limit));
        }

        private static long pack(long grants, int available) {
            return (grants & LOW) << 32 | (available & LOW);
        }

        private static int available(long state) {
            return (int) state;
        }

        int limit() {
            return limit.get();
        }

        int available() {
            return available(getState());
        }

        /** Permits granted since construction. */
        long granted() {
            for (;;) {
                long wraps = grantWraps.get();
                long state = getState();
                if (wraps == grantWraps.get()) {
                    return (wraps << 32) + (state >>> 32);
                }
            }
        }

        @Override
        protected long tryAcquireShared(long unused) {
            if (fair && hasQueuedPredecessors()) {
                return -1;
            }
            for (;;) {
                long state = getState();
                int free = available(state);
                if (free <= 0) {
                    return -1;
                }
                long grants = (state >>> 32) + 1;
                if (compareAndSetState(state, pack(grants, free - 1))) {
                    if ((grants & LOW) == 0) {
                        grantWraps.incrementAndGet();
                    }
                    return free - 1;   // > 0 tells AQS to wake the next shared waiter too
                }
            }
        }

        @Override
        protected boolean tryReleaseShared(long permits) {
            for (;;) {
                long state = getState();
                int next = available(state) + (int) permits;
                if (compareAndSetState(state, pack(state >>> 32, next))) {
                    // Still <= 0 after a shrink: nobody can acquire, so nobody needs waking.
                    return next > 0;
                }
            }
        }

        int updateLimit(IntUnaryOperator update) {
            for (;;) {
                int old = limit.get();
                int next = update.applyAsInt(old);
                if (next == old) {
                    return 0;
                }
                if (limit.compareAndSet(old, next)) {
                    int delta = next - old;
                    if (delta > 0) {
                        releaseShared(delta);
                    } else {
                        for (;;) {
                            long state = getState();
                            if (compareAndSetState(state, pack(state >>> 32, available(state) + delta))) {
                                break;
                            }
                        }
                    }
                    return delta;
                }
            }
        }
    }
}
