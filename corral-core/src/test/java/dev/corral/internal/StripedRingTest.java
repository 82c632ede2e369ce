package dev.corral.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import dev.corral.Properties;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StripedRingTest {

    @Test
    void theBoundIsExactAcrossStripes() {
        StripedRing<Integer> q = new StripedRing<>(10, 4); // shares 3, 3, 2, 2
        for (int i = 0; i < 10; i++) {
            assertThat(q.offer(i)).as("offer %d of 10", i).isTrue();
        }
        assertThat(q.offer(10)).as("the 11th offer").isFalse();
        assertThat(q.size()).isEqualTo(10);
        assertThat(q.capacity()).isEqualTo(10);
        assertThat(q.poll()).isNotNull();
        assertThat(q.offer(11)).as("room again after one poll").isTrue();
        assertThat(q.offer(12)).isFalse();
    }

    @Test
    void oneThreadsElementsLeaveInOrderWhileItsStripeHasRoom() {
        StripedRing<Integer> q = new StripedRing<>(256, 4);
        for (int i = 0; i < 64; i++) {
            q.offer(i);
        }
        List<Integer> out = new ArrayList<>();
        for (int start = 0; !q.isEmpty(); start++) {
            out.add(q.poll(new PollCursor(start))); // whatever stripe a consumer starts at, it finds the one in use
        }
        assertThat(out).hasSize(64).isSorted();
    }

    @Test
    void pollGoesRoundEveryStripe() {
        StripedRing<String> q = new StripedRing<>(8, 8); // one slot each: every offer spills
        for (int i = 0; i < 8; i++) {
            assertThat(q.offer("e" + i)).isTrue();
        }
        assertThat(q.isEmpty()).isFalse();
        for (int i = 0; i < 8; i++) {
            assertThat(q.poll(new PollCursor(0))).as("poll %d starting at stripe 0", i).isNotNull();
        }
        assertThat(q.poll(new PollCursor(3))).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
    }

    @Test
    void lowersAndRaisesItsBound() {
        StripedRing<Integer> q = new StripedRing<>(64, 4);
        assertThat(q.setCapacity(3)).isTrue(); // one stripe gets a share of 0
        assertThat(q.capacity()).isEqualTo(3);
        int accepted = 0;
        for (int i = 0; i < 10; i++) {
            if (q.offer(i)) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(3);
        assertThat(q.setCapacity(65)).as("past the slots it was built with").isFalse();
        assertThat(q.maxCapacity()).isEqualTo(64);
        assertThat(q.setCapacity(64)).isTrue();
        assertThat(q.offer(99)).isTrue();
    }

    /** Tasks held unevenly must not let the other stripes fill up to their shares of a lowered bound. */
    @Test
    void aLoweredBoundCountsWhatEveryStripeHolds() {
        StripedRing<Integer> q = new StripedRing<>(8, 2);
        for (int i = 0; i < 4; i++) {
            assertThat(q.offer(i)).isTrue(); // all in this thread's stripe
        }
        assertThat(q.setCapacity(4)).isTrue();
        assertThat(q.offer(4)).as("4 held, bound 4").isFalse();
        q.poll();
        assertThat(q.offer(5)).as("3 held").isTrue();
        assertThat(q.offer(6)).isFalse();
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.setCapacity(8)).isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(q.offer(10 + i)).as("raised again, offer %d", i).isTrue();
        }
        assertThat(q.offer(99)).isFalse();
    }

    /**
     * Racing offers under a lowered bound: exactly the room left is taken, by striped and single
     * rings. Many short rounds, so that two offers often meet at the last free place.
     */
    @RepeatedTest(5)
    void racingOffersNeverPassALoweredBound() throws Exception {
        for (int round = 0; round < 300; round++) {
            TaskQueue<Integer> q = round % 2 == 0 ? new StripedRing<>(64, 4) : new MpmcRing<>(64);
            for (int i = 0; i < 10; i++) {
                q.offer(-i);
            }
            assertThat(q.setCapacity(12)).isTrue();
            assertThat(racingOffers(q, 3, 20)).as("round %d, %s", round, q.getClass().getSimpleName()).isEqualTo(2);
            assertThat(q.size()).isEqualTo(12);
        }
    }

    /**
     * The same bound held continuously: two producers keep offering at a ring lowered to 12 while
     * a consumer drains it slowly, so the ring sits at its bound with offers meeting at the last
     * place many thousand times; what it holds (claimed places included) never exceeds 12.
     */
    @RepeatedTest(3)
    void aLoweredBoundHoldsUnderSustainedContention() throws Exception {
        for (TaskQueue<Integer> q : List.<TaskQueue<Integer>>of(new StripedRing<>(64, 2), new MpmcRing<>(64))) {
            assertThat(q.setCapacity(12)).isTrue();
            AtomicInteger maxSeen = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 2_000_000 && !stop.get(); i++) {
                        q.offer(i);
                    }
                }));
            }
            Thread consumer = Thread.ofPlatform().start(() -> {
                // do-while: on a loaded machine the producers can be done before this thread starts,
                // and the queue they left (full, at the bound) must still be looked at once.
                do {
                    maxSeen.accumulateAndGet(q.size(), Math::max);
                    if (q.poll() == null) {
                        Thread.onSpinWait();
                    }
                    maxSeen.accumulateAndGet(q.size(), Math::max);
                    if (maxSeen.get() > 12) {
                        stop.set(true);
                    }
                } while (producers.stream().anyMatch(Thread::isAlive));
            });
            for (Thread t : producers) {
                t.join();
            }
            consumer.join();
            assertThat(maxSeen.get()).as("%s", q.getClass().getSimpleName()).isLessThanOrEqualTo(12).isGreaterThan(0);
        }
    }

    /**
     * Random offers, polls from random starting stripes and bound changes against a model that
     * only knows a set and a bound: an offer succeeds exactly when fewer than the bound are held
     * (whichever stripes hold them), a poll finds something exactly when anything is held, and what
     * comes out is what went in.
     */
    @Test
    void behavesLikeABoundedBagUnderRandomOperations() {
        Properties.forAll(300, 0x5712_1bedL, r -> {
            int stripes = 1 << Properties.intIn(r, 1, 4);
            int slots = Properties.intIn(r, stripes, 40);
            StripedRing<Integer> q = new StripedRing<>(slots, stripes);
            java.util.Set<Integer> held = new java.util.HashSet<>();
            int bound = slots;
            int next = 0;
            for (int step = 0; step < 400; step++) {
                switch (Properties.weighted(r, 5, 4, 1)) {
                    case 0 -> {
                        boolean accepted = q.offer(next);
                        assertThat(accepted).as("step %d: offer with %d held, bound %d", step, held.size(), bound)
                                .isEqualTo(held.size() < bound);
                        if (accepted) {
                            held.add(next);
                        }
                        next++;
                    }
                    case 1 -> {
                        Integer e = q.poll(new PollCursor(r.nextInt(64)));
                        if (held.isEmpty()) {
                            assertThat(e).as("step %d: poll of an empty ring", step).isNull();
                        } else {
                            assertThat(e).as("step %d: poll with %d held", step, held.size()).isNotNull();
                            assertThat(held.remove(e)).as("step %d: %d was held", step, e).isTrue();
                        }
                    }
                    default -> {
                        int c = Properties.intIn(r, -1, slots + 1);
                        boolean ok = q.setCapacity(c);
                        assertThat(ok).as("setCapacity(%d) of %d slots", c, slots).isEqualTo(c >= 1 && c <= slots);
                        if (ok) {
                            bound = c;
                        }
                    }
                }
                assertThat(q.size()).isEqualTo(held.size());
                assertThat(q.isEmpty()).isEqualTo(held.isEmpty());
                assertThat(q.capacity()).isEqualTo(bound);
            }
        });
    }

    @Test
    void refusesBadShapes() {
        assertThatThrownBy(() -> new StripedRing<>(16, 3)).hasMessageContaining("stripes").hasMessageContaining("3");
        assertThatThrownBy(() -> new StripedRing<>(2, 4)).hasMessageContaining("capacity").hasMessageContaining("2");
    }

    /**
     * Four producers and four consumers race through a small ring many times: every element is
     * taken exactly once, and the number held never exceeds the bound.
     */
    @RepeatedTest(20)
    void nothingIsLostOrDuplicatedUnderContention() throws Exception {
        int producers = 4;
        int consumers = 4;
        int perProducer = 20_000;
        int capacity = 16;
        StripedRing<Integer> q = new StripedRing<>(capacity, 4);
        AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
        AtomicInteger held = new AtomicInteger();
        AtomicInteger maxHeld = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < perProducer; i++) {
                    // Count before offering so that "held" is an upper bound of what the ring holds.
                    int h = held.incrementAndGet();
                    maxHeld.accumulateAndGet(h, Math::max);
                    while (!q.offer(base + i)) {
                        held.decrementAndGet();
                        Thread.onSpinWait();
                        held.incrementAndGet();
                    }
                }
            }));
        }
        int total = producers * perProducer;
        for (int c = 0; c < consumers; c++) {
            int first = c;
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                PollCursor cursor = new PollCursor(first);
                while (taken.get() < total) {
                    Integer e = q.poll(cursor);
                    if (e == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    held.decrementAndGet();
                    taken.incrementAndGet();
                    if (seen.getAndIncrement(e) != 0) {
                        failure.compareAndSet(null, new AssertionError("element " + e + " taken twice"));
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        for (int i = 0; i < total; i++) {
            assertThat(seen.get(i)).as("element %d", i).isEqualTo(1);
        }
        assertThat(q.isEmpty()).isTrue();
        // held over-counts by at most one offer in flight per producer and one poll per consumer.
        assertThat(maxHeld.get()).isLessThanOrEqualTo(capacity + producers + consumers);
    }

    /** The ring's own bound, checked directly: a full ring accepts nothing more from any thread. */
    @RepeatedTest(10)
    void aFullRingRefusesEveryThread() throws Exception {
        StripedRing<Integer> q = new StripedRing<>(32, 8);
        assertThat(racingOffers(q, 6, 100)).isEqualTo(32);
        assertThat(q.size()).isEqualTo(32);
    }

    /** {@code threads} threads, released together, each offer {@code each} times; returns how many were accepted. */
    private static int racingOffers(TaskQueue<Integer> q, int threads, int each) throws InterruptedException {
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < each; i++) {
                    if (q.offer(i)) {
                        accepted.incrementAndGet();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : started) {
            t.join();
        }
        return accepted.get();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
