package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.TaskEvent.Kind;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Which kinds settle a task and which are about the pool: a listener's switch relies on both. */
class TaskEventKindTest {

    @Test
    void outcomesAndPoolEventsAreExactlyTheDocumentedKinds() {
        EnumSet<Kind> outcomes = EnumSet.noneOf(Kind.class);
        EnumSet<Kind> pool = EnumSet.noneOf(Kind.class);
        for (Kind k : Kind.values()) {
            if (k.isOutcome()) outcomes.add(k);
            if (k.isPoolEvent()) pool.add(k);
        }
        assertThat(outcomes).containsExactlyInAnyOrder(Kind.SUCCEEDED, Kind.FAILED, Kind.CANCELLED, Kind.TIMED_OUT,
                Kind.DISCARDED);
        assertThat(pool).containsExactlyInAnyOrder(Kind.SCALED, Kind.SHUTDOWN, Kind.TERMINATED);
    }

    @Test
    void aQueueWorkersKindsAreNeitherOutcomesNorPoolEvents() {
        for (Kind k : EnumSet.of(Kind.RETRIED, Kind.DEAD_LETTERED, Kind.REDELIVERED)) {
            assertThat(k.isOutcome()).as("%s is an outcome", k).isFalse();
            assertThat(k.isPoolEvent()).as("%s is a pool event", k).isFalse();
        }
        TaskEvent e = new TaskEvent(Kind.RETRIED, "mail", 7, "send_email", 100, -1, -1,
                new IllegalStateException("smtp down"), "queue=emails task=abc entry=1-0 attempt=1/5 retryIn=400ms");
        assertThat(e.toString()).isEqualTo("TaskEvent[RETRIED, pool mail, task send_email, at 100, "
                + "queue=emails task=abc entry=1-0 attempt=1/5 retryIn=400ms, java.lang.IllegalStateException: smtp down]");
    }
}
