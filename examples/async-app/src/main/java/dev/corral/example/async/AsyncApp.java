package dev.corral.example.async;

import java.util.Map;
import org.slf4j.MDC;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * A Spring Boot application whose {@code @Async} methods run on the Corral pool {@code reports}
 * (see application.yml). Start it with {@code examples/async-app/run}, then:
 * <pre>
 * curl localhost:8080/reports/42                       # one report, built on a reports-worker thread
 * curl 'localhost:8080/reports?count=20'               # twenty at once: 4 run, the rest queue
 * curl localhost:8080/actuator/corral                  # the pool's sizes, queue, counters, latencies
 * curl -XPOST localhost:8080/actuator/corral/reports -H 'Content-Type: application/json' \
 *      -d '{"maxWorkers": 16}'                         # resize it while it runs
 * </pre>
 */
@SpringBootApplication
@EnableAsync
public class AsyncApp {

    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(AsyncApp.class, args);
    }

    /**
     * Carries the caller's MDC (the request id) into the pool's worker and clears it afterwards:
     * the starter applies every TaskDecorator bean to the tasks it submits.
     */
    @Bean
    TaskDecorator mdcCopier() {
        return task -> {
            Map<String, String> captured = MDC.getCopyOfContextMap(); // in the calling thread
            return () -> {
                if (captured != null) {
                    MDC.setContextMap(captured);
                }
                try {
                    task.run();
                } finally {
                    MDC.clear();
                }
            };
        };
    }
}
