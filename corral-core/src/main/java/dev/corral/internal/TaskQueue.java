package dev.corral.internal;

/**
 * The waiting room between submitters and workers. Implementations are safe for any number of
 * producers and consumers and never block; waiting is the pool's business, not the queue's.
 * Not API.
 *
 * @param <E> element type
 */
public interface TaskQueue<E> {

    /** Adds {@code e} if there is room; false if full. */
    boolean offer(E e);

    /** {@link #enqueue} found no room. */
    int REFUSED = 0;

    /**
     * {@link #enqueue} placed the element right behind one that was still waiting after this
     * element's place was claimed: the consumer that takes that one finishes its take after this
     * element is in, so an {@link #isEmpty()} it reads afterwards sees this one.
     */
    int BEHIND = 1;

    /** {@link #enqueue} placed the element with nothing known to be waiting ahead of it. */
    int FIRST = 2;

    /**
     * Like {@link #offer}, and says where the element went: {@link #REFUSED}, {@link #BEHIND} or
     * {@link #FIRST}. A producer that must make sure some consumer looks (the pool waking an idle
     * worker) need do so only for FIRST: a BEHIND element is seen by whoever takes the one ahead
     * of it. Queues that cannot tell cheaply answer FIRST.
     */
    default int enqueue(E e) {
        return offer(e) ? FIRST : REFUSED;
    }

    /**
     * Takes back an element this caller offered, if no consumer has taken it yet: exactly one of
     * this and a consumer's poll gets it. For a submitter that learns after its offer that it
     * must not have offered (the pool shut down meanwhile). Queues that cannot are never offered
     * such elements (the pool queues Runnables bare only where this works).
     *
     * @throws UnsupportedOperationException if this queue cannot take an element back
     */
    default boolean reclaim(E e) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot take an element back");
    }

    /** Removes and returns the head, or null if empty. */
    E poll();

    /**
     * Like {@link #poll()}, for a consumer that keeps a cursor: a queue made of several parts
     * begins with the cursor's part and advances it, so consumers share the parts out evenly; a
     * queue that can tell cheaply whether more is waiting behind the element taken says so in
     * {@link PollCursor#sawMore()}. Others just poll.
     */
    default E poll(PollCursor cursor) {
        cursor.sawMore = false;
        return poll();
    }

    /**
     * Whether the queue holds no element. A volatile read of the queue's indices, so that the
     * pool's idle-worker protocol can rely on it as one side of a Dekker-style handshake.
     */
    boolean isEmpty();

    /** Elements present, exact when the queue is quiet, never negative nor above capacity. */
    int size();

    /** The bound; {@link Integer#MAX_VALUE} for an unbounded queue. */
    int capacity();

    /**
     * Changes the bound, for offers from now on; elements already held stay even if they exceed
     * it. Returns false if this queue cannot hold that many (a ring cannot grow past the slots it
     * was built with).
     */
    boolean setCapacity(int capacity);

    /** The largest bound {@link #setCapacity} accepts. */
    default int maxCapacity() {
        return Integer.MAX_VALUE;
    }
}
