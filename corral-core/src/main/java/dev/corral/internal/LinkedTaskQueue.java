package dev.corral.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The unbounded queue, for pools built with an explicit {@code unboundedQueue()}. A lock-free
 * linked queue with a separate element count (ConcurrentLinkedQueue's own size() walks the list).
 */
public final class LinkedTaskQueue<E> implements TaskQueue<E> {

    private final ConcurrentLinkedQueue<E> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public boolean offer(E e) {
        // Count first so that isEmpty() never reports an element that is being added as absent
        // (the pool's idle protocol reads isEmpty() after announcing a worker idle).
        count.incrementAndGet();
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
        return Integer.MAX_VALUE;
    }
}
