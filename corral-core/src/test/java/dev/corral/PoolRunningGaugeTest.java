package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The running gauge drops before a task's outcome is published: a caller whose {@code get()} has
 * returned (or a listener told of the outcome) never reads that task as still running, so
 * {@link PoolStats#unaccounted()} never reads negative for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolRunningGaugeTest {

    private static final int TASKS = 2_000;

    @Test
    void aTaskWhoseOutcomeIsPublishedNoLongerCountsAsRunning() throws Exception {
        AtomicReference<Pool> self = new AtomicReference<>();
        List<Integer> runningAtOutcome = new CopyOnWriteArrayList<>();
        try (Pool p = Pool.builder().name("gauge").workers(1).listener(e -> {
            if (e.kind() == TaskEvent.Kind.SUCCEEDED) {
                runningAtOutcome.add(self.get().stats().running()); // deterministic: same thread, before publication
            }
        }).build()) {
            self.set(p);
            for (int i = 0; i < TASKS; i++) {
                int n = i;
                assertThat(p.submit(() -> n).get(10, TimeUnit.SECONDS)).isEqualTo(n);
                PoolStats s = p.stats(); // no await: get() has returned
                assertThat(s.running()).as("running right after get() of task %d", n).isZero();
                assertThat(s.unaccounted()).as("unaccounted right after get() of task %d", n).isZero();
            }
            assertThat(runningAtOutcome).hasSize(TASKS).containsOnly(0);
        }
    }
}
