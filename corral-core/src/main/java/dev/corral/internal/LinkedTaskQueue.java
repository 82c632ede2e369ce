package dev.corral.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The linked queue, for pools built with an explicit {@code unboundedQueue()} or a
 * {@code resizableQueue(n)}. A lock-free linked queue with a separate element count
 * (ConcurrentLinkedQueue's own size() walks the list), which also enforces the changeable bound.
 */
public final class LinkedTaskQueue<E> implements TaskQueue<E> {

    private final ConcurrentLinkedQueue<E> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile int limit;

    /** A linked queue bounded by {@code limit} (changeable), or unbounded with Integer.MAX_VALUE. */
    public LinkedTaskQueue(int limit) {
        this.limit = limit;
    }

    @Override
    public boolean offer(E e) {
        // Count first so that isEmpty() never reports an element that is being added as absent
        // (the pool's idle protocol reads isEmpty() after announcing a worker idle).
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return false;
        }
        queue.offer(e);
        return true;
    }

    @Override
    public E poll() {
        E e = queue.poll();
        if (e != null) {
            count.decrementAndGet();
        }
        return e;
    }

    /**
     * Removes one element equal to {@code e} (ConcurrentLinkedQueue's remove, a CAS on the node
     * against poll's): for a Runnable without its own equals, {@code e} itself.
     */
    @Override
    public boolean reclaim(E e) {
        if (queue.remove(e)) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public boolean isEmpty() {
        return count.get() <= 0;
    }

    @Override
    public int size() {
        return Math.max(0, count.get());
    }

    @Override
    public int capacity() {
        return limit;
    }

    @Override
    public boolean setCapacity(int newCapacity) {
        if (newCapacity <= 0) {
            return false;
        }
        limit = newCapacity;
        return true;
    }
}
