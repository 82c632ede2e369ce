package dev.corral.example.async;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.Pool;
import dev.corral.example.async.ReportService.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The example's promise: its @Async methods run on the Corral pool 'reports', with the caller's MDC. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class AsyncAppTest {

    @Autowired
    ReportService reports;

    @Autowired
    Pool pool; // the only Pool bean: 'reports' from application.yml

    @Test
    void asyncReportsAreBuiltOnTheCorralPoolWithTheCallersRequestId() throws Exception {
        assertThat(pool.name()).isEqualTo("reports");
        long before = pool.stats().submitted();
        MDC.put("requestId", "test-1");
        List<CompletableFuture<Report>> pending = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                pending.add(reports.build(String.valueOf(i)));
            }
        } finally {
            MDC.remove("requestId");
        }
        for (CompletableFuture<Report> f : pending) {
            Report r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.builtBy()).startsWith("reports-worker-");
            assertThat(r.requestId()).isEqualTo("test-1");
        }
        assertThat(pool.stats().submitted() - before).isEqualTo(8);
        assertThat(pool.stats().maxWorkers()).isEqualTo(4);
        assertThat(pool.stats().liveWorkers()).isLessThanOrEqualTo(4);
    }
}
