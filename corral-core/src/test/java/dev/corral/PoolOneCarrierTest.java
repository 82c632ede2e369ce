package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker never waits for user code by spinning. With one carrier thread (a 1-CPU container,
 * {@code -Djdk.virtualThreadScheduler.parallelism=1}) a task's run timeout settles it on the
 * (virtual) timer thread, whose failure handler sleeps; the worker, having lost the settlement,
 * used to spin until the settlement was published, so the timer never got the carrier back and
 * the pool hung. Runs in a JVM of its own, since the scheduler's parallelism is fixed at start-up.
 */
class PoolOneCarrierTest {

    @Test
    @Timeout(90)
    void aTimedOutTaskWithASlowFailureHandlerSettlesOnOneCarrier(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ChildJvm.Run run = ChildJvm.run(List.of("-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1"), Main.class, List.of(), dir.resolve("one-carrier.log"), 30);
        String out = run.output();
        assertThat(run.exited()).as("the one-carrier run finished within 30 s (20 runs of 50 ms); output:%n%s", out).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out).contains("settled 20 of 20");
    }

    /** The run: 20 tasks, each outliving a 50 ms run timeout, reported to a handler that sleeps 5 ms. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            int settled = 0;
            try (Pool pool = Pool.builder().name("one-carrier").virtualThreads().workers(1).reportAllFailures(true)
                    .onTaskFailure((t, e) -> {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                        }
                    }).build()) {
                for (int i = 0; i < 20; i++) {
                    Task<Object> t = pool.submit(() -> {
                        Thread.sleep(Duration.ofSeconds(30));
                        return null;
                    }, TaskOptions.of().runTimeout(Duration.ofMillis(50)));
                    try {
                        t.get();
                    } catch (ExecutionException expected) {
                        settled++;
                    }
                }
            }
            System.out.println("settled " + settled + " of 20");
            System.exit(settled == 20 ? 0 : 1);
        }
    }
}
