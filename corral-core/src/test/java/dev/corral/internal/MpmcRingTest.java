package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
}
