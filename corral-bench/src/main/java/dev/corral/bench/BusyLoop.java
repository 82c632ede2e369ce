package dev.corral.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A busy process: one thread that spins until its standard input closes (its parent ended or
 * closed it) or {@code --max-seconds} pass. The bench runs two beside the fan-out's JVM to measure
 * it on a busy machine, where the pool's threads, its JIT compilers and its timer share the cores
 * with work that is not theirs (issue 10: 2.26 s against the Semaphore's 1.22 s with two busy
 * processes beside it).
 *
 * <p>{@code java -cp benchmarks.jar dev.corral.bench.BusyLoop [--max-seconds 600]}
 */
public final class BusyLoop {

    /** How long started busy processes run before the measured JVM starts. */
    static final long SETTLE_MS = 2_000;

    private static volatile long sink;

    private BusyLoop() {
    }

    public static void main(String[] argv) throws Exception {
        long maxSeconds = Harness.intArg(Harness.args(argv), "max-seconds", 600);
        Thread spinner = Thread.ofPlatform().daemon().start(() -> {
            long x = 0;
            while (true) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                if ((x & 0xFFFFF) == 0) {
                    sink = x;
                }
            }
        });
        System.out.println("BUSY " + spinner.getName());
        System.out.flush();
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing to do with the input: only its end matters
                }
            } catch (IOException ignored) {
                // treated as the end
            }
        });
        watcher.join(TimeUnit.SECONDS.toMillis(maxSeconds));
        System.exit(0);
    }

    /**
     * Starts {@code n} busy processes with {@code java}, waits until each spins and then
     * {@link #SETTLE_MS} more, so that what the measured JVM shares the cores with is the spinning
     * alone and not their start (their class loading and JIT compilation, a burst the first
     * measured JVM would take alone: 0.47 s for Corral, measured first, against 0.40 with the
     * spinners settled). Close the returned handle to end them.
     */
    static AutoCloseable start(String java, int n) throws Exception {
        List<Process> started = new ArrayList<>();
        AutoCloseable stop = () -> {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        };
        try {
            for (int i = 0; i < n; i++) {
                Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        BusyLoop.class.getName()).redirectErrorStream(true).start();
                started.add(p);
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.startsWith("BUSY")) {
                    throw new IOException("busy process " + (i + 1) + " did not start: " + line);
                }
            }
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            stop.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the busy processes started", e);
        } catch (IOException | RuntimeException e) {
            try {
                stop.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return stop;
    }
}
