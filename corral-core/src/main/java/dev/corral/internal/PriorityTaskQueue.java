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
 * <p>
 * Aging (optional): with a step {@code s}, a task's key is its arrival time plus
 * {@code priority * s} instead of its priority, so a task that has waited {@code s} counts as one
 * level more urgent, and no task starves behind a stream of more urgent ones: it is overtaken
 * only by tasks that arrive less than {@code (its priority - theirs) * s} after it. Still FIFO
 * among equal priorities (ties on the clock fall back to the arrival sequence).
 */
public final class PriorityTaskQueue<E> implements TaskQueue<E> {

    private final ReentrantLock lock = new ReentrantLock();
    private final ToIntFunction<? super E> priorityOf;
    private Object[] heap = new Object[16];   // guarded by lock
    private long[] keys = new long[16];       // guarded by lock: priority in the high bits, sequence low
    private long sequence;                    // guarded by lock
    private long[] seqs = new long[16];       // guarded by lock: arrival sequence, with aging
    private final java.util.function.LongSupplier clock; // null: no aging
    private final long agingNanos;
    private final long origin;
    private volatile int size;
    private volatile int limit;

    public PriorityTaskQueue(int capacity, ToIntFunction<? super E> priorityOf) {
        this(capacity, priorityOf, null, 0L);
    }

    /** With aging every {@code agingNanos} of waiting on {@code clock} (0: no aging). */
    public PriorityTaskQueue(int capacity, ToIntFunction<? super E> priorityOf, java.util.function.LongSupplier clock,
                             long agingNanos) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0 but was " + capacity);
        }
        this.limit = capacity;
        this.priorityOf = priorityOf;
        this.clock = agingNanos > 0 ? clock : null;
        this.agingNanos = agingNanos;
        this.origin = this.clock == null ? 0L : clock.getAsLong();
    }

    /** Orders by key, then (with aging) by arrival. Keys are unsigned without aging, signed with. */
    private boolean before(long k1, long s1, long k2, long s2) {
        if (clock == null) {
            return Long.compareUnsigned(k1, k2) < 0;
        }
        return k1 != k2 ? k1 < k2 : s1 < s2;
    }

    /** Packs a priority (any int) and an arrival sequence into one ordered long key. */
    private long key(int priority) {
        if (clock != null) {
            // Virtual arrival: time since the queue began plus priority steps (saturating).
            long waitedFrom = clock.getAsLong() - origin;
            long offset;
            try {
                offset = Math.multiplyExact((long) priority, agingNanos);
            } catch (ArithmeticException overflow) {
                offset = priority > 0 ? Long.MAX_VALUE : -Long.MAX_VALUE;
            }
            return waitedFrom + Math.max(-Long.MAX_VALUE / 4, Math.min(Long.MAX_VALUE / 4, offset));
        }
        // Unsigned order of (priority + 2^31) in the top 32 bits, then 32 bits of sequence. The
        // sequence wraps after 2^32 offers; ties among that many waiting tasks cannot occur.
        return ((long) priority + (1L << 31)) << 32 | (sequence & 0xFFFF_FFFFL);
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
                seqs = Arrays.copyOf(seqs, n * 2);
            }
            long k = key(p);
            long q = sequence++;
            int i = n;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(k, q, keys[parent], seqs[parent])) {
                    break;
                }
                heap[i] = heap[parent];
                keys[i] = keys[parent];
                seqs[i] = seqs[parent];
                i = parent;
            }
            heap[i] = e;
            keys[i] = k;
            seqs[i] = q;
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
            long movedSeq = seqs[last];
            heap[last] = null; // no slot keeps a reference
            int i = 0;
            int half = last >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < last && before(keys[right], seqs[right], keys[child], seqs[child])) {
                    child = right;
                }
                if (!before(keys[child], seqs[child], movedKey, movedSeq)) {
                    break;
                }
                heap[i] = heap[child];
                keys[i] = keys[child];
                seqs[i] = seqs[child];
                i = child;
            }
            if (last > 0) {
                heap[i] = moved;
                keys[i] = movedKey;
                seqs[i] = movedSeq;
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
