package dev.corral;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A virtual worker blocked in a task's body keeps the compiled form its loop had when the task
 * started; if that code holds a guess that turns out wrong, every such worker deoptimizes on its
 * way back. The bare path's end tested the class of the element it had taken (a TimedRunnable
 * for a task in the latency sample, else the user's Runnable), and C2 guessed that class from the
 * profile of the body's call: a new pool times its first tasks and then one in many, so three
 * fan-outs of 100,000 five-millisecond sleeps at a cap of 20,000 made 846 to 30,656
 * deoptimizations in the pool's frames (five runs), against 7 to 11 once the end took what it
 * needs before the body (Worker.bareEnded). Runs in a JVM of its own: the guess comes from the
 * profile, which the other tests' tasks would change.
 */
class PoolDeoptimizationTest {

    /** At most this many deoptimizations in the pool's own frames over the whole run. */
    static final int MAX_DEOPTIMIZATIONS = 200;

    @Test
    @Timeout(120)
    void blockedVirtualWorkersComeBackWithoutDeoptimizing(@TempDir Path dir) throws Exception {
        ChildJvm.Run run = ChildJvm.run(List.of("-Xmx1g"), Main.class, List.of(dir.resolve("run.jfr").toString()),
                dir.resolve("deoptimization.log"), 90);
        String out = run.output();
        assertThat(run.exited()).as("the run finished within 90 s; output:%n%s", out).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        assertThat(out).contains("ran 300000 of 300000");
        String line = out.lines().filter(l -> l.startsWith("deoptimizations in the pool's frames: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no count in the output:\n" + out));
        int inPool = Integer.parseInt(line.substring(line.indexOf(": ") + 2).trim());
        assertThat(inPool).as(out).isLessThanOrEqualTo(MAX_DEOPTIMIZATIONS);
    }

    /**
     * Three fan-outs of 100,000 tasks that sleep 5 ms, each on a new virtual pool of 20,000
     * workers, under a JFR recording of deoptimizations; prints how many had a frame of the pool
     * on top (the pool's code, not the test's or the JDK's).
     */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            int fanOuts = 3;
            int tasks = 100_000;
            int ran = 0;
            try (Recording rec = new Recording()) {
                rec.enable("jdk.Deoptimization").withStackTrace();
                rec.start();
                for (int f = 0; f < fanOuts; f++) {
                    CountDownLatch done = new CountDownLatch(tasks);
                    try (Pool pool = Pool.builder().name("deopt").workers(20_000).virtualThreads().build()) {
                        Runnable sleeper = () -> {
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                done.countDown();
                            }
                        };
                        for (int i = 0; i < tasks; i++) {
                            pool.execute(sleeper);
                        }
                        if (done.await(60, TimeUnit.SECONDS)) {
                            ran += tasks;
                        }
                    }
                }
                rec.stop();
                Path file = Path.of(args[0]);
                rec.dump(file);
                int inPool = 0;
                for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                    List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
                    if (!frames.isEmpty() && frames.get(0).getMethod().getType().getName().startsWith("dev.corral.")
                            && !frames.get(0).getMethod().getType().getName().contains("Test")) {
                        inPool++;
                    }
                }
                System.out.println("ran " + ran + " of " + fanOuts * tasks);
                System.out.println("deoptimizations in the pool's frames: " + inPool);
            }
            System.exit(ran == fanOuts * tasks ? 0 : 1);
        }
    }
}
