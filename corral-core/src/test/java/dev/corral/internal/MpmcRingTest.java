package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
}
