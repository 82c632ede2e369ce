package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the ring tells its users beyond offer and poll: where an element went ({@code enqueue})
 * and whether a take left more behind ({@code sawMore}). The pool skips a wake-up for a task
 * queued BEHIND another, so a BEHIND answer where the element ahead is already gone would strand
 * a task; these tests pin both answers down, across the wrap of rings of several sizes.
 */
@Timeout(30)
class MpmcRingTest {

    @Test
    void enqueueSaysWhetherAnElementStillWaitsAhead() {
        for (int capacity : new int[] {1, 2, 3, 8}) {
            MpmcRing<Integer> q = new MpmcRing<>(capacity);
            PollCursor c = new PollCursor(0);
            for (int lap = 0; lap < 3 * capacity + 2; lap++) { // past the wrap, several times
                assertThat(q.enqueue(lap)).as("capacity %d, lap %d: into an empty ring", capacity, lap)
                        .isEqualTo(TaskQueue.FIRST);
                if (capacity > 1) {
                    assertThat(q.enqueue(-lap)).as("capacity %d, lap %d: behind a waiting one", capacity, lap)
                            .isEqualTo(TaskQueue.BEHIND);
                    assertThat(q.poll(c)).isEqualTo(lap);
                    assertThat(c.sawMore()).as("capacity %d, lap %d: one left behind", capacity, lap).isTrue();
                    assertThat(q.poll(c)).isEqualTo(-lap);
                } else {
                    assertThat(q.enqueue(-lap)).as("capacity 1, full").isEqualTo(TaskQueue.REFUSED);
                    assertThat(q.poll(c)).isEqualTo(lap);
                }
                assertThat(c.sawMore()).as("capacity %d, lap %d: the last one taken", capacity, lap).isFalse();
                assertThat(q.poll(c)).isNull();
            }
        }
    }

    @Test
    void anElementQueuedAfterTheOneAheadWasTakenIsFirst() {
        MpmcRing<String> q = new MpmcRing<>(4);
        q.enqueue("a");
        q.enqueue("b");
        assertThat(q.poll()).isEqualTo("a");
        // "b" still waits: "c" goes behind it; once "b" is gone too, "d" is first again.
        assertThat(q.enqueue("c")).isEqualTo(TaskQueue.BEHIND);
        assertThat(q.poll()).isEqualTo("b");
        assertThat(q.poll()).isEqualTo("c");
        assertThat(q.enqueue("d")).isEqualTo(TaskQueue.FIRST);
    }

    @Test
    void aFullRingRefusesAndALoweredLimitCounts() {
        MpmcRing<Integer> q = new MpmcRing<>(4);
        q.setLimit(2);
        assertThat(q.enqueue(1)).isEqualTo(TaskQueue.FIRST);
        assertThat(q.enqueue(2)).isEqualTo(TaskQueue.BEHIND);
        assertThat(q.enqueue(3)).as("at the lowered limit").isEqualTo(TaskQueue.REFUSED);
        assertThat(q.offer(3)).isFalse();
    }

