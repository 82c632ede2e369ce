package dev.corral.example.async;

import dev.corral.example.async.ReportService.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.MDC;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /reports}: asks {@link ReportService} for reports, which it builds on the Corral pool. */
@RestController
public class ReportController {

    private final ReportService reports;

    /** A controller over {@code reports}. */
    public ReportController(ReportService reports) {
        this.reports = reports;
    }

    /** One report. */
    @GetMapping("/reports/{id}")
    public Report one(@PathVariable("id") String id) throws Exception {
        MDC.put("requestId", UUID.randomUUID().toString());
        try {
            return reports.build(id).join();
        } finally {
            MDC.remove("requestId");
        }
    }

    /** {@code count} reports at once, built in parallel on the pool's workers. */
    @GetMapping("/reports")
    public List<Report> many(@RequestParam(name = "count", defaultValue = "10") int count) throws Exception {
        if (count < 1 || count > 1_000) {
            throw new IllegalArgumentException("count must be in [1, 1000], was " + count);
        }
        MDC.put("requestId", UUID.randomUUID().toString());
        try {
            List<CompletableFuture<Report>> pending = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                pending.add(reports.build(String.valueOf(i)));
            }
            return pending.stream().map(CompletableFuture::join).toList();
        } finally {
            MDC.remove("requestId");
        }
    }
}
