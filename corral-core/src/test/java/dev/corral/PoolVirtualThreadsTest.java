package dev.corral;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Virtual-thread mode: many blocking tasks, and no carrier pinning by the pool's own code. */
class PoolVirtualThreadsTest {

    @Test
    @Timeout(60)
    void hundredThousandSleepingTasksFinishWithTenThousandVirtualWorkers() throws Exception {
        int tasks = 100_000;
        int workers = 10_000;
        Pool pool = Pool.builder().name("vt").workers(workers).virtualThreads().build();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        for (int i = 0; i < tasks; i++) {
            pool.execute(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    running.decrementAndGet();
                    done.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(50, SECONDS)).isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(done).hasValue(tasks);
        assertThat(maxRunning.get()).as("at most %d at once", workers).isLessThanOrEqualTo(workers)
                .as("the sleeps overlapped").isGreaterThan(100);
        PoolStats st = pool.stats();
        assertThat(st.submitted()).isEqualTo(tasks);
        assertThat(st.succeeded()).isEqualTo(tasks);
        assertThat(st.unaccounted()).isZero();
        assertThat(st.liveWorkers()).isZero();
        // Serially this is 1000 s; with 10k overlapping sleeps it is far below the timeout.
        assertThat(took).isLessThan(Duration.ofSeconds(50));
    }

    /** The pool's own classes (not the limiters, which another package owns). */
    private static List<Path> poolClassFiles() throws Exception {
        Path root = Paths.get(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assumeThat(Files.isDirectory(root)).as("classes directory, not a jar").isTrue();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(root.resolve("dev/corral"))) {
            s.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
        }
        try (Stream<Path> s = Files.list(root.resolve("dev/corral/internal"))) {
            s.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
        }
        return files;
    }

    @Test
    @Timeout(60)
    void thePoolsOwnCodeUsesNoMonitors() throws Exception {
        List<Path> classes = poolClassFiles();
        // Another build sharing target/ may be recompiling right now.
        assumeThat(classes).as("compiled classes present").isNotEmpty();
        assertThat(classes).anySatisfy(p -> assertThat(p.getFileName().toString()).isEqualTo("Pool.class"));
        Path javap = Paths.get(System.getProperty("java.home"), "bin", "javap");
        assumeThat(Files.isExecutable(javap)).as("javap available").isTrue();
        List<String> cmd = new ArrayList<>(List.of(javap.toString(), "-c", "-p"));
        classes.forEach(p -> cmd.add(p.toString()));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue()).as(out).isZero();
        assertThat(out).contains("class dev.corral.Pool");
        // A monitor held across a park pins a carrier on JDK 21; the pool must use locks instead.
        assertThat(out).doesNotContain("monitorenter");
        assertThat(out.lines().filter(l -> l.matches("\\s*(public |private |protected |static |final )*synchronized .*")))
                .as("synchronized methods").isEmpty();
    }

    @Test
    @Timeout(60)
    void noVirtualThreadPinnedEventMentionsThePool() throws Exception {
        List<String> pinnedInPool = new CopyOnWriteArrayList<>();
        AtomicInteger pinnedEvents = new AtomicInteger();
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            rs.onEvent("jdk.VirtualThreadPinned", (RecordedEvent e) -> {
                pinnedEvents.incrementAndGet();
                if (e.getStackTrace() == null) {
                    return;
                }
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    if (type.startsWith("dev.corral.") && !type.endsWith("Test") && !type.contains("Test$")) {
                        pinnedInPool.add(type + "." + f.getMethod().getName());
                    }
                }
            });
            CountDownLatch streamStarted = new CountDownLatch(1);
            rs.onFlush(streamStarted::countDown);
            rs.setMaxAge(Duration.ofSeconds(30));
            rs.startAsync();

