package dev.corral.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue made of several {@link MpmcRing}s, so that submitters on different cores do not
 * all CAS one tail and workers do not all CAS one head (ants' MultiPool idea, and the reason
 * ForkJoinPool keeps a submission queue per submitter). Not API.
 *
 * <h2>Implementation overview</h2>
 * The capacity is split over {@code n} stripes (a power of two), the first {@code capacity % n}
 * stripes taking one slot more, so the bound is exact: every stripe's own bound is exact and they
 * add up to the whole. A producer offers to its home stripe, picked by its thread id (threads
 * created one after another land on different stripes), and only when that stripe is full to the
 * next ones in turn; {@link #offer} reports full only after every stripe refused. A consumer polls
 * from the stripe its cursor names ({@link #poll(PollCursor)}: each worker has its own, advanced
 * every poll) and goes round the others, so no stripe waits while another is being served: each
 * one is the first choice of every worker once per round.
 * <p>
 * Order: one submitting thread's tasks leave in the order it offered them while its home stripe
 * has room; across threads, and when a full stripe spills into the next, the order is
 * approximate. A pool that promises exact FIFO (one worker, or one stripe by request) does not
 * stripe.
 * <p>
 * {@link #isEmpty()} is true only if every stripe's claimed indices say empty, read one stripe
 * after the other, each a volatile read. The pool's idle handshake stays sound: a producer that
 * offered (a CAS, a full fence) before a worker announced itself idle is seen by that worker's
 * later scan, whichever stripe it used; one that offers after the announcement sees the idle worker.
 */
public final class StripedRing<E> implements TaskQueue<E> {

    private final MpmcRing<E>[] stripes;
    private final int mask;
    private final int slots;
    /** The bound offers obey: {@code slots} unless lowered by {@link #setCapacity}. */
    private volatile int bound;
    /** Serialises offers while the bound is lowered; see {@link #offerLowered}. */
    private final ReentrantLock lowered = new ReentrantLock();

    /**
     * @param capacity total bound, at least {@code stripes}
     * @param stripes  a power of two, at least 2
     */
    @SuppressWarnings("unchecked")
    public StripedRing(int capacity, int stripes) {
        if (stripes < 2 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two >= 2 but was " + stripes);
        }
        if (capacity < stripes) {
            throw new IllegalArgumentException("capacity must be >= stripes (" + stripes + ") but was " + capacity);
        }
        this.stripes = new MpmcRing[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new MpmcRing<>(share(capacity, stripes, i));
        }
        this.mask = stripes - 1;
        this.slots = capacity;
        this.bound = capacity;
    }

    /** Stripe {@code i}'s part of {@code total}: an even split, the remainder to the first ones. */
    private static int share(int total, int stripes, int i) {
        return total / stripes + (i < total % stripes ? 1 : 0);
    }

    /** The number of stripes. */
    public int stripes() {
        return stripes.length;
    }

    /** Stripe {@code i}: for tests (a large stripe allocates its arrays at its own first enqueue). */
    MpmcRing<E> stripe(int i) {
        return stripes[i];
    }

    private static int home() {
        return (int) Thread.currentThread().threadId();
    }

    @Override
    public boolean offer(E e) {
        return enqueue(e) != REFUSED;
    }

    /** Where the element went within the stripe it went to: BEHIND is about that stripe alone. */
    @Override
    public int enqueue(E e) {
        if (bound != slots) {
            return offerLowered(e);
        }
        return offerToStripes(e);
    }

    /**
     * An offer under a lowered bound. The stripes' shares of the new bound do not bound the total
     * by themselves (tasks already held above one stripe's share would let the others fill up
     * to theirs), so offers take a lock and check the total: with every producer serialised no
     * tail moves while it is summed and heads only grow, so the sum is an upper bound of what is
     * held, and the offer keeps the total within the bound. Lowering is an operator's action,
     * rare and temporary; the lock-free path returns once the bound is raised to the full size.
     */
    private int offerLowered(E e) {
        lowered.lock();
        try {
            return size() < bound ? offerToStripes(e) : REFUSED;
        } finally {
            lowered.unlock();
        }
    }

    private int offerToStripes(E e) {
        int h = home();
        for (int i = 0; i <= mask; i++) {
            int placed = stripes[(h + i) & mask].enqueue(e);
            if (placed != REFUSED) {
                return placed;
            }
        }
        return REFUSED;
    }

    /** Looks in the caller's home stripe first, where its offers go while there is room. */
    @Override
    public boolean reclaim(E e) {
        int h = home();
        for (int i = 0; i <= mask; i++) {
            if (stripes[(h + i) & mask].reclaim(e)) {
                return true;
            }
        }
        return false;
    }

    /** Polls starting from the calling thread's home stripe. */
    @Override
    public E poll() {
        return pollFrom(home(), null);
    }

    @Override
    public E poll(PollCursor cursor) {
        cursor.sawMore = false;
        return pollFrom(cursor.start++, cursor);
    }

    private E pollFrom(int start, PollCursor cursor) {
        for (int i = 0; i <= mask; i++) {
            MpmcRing<E> s = stripes[(start + i) & mask];
            E e = cursor == null ? s.poll() : s.poll(cursor);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    @Override
    public boolean isEmpty() {
        for (MpmcRing<E> s : stripes) {
            if (!s.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int size() {
        int n = 0;
        for (MpmcRing<E> s : stripes) {
            n += s.size();
        }
        return n;
    }

    @Override
    public int capacity() {
        return bound;
    }

    @Override
    public int maxCapacity() {
        return slots;
    }

    /**
     * Splits the new bound over the stripes as the constructor did (a stripe's share may be 0
     * when the bound is below the number of stripes; offers then skip it), and while it is below
     * the full size also checks the total on every offer ({@link #offerLowered}).
     */
    @Override
    public boolean setCapacity(int capacity) {
        if (capacity <= 0 || capacity > slots) {
            return false;
        }
        lowered.lock(); // not while a lowered offer sums the stripes
        try {
            for (int i = 0; i < stripes.length; i++) {
                stripes[i].setLimit(share(capacity, stripes.length, i));
            }
            bound = capacity;
        } finally {
            lowered.unlock();
        }
        return true;
    }
}