    @Test
    void aStripedRingAnswersForTheStripeTheElementWentTo() {
        StripedRing<Integer> q = new StripedRing<>(4, 2); // two slots a stripe
        assertThat(q.enqueue(1)).isEqualTo(TaskQueue.FIRST);
        assertThat(q.enqueue(2)).as("behind 1 in this thread's stripe").isEqualTo(TaskQueue.BEHIND);
        assertThat(q.enqueue(3)).as("spilled into the other, empty stripe").isEqualTo(TaskQueue.FIRST);
        PollCursor c = new PollCursor(0);
        int sawMore = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(q.poll(c)).isNotNull();
            sawMore += c.sawMore() ? 1 : 0;
        }
        assertThat(sawMore).as("only the take of 1 had one waiting right behind it").isEqualTo(1);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void reclaimTakesBackOnlyWhatNoConsumerTookAndLeavesAHoleThatPollsPass() {
        MpmcRing<String> q = new MpmcRing<>(4);
        String a = "a";
        String b = "b";
        q.enqueue(a);
        q.enqueue(b);
        assertThat(q.reclaim(a)).isTrue();
        assertThat(q.reclaim(a)).as("taken back once").isFalse();
        assertThat(q.size()).as("the hole counts until a poll passes it").isEqualTo(2);
        assertThat(q.poll()).isEqualTo(b);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.reclaim(b)).as("already polled").isFalse();
        for (int lap = 0; lap < 10; lap++) { // holes across the wrap
            q.enqueue(a);
            assertThat(q.reclaim(a)).isTrue();
            assertThat(q.poll()).isNull();
        }
    }

    /**
     * A producer takes back the element it has just offered (after a pause of 0 to 63 spins)
     * while two consumers poll without pause: exactly one of them has it, every time, and none
     * is lost. A take that reads the slot and then clears it, instead of one swap, lets both
     * have it: so broken, this failed at once (both had it in thousands of the rounds).
     */
    @Test
    void reclaimAndPollRacingForOneElementNeverBothHaveIt() throws Exception {
        int rounds = 50_000;
        MpmcRing<Integer> q = new MpmcRing<>(8);
        AtomicReferenceArray<Integer> polled = new AtomicReferenceArray<>(rounds);
        AtomicInteger doubles = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        boolean[] reclaimed = new boolean[rounds];
        Thread[] consumers = new Thread[2];
        for (int k = 0; k < 2; k++) {
            consumers[k] = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    Integer e = q.poll();
                    if (e != null && !polled.compareAndSet(e, null, e)) {
                        doubles.incrementAndGet();
                    }
                }
            });
        }
        for (int r = 0; r < rounds; r++) {
            Integer e = r;
            while (q.enqueue(e) == TaskQueue.REFUSED) {
                Thread.onSpinWait(); // full of elements and holes the consumers have not passed yet
            }
            for (int spin = r & 63; spin > 0; spin--) {
                Thread.onSpinWait();
            }
            reclaimed[r] = q.reclaim(e);
        }
        stop.set(true);
        for (Thread t : consumers) {
            t.join();
        }
        Integer left;
        while ((left = q.poll()) != null) {
            polled.compareAndSet(left, null, left);
        }
        int both = 0;
        int neither = 0;
        int taken = 0;
        for (int r = 0; r < rounds; r++) {
            boolean got = polled.get(r) != null;
            taken += got ? 1 : 0;
            both += got && reclaimed[r] ? 1 : 0;
            neither += got || reclaimed[r] ? 0 : 1;
        }
        assertThat(both).as("rounds polled and taken back (%d of %d polled)", taken, rounds).isZero();
        assertThat(neither).as("rounds where the element vanished").isZero();
        assertThat(doubles.get()).as("elements polled twice").isZero();
    }

    /**
     * A large ring's arrays are allocated by the first enqueue (a virtual pool below its cap never
     * queues, and 65,536 slots are 786 KB, the long[] a humongous object): none before it, through
     * any of the reads, and then one pair; a striped ring allocates a large stripe only when it is
     * offered to.
     */
    @Test
    void theArraysAreAllocatedByTheFirstEnqueueAndNotBefore() {
        MpmcRing<Integer> q = new MpmcRing<>(65_536);
        assertThat(q.allocated()).as("fresh").isFalse();
        assertThat(q.poll()).isNull();
        assertThat(q.poll(new PollCursor(0))).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
        assertThat(q.reclaim(1)).isFalse();
        assertThat(q.setCapacity(10)).isTrue();
        assertThat(q.allocated()).as("after the reads and a bound change").isFalse();
        assertThat(q.enqueue(1)).isEqualTo(TaskQueue.FIRST);
        assertThat(q.allocated()).as("after one offer").isTrue();
        assertThat(q.enqueue(2)).isEqualTo(TaskQueue.BEHIND);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.poll()).isEqualTo(1);
        assertThat(q.poll()).isEqualTo(2);
        assertThat(q.poll()).isNull();

        StripedRing<Integer> striped = new StripedRing<>(65_536, 4);
        assertThat(striped.poll()).isNull();
        assertThat(striped.isEmpty()).isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(striped.stripe(i).allocated()).as("stripe %d of a fresh striped ring", i).isFalse();
        }
        assertThat(striped.offer(7)).isTrue();
        int allocated = 0;
        for (int i = 0; i < 4; i++) {
            allocated += striped.stripe(i).allocated() ? 1 : 0;
        }
        assertThat(allocated).as("stripes allocated after one offer").isEqualTo(1);
        assertThat(striped.poll(new PollCursor(3))).isEqualTo(7);
    }

    /**
     * A never-used ring is empty to every read, and its bounds answer as they always did; a large
     * one with no arrays behind them: an offer refused by a limit of 0 allocates nothing either.
     * A small ring (up to EAGER_SLOTS) has its arrays from the start: its first enqueue takes no
     * branch that later ones skip, which the JIT would compile away and deoptimize on (a pool's
     * first task).
     */
    @Test
    void aNeverUsedRingIsEmptyAndKeepsItsBounds() {
        for (int capacity : new int[] {1, 3, 1024, MpmcRing.EAGER_SLOTS, MpmcRing.EAGER_SLOTS + 1, 65_536}) {
            boolean eager = capacity <= MpmcRing.EAGER_SLOTS;
            MpmcRing<String> q = new MpmcRing<>(capacity);
            PollCursor c = new PollCursor(0);
            for (int i = 0; i < 3; i++) { // and again: a read must not change what the next one sees
                assertThat(q.poll()).isNull();
                assertThat(q.poll(c)).isNull();
                assertThat(c.sawMore()).isFalse();
                assertThat(q.reclaim("x")).isFalse();
                assertThat(q.isEmpty()).isTrue();
                assertThat(q.size()).isZero();
            }
            assertThat(q.capacity()).isEqualTo(capacity);
            assertThat(q.maxCapacity()).isEqualTo(capacity);
            assertThat(q.setCapacity(capacity + 1)).as("past its slots").isFalse();
            assertThat(q.setCapacity(0)).isFalse();
            assertThat(q.setCapacity(1)).isTrue();
            assertThat(q.capacity()).isEqualTo(1);
            q.setLimit(0);
            assertThat(q.capacity()).isZero();
            assertThat(q.enqueue("refused")).as("capacity %d, limit 0", capacity).isEqualTo(TaskQueue.REFUSED);
            assertThat(q.allocated()).as("capacity %d: a refused offer", capacity).isEqualTo(eager);
            q.setLimit(capacity);
            assertThat(q.capacity()).isEqualTo(capacity);
            assertThat(q.maxCapacity()).isEqualTo(capacity);
            assertThat(q.allocated()).as("capacity %d: before any offer", capacity).isEqualTo(eager);
            assertThat(q.offer("a")).isTrue();
            assertThat(q.poll()).isEqualTo("a");
        }
    }

    /**
     * Several threads make the first enqueues of a fresh ring at once, 2,000 times: all of them
     * use one pair of arrays, so every element offered is polled exactly once. Each racer
     * installing arrays of its own with a plain write (the last one wins) fails this at once:
     * an element published in arrays that lost is gone, and the position it claimed is never
     * published in those that won, so the polls stop there.
     */
    @Test
    void racingFirstEnqueuesShareOnePairOfArrays() throws Exception {
        int racers = 4;
        int each = 8;
        int rounds = 2_000;
        AtomicReferenceArray<MpmcRing<Integer>> ring = new AtomicReferenceArray<>(1);
        AtomicInteger go = new AtomicInteger(-1); // the round the racers may start, after they all wait for it
        CyclicBarrier ready = new CyclicBarrier(racers + 1);
        CyclicBarrier done = new CyclicBarrier(racers + 1);
        AtomicInteger refused = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < racers; t++) {
            int base = t * each;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        ready.await();
                        while (go.get() != r) {
                            Thread.yield(); // a spin, not one wake-up after another, so they start close together; yielding, as racers may outnumber cores
                        }
                        MpmcRing<Integer> q = ring.get(0);
                        for (int i = 0; i < each; i++) {
                            if (!q.offer(base + i)) {
                                refused.incrementAndGet();
                            }
                        }
                        done.await();
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    // the test failed (or timed out) and stopped the racers
                }
            }));
        }
        try {
            for (int r = 0; r < rounds; r++) {
                // Lazy (above EAGER_SLOTS, which get their arrays in the constructor), and a wide install window
                MpmcRing<Integer> q = new MpmcRing<>(MpmcRing.EAGER_SLOTS + 1);
                ring.set(0, q);
                ready.await();
                go.set(r);
                done.await();
                assertThat(refused.get()).as("round %d: offers refused by a ring with room", r).isZero();
                int[] polled = new int[racers * each];
                int count = 0;
                Integer e;
                while ((e = q.poll()) != null) {
                    polled[e]++;
                    count++;
                }
                for (int i = 0; i < polled.length; i++) {
                    assertThat(polled[i]).as("round %d: times element %d was polled (%d polled in all)", r, i, count)
                            .isEqualTo(1);
                }
                assertThat(q.isEmpty()).as("round %d", r).isTrue();
            }
        } finally {
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    /**
     * size() reads the tail, then the head, with no retry: it must never read more than the
     * capacity nor less than zero while producers and consumers move both. The interleaving a
     * head-then-tail read gets wrong: the reader reads the head; consumers take and producers
     * refill the ring several times over; the reader reads the tail, now more than a capacity
     * ahead of the head it read.
     */
    @Test
    void sizeStaysWithinZeroAndTheCapacityWhileBothEndsMove() throws Exception {
        for (int run = 0; run < 20; run++) {
            MpmcRing<Integer> ring = new MpmcRing<>(4);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> movers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                movers.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        ring.offer(1);
                    }
                }));
                movers.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        ring.poll();
                    }
                }));
            }
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            try {
                // By time, not count: the reader must be preempted between its two reads while the
                // others run, so the race needs the scheduler's time slices, not more reads.
                long end = System.nanoTime() + 100_000_000L;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 1_000; i++) {
                        int n = ring.size();
                        min = Math.min(min, n);
                        max = Math.max(max, n);
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : movers) {
                    t.join();
                }
            }
            assertThat(min).as("least size read, run %d", run).isGreaterThanOrEqualTo(0);
            assertThat(max).as("most size read, run %d", run).isLessThanOrEqualTo(4);
        }
    }
}
