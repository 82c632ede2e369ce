package dev.corral.example.async;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/** Builds reports in the background: every call runs on the Corral pool named by corral.async.pool. */
@Service
public class ReportService {

    private static final Logger LOG = LoggerFactory.getLogger(ReportService.class);

    /** A finished report: which thread built it, for which request. */
    public record Report(String id, String builtBy, String requestId) {
    }

    /** Builds one report on the pool (about 100 ms of simulated I/O). */
    @Async
    public CompletableFuture<Report> build(String id) throws InterruptedException {
        Thread.sleep(Duration.ofMillis(100)); // stands in for a database or HTTP call
        Report report = new Report(id, Thread.currentThread().getName(), MDC.get("requestId"));
        LOG.info("built report {} on {}", id, report.builtBy());
        return CompletableFuture.completedFuture(report);
    }
}
