package dev.corral.internal;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * A bounded priority queue: the lowest priority number first, first-in first-out among equal
 * priorities. Not API.
 *
 * <h2>Implementation overview</h2>
 * A binary heap of (priority, arrival sequence) keys under one lock: the sequence breaks ties, so
 * equal priorities leave in arrival order (the JDK's PriorityBlockingQueue does not promise that,
 * and is unbounded). The bound is enforced at offer. {@code size} is volatile and written under the
 * lock after each change, so that {@link #isEmpty()} can serve the pool's lock-free handshakes
 * (announce, then re-check) exactly as the ring's indices do.
 */
public final class PriorityTaskQueue<E> implements TaskQueue<E> {

    private final ReentrantLock lock = new ReentrantLock();
    private final ToIntFunction<? super E> priorityOf;
    private Object[] heap = new Object[16];   // guarded by lock
    private long[] keys = new long[16];       // guarded by lock: priority in the high bits, sequence low
    private long sequence;                    // guarded by lock
    private volatile int size;
    private volatile int limit;

    public PriorityTaskQueue(int capacity, ToIntFunction<? super E> priorityOf) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0 but was " + capacity);
        }
        this.limit = capacity;
        this.priorityOf = priorityOf;
    }

    /** Packs a priority (any int) and an arrival sequence into one ordered long key. */
    private long key(int priority) {
        // Unsigned order of (priority + 2^31) in the top 32 bits, then 32 bits of sequence. The
        // sequence wraps after 2^32 offers; ties among that many waiting tasks cannot occur.
        return ((long) priority + (1L << 31)) << 32 | (sequence++ & 0xFFFF_FFFFL);
    }

    @Override
    public boolean offer(E e) {
        int p = priorityOf.applyAsInt(e);
        lock.lock();
        try {
            int n = size;
            if (n >= limit) {
                return false;
            }
            if (n == heap.length) {
                heap = Arrays.copyOf(heap, n * 2);
                keys = Arrays.copyOf(keys, n * 2);
            }
            long k = key(p);
            int i = n;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (Long.compareUnsigned(keys[parent], k) <= 0) {
                    break;
                }
                heap[i] = heap[parent];
                keys[i] = keys[parent];
                i = parent;
            }
            heap[i] = e;
            keys[i] = k;
            size = n + 1;
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public E poll() {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            int n = size;
            if (n == 0) {
                return null;
            }
            E top = (E) heap[0];
            int last = n - 1;
            Object moved = heap[last];
            long movedKey = keys[last];
            heap[last] = null; // no slot keeps a reference
            int i = 0;
            int half = last >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < last && Long.compareUnsigned(keys[right], keys[child]) < 0) {
                    child = right;
                }
                if (Long.compareUnsigned(movedKey, keys[child]) <= 0) {
                    break;
                }
                heap[i] = heap[child];
                keys[i] = keys[child];
                i = child;
            }
            if (last > 0) {
                heap[i] = moved;
                keys[i] = movedKey;
            }
            size = last;
            return top;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int capacity() {
        return limit;
    }

    @Override
    public boolean setCapacity(int capacity) {
        if (capacity <= 0) {
            return false;
        }
        limit = capacity;
        return true;
    }
}
