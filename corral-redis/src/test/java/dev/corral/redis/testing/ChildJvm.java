package dev.corral.redis.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A child JVM running a test main class on this JVM's class path; its output goes to a file. */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread pump;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.pump = new Thread(this::pump, "child-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code main} with {@code args}; {@link #awaitReady} waits for a line starting with READY. */
    public static ChildJvm start(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("corral-child", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            return new ChildJvm(p, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Files.writeString(log, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                if (line.startsWith("READY")) ready.countDown();
            }
        } catch (IOException e) {
            // the child died; its exit value tells
        }
    }

    public void awaitReady(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("child did not print READY within " + timeout + "; output: " + output());
        }
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the exit status. */
    public int terminate(Duration timeout) throws InterruptedException {
        // Process.destroy() would also close our ends of the child's pipes, losing its last words.
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("child did not exit within " + timeout + " of SIGTERM; output: " + output());
        }
        pump.join(5_000); // the output up to the exit
        return process.exitValue();
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
