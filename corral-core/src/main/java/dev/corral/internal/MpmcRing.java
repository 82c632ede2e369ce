package dev.corral.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded multi-producer multi-consumer FIFO ring of exactly {@code capacity} slots.
 *
 * <h2>Implementation overview</h2>
 * Dmitry Vyukov's bounded MPMC queue: every slot carries a sequence number. A producer claims
 * position {@code p} by CAS on {@code tail} when slot {@code p % capacity} has sequence {@code 2p},
 * writes the element and publishes it by setting the sequence to {@code 2p + 1}; a consumer claims
 * position {@code c} by CAS on {@code head} when the slot's sequence is {@code 2c + 1}, takes the
 * element and frees the slot for the next lap by setting the sequence to {@code 2(c + capacity)}.
 * (Vyukov's original uses {@code p}, {@code p + 1} and {@code c + capacity}; doubling keeps
 * "published" and "free for the next lap" distinct when the capacity is 1.)
 * One CAS per operation (and a consumer's swap of the element, see {@link #reclaim}), no
 * allocation. The bound is exact: a slot is reused only after its
 * consumer has released it, so at most {@code capacity} elements are ever held.
 * <p>
 * Two transient effects are inherent and harmless for the pool: an offer can report "full" while a
 * consumer that has already claimed a slot is still releasing it, and a poll can report "empty"
 * while a producer that has claimed a slot is still publishing it. {@link #isEmpty()} compares the
 * claimed indices, so it reports such an in-flight element as present; the pool's idle protocol
 * relies on that.
 * <p>
 * The two indices sit on their own cache lines so producers and consumers do not false-share.
 *
 * <h2>Large rings are allocated at the first enqueue</h2>
 * Above {@link #EAGER_SLOTS} slots the two arrays ({@code 12 * capacity} bytes and more) are
 * allocated by the first enqueue, not by the constructor. A pool on virtual threads below its
 * worker cap starts a worker for every task and never queues one, yet its ring was built for the
 * configured queue capacity: at 65,536 that was 786 KB up front, and the 524 KB {@code long[]} is
 * a G1 humongous object that takes a whole 1 MB region. Until then the ring is empty: polls,
 * {@link #reclaim} and {@link #isEmpty()} answer without the arrays, and the bounds
 * ({@link #capacity()}, {@link #setCapacity}) are fields of the ring itself. The arrays sit in one
 * {@link Slots} holder with final fields, installed once by a CAS; see {@link #install}.
 * <p>
 * A small ring (the default 1,024 slots: 12 KB) gets its arrays in the constructor instead. The
 * first enqueue of every lazy ring takes a branch that no enqueue before it took, and the JIT
 * compiles that branch away: each new pool's first task then deoptimized the submitter's whole
 * compiled path (offer, worker start, enqueue, inlined into one another), which ran in the
 * profiling tier for the next few hundred milliseconds. A benchmark that builds a pool per
 * fan-out paid that in every fan-out (docs/bench/blocking-submission.md, session 15).
 */
public final class MpmcRing<E> implements TaskQueue<E> {

    // The first int fills the gap after the header, so that no field read on every operation
    // shares a line with the object before this one; the references after the last field keep it
    // off the line of the object after (PoolEngine's line padding says why).
    @SuppressWarnings("unused") private int g0;
    private final int capacity;       // slots
    private final int mask;           // capacity - 1 when a power of two (the default 1024), else -1
    private volatile int limit;       // the bound offers obey, <= capacity
    /**
     * Set by the constructor for a small ring; otherwise null until the first enqueue, then the
     * same holder for good ({@link #install}). Read once
     * per operation into a local, plainly by consumers and with acquire by producers (on x86 both
     * are a plain load): the field is written once, so the hot path adds no volatile read and no
     * line that other threads keep writing. A read that finds a holder finds its arrays' initial
     * contents too, because they are final fields of the holder (the freeze at the end of its
     * constructor); a plain read that finds null proves nothing, so the paths that would answer
     * "empty" on it read again, volatile ({@link #slotsOrNull}).
     */
    private Slots slots;
    @SuppressWarnings("unused") private Object q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    // Padding keeps head and tail on cache lines of their own, apart from each other and from the
    // read-mostly fields (the JVM lays those out after the longs: the ints, then the references).
    @SuppressWarnings("unused") private long p00, p01, p02, p03, p04, p05, p06, p07;
    private volatile long tail;
    @SuppressWarnings("unused") private long p10, p11, p12, p13, p14, p15, p16, p17;
    private volatile long head;
    @SuppressWarnings("unused") private long p20, p21, p22, p23, p24, p25, p26, p27;

    /** Rings of at most this many slots allocate their arrays in the constructor (see above). */
    static final int EAGER_SLOTS = 4096;

    public MpmcRing(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0 but was " + capacity);
        }
        this.capacity = capacity;
        this.mask = Integer.bitCount(capacity) == 1 ? capacity - 1 : -1;
        this.limit = capacity;
        if (capacity <= EAGER_SLOTS) {
            // A thread that got the ring through a race and read null would install() by CAS,
            // which finds these: every thread uses the same arrays either way.
            this.slots = new Slots(capacity);
        }
    }

    /**
     * The ring's arrays. Final fields, not a plain pair: a thread that reads the holder through a
     * race (the plain read of {@link #slots}) is guaranteed by the final-field semantics to see
     * every sequence as this constructor left it ({@code 2i}, free for lap 0). With plain fields
     * it could see a zero where {@code 2i} was written, and a producer at position {@code i} would
     * take that slot for one a consumer has not yet released: "full" on an empty ring.
     */
    static final class Slots {
        final long[] sequences;
        final Object[] elements;

        Slots(int capacity) {
            long[] seqs = new long[capacity];
            for (int i = 0; i < capacity; i++) {
                seqs[i] = 2L * i;
            }
            this.sequences = seqs;
            this.elements = new Object[capacity];
        }
    }

    /**
     * Installs the arrays by a CAS, or adopts those another producer installed first. The
     * interleaving guarded against: two producers make the first enqueues at once and both find
     * no arrays. Were each to install its own with a plain write, producer A would claim
     * position 0 and publish its element in its arrays, then producer B would overwrite the field
     * with its arrays and claim position 1 in them: A's element would be lost with A's arrays,
     * and position 0 of B's would never be published, so consumers would wait on it for good
     * (empty to a poll, non-empty to isEmpty). With the CAS both use one pair: the loser drops
     * its own arrays before it claims anything.
     */
    private Slots install() {
        Slots fresh = new Slots(capacity);
        Slots won = (Slots) SLOTS.compareAndExchange(this, (Slots) null, fresh);
        return won == null ? fresh : won;
    }

    /**
     * The holder for a poll or a reclaim, or null if no enqueue has installed one. The plain read
     * is the hot path; on null it reads again, volatile, before the caller answers "empty":
     * a worker announces itself idle (a volatile write) and then polls, while a producer installs
     * and claims (volatile writes) and then looks for idle workers. A stale plain null here would
     * let both miss each other, a task queued with every worker asleep; the volatile read is in
     * the synchronization order, so either it sees the holder or the producer sees the idle worker.
     */
    private Slots slotsOrNull() {
        Slots s = slots;
        return s != null ? s : (Slots) SLOTS.getVolatile(this);
    }

    /** Whether the arrays are allocated (the first enqueue has run): for tests. */
    boolean allocated() {
        return SLOTS.getVolatile(this) != null;
    }

    @Override
    public boolean offer(E e) {
        return enqueue(e) != REFUSED;
    }

    @Override
    public int enqueue(E e) {
        // Acquire, not plain (on x86 the same load): the install then happens-before this
        // producer's tail CAS, so whoever sees the claim sees the holder, and a consumer that
        // reads null (volatile, slotsOrNull) read it before every claim.
        Slots s = (Slots) SLOTS.getAcquire(this);
        if (s == null) {
            if (limit == 0) {
                return REFUSED; // a stripe without a share of a small bound: nothing to allocate for
            }
            s = install();
        }
        long[] sequences = s.sequences;
        int lim = limit;
        long pos = tail;
        for (;;) {
            int slot = slot(pos);
            long seq = (long) SEQ.getVolatile(sequences, slot);
            long dif = seq - 2 * pos;
            if (dif == 0) {
                // A lowered bound is checked against the very position this offer claims: head
                // only grows, so if pos - head < lim now, the ring holds at most lim once the CAS
                // below succeeds. (Reading head costs a shared line, so only when lowered.)
                if (lim != capacity && pos - head >= lim) {
                    return REFUSED;
                }
                if (TAIL.weakCompareAndSet(this, pos, pos + 1)) {
                    ELEM.setRelease(s.elements, slot, e);
                    SEQ.setRelease(sequences, slot, 2 * pos + 1); // the tail CAS already fenced
                    // No test of pos == 0: a branch that only a new ring's first offer takes is
                    // one its compiled submit path has never seen, and C2 compiles such a branch
                    // as a trap that throws the whole inlined submit path away, once for every new
                    // pool until the trap limit (docs/bench/blocking-submission.md, session 22).
                    return behindOrFirst(sequences, pos - 1);
                }
                pos = tail;
            } else if (dif < 0) {
                return REFUSED;
            } else {
                pos = tail;
            }
        }
    }

    @Override
    public E poll() {
        return take(null);
    }

    @Override
    public E poll(PollCursor cursor) {
        cursor.sawMore = false;
        return take(cursor);
    }

    @SuppressWarnings("unchecked")
    private E take(PollCursor cursor) {
        Slots s = slotsOrNull();
        if (s == null) {
            return null; // nothing was ever offered
        }
        long[] sequences = s.sequences;
        long pos = head;
        for (;;) {
            int slot = slot(pos);
            long seq = (long) SEQ.getVolatile(sequences, slot);
            long dif = seq - (2 * pos + 1);
            if (dif == 0) {
                if (HEAD.weakCompareAndSet(this, pos, pos + 1)) {
                    // Taken with one atomic swap, so that a producer's reclaim (a CAS on the same
                    // slot) and this take cannot both have the element; the slot keeps no reference.
                    E e = (E) ELEM.getAndSet(s.elements, slot, null);
                    // A full-fence store, not a release, although the fence is about a third of a
                    // take's time when producers and consumers run on different cores. Two
                    // store-buffering handshakes need it, each failing without it: the pool frees
                    // a slot here and then reads whether submitters are waiting, while a waiter
                    // announces itself and then tries this slot (PoolAdmissionRaceTest: a submitter
                    // stranded beside an idle pool); and a consumer frees the slot and then looks
                    // for more work, while a producer claims the next position and then reads this
                    // sequence to learn whether its element landed BEHIND one not yet taken
                    // (PoolWakeUpTest: a task left behind one that blocks, with a worker idle).
                    SEQ.setVolatile(sequences, slot, 2 * (pos + capacity));
                    if (cursor != null) {
                        // The next slot's sequence shares a cache line with this one most of the
                        // time: whether it holds a published element is nearly free to learn here,
                        // while isEmpty() reads the tail every producer writes.
                        cursor.sawMore = (long) SEQ.getAcquire(sequences, slot(pos + 1)) == 2 * (pos + 1) + 1;
                    }
                    if (e == null) {
                        pos = head; // reclaimed by its producer: a hole to pass over
                        continue;
                    }
                    return e;
                }
                if (cursor != null) {
                    cursor.contended = true; // another consumer claimed this position first
                }
                pos = head;
            } else if (dif < 0) {
                return null;
            } else {
                pos = head;
            }
        }
    }

    /**
     * Takes back one published element that is {@code e} itself (the same reference) and that no
     * consumer has taken, leaving a hole that consumers pass over: a CAS from {@code e} to null
     * on its slot, against the consumer's swap, so exactly one of them has it. Scans from head to
     * tail; meant for the rare producer that finds, after its offer, that it must not have
     * offered (the pool shut down meanwhile). Which of several queued references to the same
     * element it takes does not matter to the caller: they are one object.
     */
    @Override
    public boolean reclaim(E e) {
        Slots s = slotsOrNull();
        if (s == null) {
            return false; // nothing was ever offered
        }
        long t = tail;
        for (long pos = head; pos < t; pos++) {
            int slot = slot(pos);
            if ((long) SEQ.getVolatile(s.sequences, slot) == 2 * pos + 1 && ELEM.compareAndSet(s.elements, slot, e, null)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the element at {@code ahead} was published and not yet taken, read after this
     * producer's tail CAS (a full fence). If so, its consumer's take (which ends with a volatile
     * store to that very sequence) comes later, and a tail read after it sees our claim. The
     * sequence usually shares a cache line with the one this offer just wrote, so unlike reading
     * head (which every consumer writes) this costs the producer nothing extra. At a ring's first
     * position ({@code ahead} is -1) it reads the last slot, which never holds the sequence -1:
     * FIRST. ({@code ahead + capacity} has the slot of {@code ahead} for a mask and a modulus
     * alike, and is never negative.)
     */
    private int behindOrFirst(long[] sequences, long ahead) {
        long seq = (long) SEQ.getVolatile(sequences, slot(ahead + capacity));
        return seq == 2 * ahead + 1 ? BEHIND : FIRST;
    }

    /** The slot of position {@code pos}; a mask where possible, as a 64-bit division costs tens of cycles. */
    private int slot(long pos) {
        return mask >= 0 ? (int) pos & mask : (int) (pos % capacity);
    }

    @Override
    public boolean isEmpty() {
        return head >= tail;
    }

    /**
     * The tail first, then the head: both only grow and the head never passes the tail, so the
     * difference never exceeds what was queued when the tail was read (never more than the
     * capacity unless the bound is broken, which the gauge must show: PoolBoundsTest) and is at
     * worst an underestimate while consumers take. No retry loop and no branch: the submit path
     * reads this (PoolEngine.startsWorker), and C2 compiles a branch its profile never saw taken
     * as a trap that throws the whole compiled submit path away; a re-read of the head when it
     * had moved threw it away 13 times in 10 cold JVMs (docs/bench/blocking-submission.md,
     * session 16).
     */
    @Override
    public int size() {
        long t = tail;
        long h = head;
        return (int) Math.max(0L, t - h);
    }

    @Override
    public int capacity() {
        return limit;
    }

    /** The slots of the ring (allocated at the first enqueue): the most {@link #setCapacity} accepts. */
    @Override
    public int maxCapacity() {
        return capacity;
    }

    @Override
    public boolean setCapacity(int newCapacity) {
        if (newCapacity <= 0 || newCapacity > capacity) {
            return false;
        }
        limit = newCapacity;
        return true;
    }

    /** Like {@link #setCapacity}, also accepting 0 (offers fail): one stripe's share of a small bound. */
    void setLimit(int newLimit) {
        if (newLimit < 0 || newLimit > capacity) {
            throw new IllegalArgumentException("limit must be in [0, " + capacity + "] but was " + newLimit);
        }
        limit = newLimit;
    }

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle SLOTS;
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle ELEM = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(MpmcRing.class, "head", long.class);
            TAIL = l.findVarHandle(MpmcRing.class, "tail", long.class);
            SLOTS = l.findVarHandle(MpmcRing.class, "slots", Slots.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