            // A virtual pool under every parking path of the engine: idle workers, blocked
            // submitters (themselves virtual), capacity-0 hand-off, timed waits and shutdown.
            for (int capacity : new int[] {0, 2}) {
                Pool pool = Pool.builder().name("pin").workers(4).queueCapacity(capacity).virtualThreads().build();
                List<Thread> submitters = new ArrayList<>();
                for (int s = 0; s < 8; s++) {
                    int mode = s;
                    submitters.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < 300; i++) {
                            try {
                                if (mode % 2 == 0) {
                                    pool.execute(() -> {
                                        try {
                                            Thread.sleep(1);
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        }
                                    });
                                } else {
                                    pool.trySubmit(() -> 1, Duration.ofMillis(1));
                                }
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }));
                }
                for (Thread t : submitters) {
                    t.join(20_000);
                }
                pool.submit(() -> 1).get(10, SECONDS);
                pool.shutdown();
                assertThat(pool.awaitTermination(20, SECONDS)).isTrue();
            }
            // Make sure the stream has delivered what was recorded.
            assertThat(streamStarted.await(20, SECONDS)).isTrue();
            CountDownLatch flushed = new CountDownLatch(1);
            rs.onFlush(flushed::countDown);
            assertThat(flushed.await(20, SECONDS)).isTrue();
        }
        assertThat(pinnedInPool).as("pinned frames in the pool's code (%d pinned events)", pinnedEvents.get()).isEmpty();
    }

    /**
     * The property the pinning test above stands for, checked on any JDK: no pool thread ever
     * parks while holding a monitor. (From JDK 24 a virtual thread that blocks inside
     * {@code synchronized} no longer pins its carrier, so the JFR test above cannot fail there; on
     * JDK 21, which Corral supports, it would pin.) The same engine code runs on platform threads,
     * whose held monitors {@link java.lang.management.ThreadMXBean} reports: the pool's workers
     * and submitters are sampled under every parking path while idle workers park, submitters wait
     * for room, a capacity-0 pool hands off and timed waits expire. A deliberate
     * {@code synchronized} around a park in the engine makes this fail.
     */
    @Test
    @Timeout(60)
    void noPoolThreadParksHoldingAMonitor() throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeThat(mx.isObjectMonitorUsageSupported()).isTrue();
        List<String> holding = new CopyOnWriteArrayList<>();
        AtomicInteger parkedSeen = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().name("monitor-sampler").start(() -> {
            while (sampling.get()) {
                for (java.lang.management.ThreadInfo ti : mx.dumpAllThreads(true, false)) {
                    if (ti == null || !ti.getThreadName().startsWith("held-")) {
                        continue;
                    }
                    Thread.State st = ti.getThreadState();
                    if (st != Thread.State.WAITING && st != Thread.State.TIMED_WAITING) {
                        continue;
                    }
                    parkedSeen.incrementAndGet();
                    if (ti.getLockedMonitors().length > 0) {
                        holding.add(ti.getThreadName() + " parks holding " + ti.getLockedMonitors()[0]
                                + " at " + ti.getLockedMonitors()[0].getLockedStackFrame());
                    }
                }
                Thread.onSpinWait();
            }
        });
        try {
            for (int capacity : new int[] {0, 2}) {
                Pool pool = Pool.builder().name("held-" + capacity).workers(4).queueCapacity(capacity).build();
                List<Thread> submitters = new ArrayList<>();
                for (int s = 0; s < 6; s++) {
                    int mode = s;
                    submitters.add(Thread.ofPlatform().name("held-submitter-" + s).start(() -> {
                        for (int i = 0; i < 200; i++) {
                            try {
                                if (mode % 2 == 0) {
                                    pool.execute(() -> {
                                        try {
                                            Thread.sleep(1);
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        }
                                    });
                                } else {
                                    pool.trySubmit(() -> 1, Duration.ofMillis(1));
                                }
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }));
                }
                for (Thread t : submitters) {
                    t.join(20_000);
                }
                pool.submit(() -> 1).get(10, SECONDS);
                Thread.sleep(50); // idle workers parked: sampled too
                pool.shutdown();
                assertThat(pool.awaitTermination(20, SECONDS)).isTrue();
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertThat(parkedSeen.get()).as("parked pool threads sampled").isPositive();
        assertThat(holding).as("pool threads parked while holding a monitor").isEmpty();
    }

    @Test
    @Timeout(30)
    void virtualWorkersAreVirtualAndBlockingTasksDoNotStarveOthers() throws Exception {
        try (Pool pool = Pool.builder().name("vt-block").workers(200).virtualThreads().build()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch allBlocked = new CountDownLatch(199);
            for (int i = 0; i < 199; i++) {
                pool.execute(TestTasks.blockUntil(allBlocked, release));
            }
            assertThat(allBlocked.await(20, SECONDS)).as("199 blocked virtual workers on 2 cores").isTrue();
            assertThat(pool.submit(() -> Thread.currentThread().isVirtual()).get(10, SECONDS)).isTrue();
            release.countDown();
        }
    }
}
