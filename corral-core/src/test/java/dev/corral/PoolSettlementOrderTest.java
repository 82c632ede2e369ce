package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whoever sees a task done also sees it counted and, for a failure, already reported: the pool
 * accounts for a settlement before it publishes it. (A test that waits on a future and then reads
 * the stats must never race the counters.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolSettlementOrderTest {

    @Test
    void aDoneFutureIsAlreadyCountedAndReported() throws Exception {
        List<Throwable> reports = new CopyOnWriteArrayList<>();
        AtomicInteger callbackSawMissingReport = new AtomicInteger();
        try (Pool pool = Pool.builder().name("order").workers(2).reportAllFailures(true)
                .onTaskFailure((t, e) -> reports.add(e)).build()) {
            for (int i = 0; i < 2_000; i++) {
                boolean fail = i % 2 == 0;
                IllegalStateException boom = new IllegalStateException("boom " + i);
                Task<Integer> t = pool.submit(() -> {
                    if (fail) {
                        throw boom;
                    }
                    return 1;
                });
                // Registered while the task may be settling: the callback must still come after the report.
                t.whenComplete((v, e) -> {
                    if (e != null && !reports.contains(e)) {
                        callbackSawMissingReport.incrementAndGet();
                    }
                });
                try {
                    t.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException expected) {
                    assertThat(reports).contains(expected.getCause());
                }
                PoolStats s = pool.stats();
                assertThat(s.succeeded() + s.failed()).as("task %d counted once done", i).isEqualTo(i + 1);
            }
        }
        assertThat(callbackSawMissingReport).hasValue(0);
    }
}
