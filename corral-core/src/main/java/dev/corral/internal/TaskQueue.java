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

    /** Removes and returns the head, or null if empty. */
    E poll();

    /**
     * Like {@link #poll()}, for a consumer that names where to start looking: a queue made of
     * several parts begins with part {@code start} (modulo their number), so consumers that
     * rotate {@code start} share the parts out evenly. Others ignore it.
     */
    default E poll(int start) {
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
