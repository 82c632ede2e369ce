package dev.corral.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Blocking fan-out: many tasks that each sleep 10 ms, at most {@code cap} (10,000) at a time, the
 * workload virtual threads exist for. Reports the wall time of the whole fan-out against the ideal
 * ({@code tasks / cap * 10 ms}) and the memory each blocked task costs.
 *
 * <h2>Candidates</h2>
 * Every kind of {@link Candidates} with {@code workers = cap}: {@code corral-virtual} (Corral with
 * {@code workers(10_000)} on virtual threads) and {@code vthread-semaphore} are the two this
 * scenario is about. {@code tpe-lbq} (a ThreadPoolExecutor of 10,000 platform threads) and
 * {@code corral} (Corral on 10,000 platform threads) are the heavy reference points: skip them by
 * leaving them out of {@code --kinds}, or run them at a reduced count with
 * {@code --platform-tasks}. Bounded queues hold 65,536 tasks and the submitter blocks when they
 * are full; the semaphore executor blocks the submitter at {@code cap} running tasks.
 *
 * <h2>Method</h2>
 * Each kind runs in two phases, each on a fresh executor:
 * <ol>
 *   <li><b>Memory probe</b> (first, while the process is still small): record RSS and heap after
 *       GC, submit exactly {@code cap} tasks that block on a latch, wait until all have started,
 *       measure again; the deltas divided by {@code cap} are the bytes per blocked task. RSS counts
 *       native thread stacks (platform threads) and any heap the JVM committed meanwhile; heap
 *       after GC counts what the blocked tasks keep reachable (virtual thread stacks live there).
 *       Both are approximate: GC and the allocator move in steps. Run with {@code -Xms} equal to
 *       {@code -Xmx} (BenchMain does) so that the heap never shrinks between the two reads.</li>
 *   <li><b>Timed run</b>: submit {@code tasks} tasks that each {@code Thread.sleep(10)} and wait
 *       until the last one ends; the wall time runs from the first submission to the last
 *       completion. Two untimed warm-up fan-outs of the same size come first.</li>
 * </ol>
 * With {@code --repeat N} the timed run is followed by N more fan-outs in the same JVM, each
 * printed with the CPU it cost (the process's, and per thread: the submitter, the carriers, the
 * timer), and the median of their wall times is added to the result: the steady state, where the
 * timed run shows one fan-out after two warm-ups. A fan-out of 200,000 tasks at a cap of 100,000
 * is mostly its ramp to 100,000 workers and their exit; with {@code --tasks 1000000} the middle,
 * where workers take queued tasks, dominates (docs/bench/blocking-submission.md, session 15).
 * <p>
 * The warm-ups and the timed run are each reported with the CPU the JIT's compiler threads used
 * during them (Linux: from /proc) and the process's CPU, summed in {@code jitCpuMs} and
 * {@code cpuSeconds}, the timed run's alone in {@code timedJitCpuMs} and {@code timedCpuSeconds}: on
 * a busy machine what the compilers take in a cold JVM's first fan-outs comes out of the carriers'
 * share (docs/bench/blocking-submission.md, session 22).
 * <p>
 * With {@code --warm-probe 1} the memory probe runs once more at the end, after every fan-out, on a
 * fresh executor: the memory a blocked task costs once the JIT has compiled the frames it blocks in
 * (warmHeapKbPerTask, warmRssKbPerTask), where the first probe measures a cold JVM's.
 * <p>
 * With {@code --probe-only 1} it runs the memory probe alone (a second or so): the probe is cold,
 * and the size of a blocked task's stack depends on which of its frames the JIT had compiled when
 * it blocked, so single probes of the same build spread by 15% (bimodal, for every kind alike);
 * BenchMain adds probe-only runs, alternating the kinds, for a median that holds still.
 *
 * <h2>Usage</h2>
 * {@code java -cp benchmarks.jar dev.corral.bench.SleepFanOut --kinds corral-virtual,vthread-semaphore
 * --tasks 200000 --cap 10000 --sleep-ms 10 [--platform-tasks 50000] [--repeat 10] [--warm-probe 1]}
 */
public final class SleepFanOut {

    /**
     * {@code -Dfanout.trace=true}: each fan-out prints the wall-clock time of its first submission
     * and of its last completion, to cut a JFR recording (compilations, deoptimizations, pauses)
     * into fan-outs: its events carry the same clock.
     */
    private static final boolean TRACE = Boolean.getBoolean("fanout.trace");

    /** Untimed fan-outs of the full size before the timed one. */
    static final int WARM_UPS = 2;

    private SleepFanOut() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = Harness.args(argv);
        List<String> kinds = Harness.listArg(a, "kinds", List.of("corral-virtual", "vthread-semaphore"));
        int tasks = Harness.intArg(a, "tasks", 200_000);
        int platformTasks = Harness.intArg(a, "platform-tasks", tasks);
        int cap = Harness.intArg(a, "cap", 10_000);
        int sleepMs = Harness.intArg(a, "sleep-ms", 10);
        int capacity = Harness.intArg(a, "queue-capacity", 65_536);
        boolean probeOnly = Harness.intArg(a, "probe-only", 0) != 0;
        int repeat = Harness.intArg(a, "repeat", 0);
        boolean warmProbe = Harness.intArg(a, "warm-probe", 0) != 0;
        for (String kind : kinds) {
            boolean platform = !kind.contains("virtual") && !kind.contains("vthread");
            run(kind, platform ? platformTasks : tasks, cap, sleepMs, capacity, probeOnly, repeat, warmProbe);
        }
    }

    static void run(String kind, int tasks, int cap, int sleepMs, int capacity, boolean probeOnly, int repeat,
            boolean warmProbe) throws InterruptedException {
        // Phase 1: memory per blocked task.
        Probe cold = probe(kind, cap, capacity);
        String incomplete = cold.allBlocked ? "" : " (probe: only " + cold.started + " started)";
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bench", probeOnly ? "fanout-probe" : "fanout");
        r.put("kind", kind);
        r.put("cap", cap);
        if (probeOnly) {
            System.out.printf("%-18s probe, cap %,d: memory per blocked task: RSS %6.2f KB, heap %6.2f KB%s%n",
                    kind, cap, cold.rssKb, cold.heapKb, incomplete);
        } else {
            // Phase 2: the timed fan-out, after untimed warm-ups of the whole size. One short
            // warm-up was not enough on 2 cores: the JIT compilers were still at work during the
            // timed run and took a core from the scheduler that all the sleeping and waking runs
            // on, which made the results bimodal (0.6 s or 1.1 s for the same build). Every kind
            // gets the same warm-up.
            // The JIT's share of each fan-out (the compiler threads' CPU, the process's): on a busy
            // machine what the compilers take comes out of the carriers' share, and the first
            // fan-outs of a cold JVM are where a kind's code volume shows (session 22).
            long[] jitCpuMs = new long[WARM_UPS + 1];
            double[] cpuSeconds = new double[WARM_UPS + 1];
            double seconds = Double.NaN;
            for (int w = 0; w <= WARM_UPS; w++) {
                long jit0 = compilerCpuMillis();
                long cpu0 = processCpuNanos();
                seconds = fanOut(kind, tasks, cap, sleepMs, capacity); // the last one is the timed run
                long jit1 = compilerCpuMillis();
                jitCpuMs[w] = jit0 < 0 || jit1 < 0 ? -1 : jit1 - jit0;
                cpuSeconds[w] = (processCpuNanos() - cpu0) / 1e9;
            }
            double ideal = Math.ceil(tasks / (double) cap) * sleepMs / 1000.0;
            System.out.printf("%-18s %,9d tasks x %d ms, cap %,d: wall %6.3f s (ideal %.2f s, %4.2fx)  memory per blocked task: RSS %6.2f KB, heap %6.2f KB%s%n",
                    kind, tasks, sleepMs, cap, seconds, ideal, seconds / ideal, cold.rssKb, cold.heapKb, incomplete);
            System.out.printf("%-18s JIT compilers' CPU ms / process CPU s by fan-out (warm-ups, then the timed one): %s%n",
                    kind, Arrays.toString(IntStream.rangeClosed(0, WARM_UPS)
                            .mapToObj(w -> jitCpuMs[w] + " / " + String.format("%.3f", cpuSeconds[w])).toArray()));
            r.put("tasks", tasks);
            r.put("seconds", seconds);
            r.put("jitCpuMs", jitCpuMs[0] < 0 ? -1 : Arrays.stream(jitCpuMs).sum());
            r.put("timedJitCpuMs", jitCpuMs[WARM_UPS]);
            r.put("cpuSeconds", Arrays.stream(cpuSeconds).sum());
            r.put("timedCpuSeconds", cpuSeconds[WARM_UPS]);
            r.put("ideal", ideal);
            r.put("secondsPer200k", seconds / tasks * 200_000);
            if (repeat > 0) {
                r.put("repeatMedianSecondsPer200k", repeated(kind, tasks, cap, sleepMs, capacity, repeat) / tasks * 200_000);
            }
            if (warmProbe) {
                // The same probe once the JIT has compiled most of the paths a blocked task's
                // frames sit in: the cold probe's stacks hold a mix of interpreted, C1 and C2
                // frames that moves from JVM to JVM. After three fan-outs not every frame has its
                // final form yet (where a probe task blocks, AQS.acquire, can still be C1 code in
                // Corral's JVM: docs/bench/blocking-submission.md, session 21).
                Probe warm = probe(kind, cap, capacity);
                System.out.printf("%-18s warm probe, cap %,d: memory per blocked task: RSS %6.2f KB, heap %6.2f KB%n",
                        kind, cap, warm.rssKb, warm.heapKb);
                r.put("warmRssKbPerTask", warm.rssKb);
                r.put("warmHeapKbPerTask", warm.heapKb);
            }
        }
        r.put("rssKbPerTask", cold.rssKb);
        r.put("heapKbPerTask", cold.heapKb);
        r.put("probeComplete", cold.allBlocked);
        Harness.printResult(r);
    }

    /** What one memory probe measured: per blocked task, in KB. */
    private record Probe(double rssKb, double heapKb, int started, boolean allBlocked) {
    }

    /**
     * The memory probe: heap after GC and RSS, then {@code cap} tasks that block on a latch on a
     * fresh executor, measured again once all have started; the deltas per task.
     */
    private static Probe probe(String kind, int cap, int capacity) throws InterruptedException {
        long heap0 = Harness.heapUsedAfterGc();
        long rss0 = Harness.rssBytes();
        ExecutorService probe = Candidates.create(kind, cap, capacity, "fanout-probe");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        Thread submitter = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < cap; i++) {
                probe.execute(() -> {
                    started.incrementAndGet();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        });
        long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (started.get() < cap && System.nanoTime() < probeDeadline) {
            Thread.sleep(5);
        }
        boolean allBlocked = started.get() == cap;
        long heap1 = Harness.heapUsedAfterGc();
        long rss1 = Harness.rssBytes();
        release.countDown();
        submitter.join();
        Candidates.close(probe, 60);
        return new Probe((rss1 - rss0) / (double) cap / 1024, (heap1 - heap0) / (double) cap / 1024,
                started.get(), allBlocked);
    }

    /**
     * {@code repeat} more fan-outs, each printed with the CPU time it took: the process's, and that
     * of the platform threads by role (names with their numbers dropped: {@code main} submits,
     * {@code ForkJoinPool-1-worker-#} are the carriers, {@code ForkJoinPool-1-delayScheduler} is
     * the timer of the sleeps); the rest of the process's CPU went to the collector and the JIT
     * compilers. Returns the median wall time in seconds.
     */
    private static double repeated(String kind, int tasks, int cap, int sleepMs, int capacity, int repeat)
            throws InterruptedException {
        double[] walls = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long cpu0 = processCpuNanos();
            Map<String, Long> threads0 = cpuByRole();
            walls[i] = fanOut(kind, tasks, cap, sleepMs, capacity);
            long cpu = processCpuNanos() - cpu0;
            StringBuilder line = new StringBuilder(String.format("%-18s repeat %2d: wall %6.3f s, process CPU %6.3f s;",
                    kind, i + 1, walls[i], cpu / 1e9));
            cpuByRole().forEach((role, ns) -> {
                long spent = ns - threads0.getOrDefault(role, 0L);
                if (spent >= 1_000_000) {
                    line.append(String.format(" %s %.3f", role, spent / 1e9));
                }
            });
            System.out.println(line);
        }
        Arrays.sort(walls);
        return walls[repeat / 2];
    }

    /**
     * CPU time the JIT's compiler threads have used so far, in milliseconds (10 ms steps), read
     * from /proc (Linux; -1 elsewhere). Not CompilationMXBean's compile time: that is elapsed time,
     * and on a busy machine a compiler thread waits for a CPU in the middle of a compile.
     */
    private static long compilerCpuMillis() {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    String name = Files.readString(t.resolve("comm"));
                    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                        continue; // the kernel's names are cut at 15 characters
                    }
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while we read it
                }
            }
        } catch (IOException | RuntimeException noProc) {
            return -1;
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    /** The process's CPU time so far, in nanoseconds. */
    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time so far of the live platform threads, summed by name with trailing digits made {@code #}. */
    private static Map<String, Long> cpuByRole() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byRole = new TreeMap<>();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue; // ended meanwhile
            }
            long ns = mx.getThreadCpuTime(t.getThreadId());
            if (ns > 0) {
                byRole.merge(t.getThreadName().replaceAll("[0-9]+$", "#"), ns, Long::sum);
            }
        }
        return byRole;
    }

    /** Runs one fan-out on a fresh executor; returns its wall time in seconds (NaN if it stalled). */
    private static double fanOut(String kind, int tasks, int cap, int sleepMs, int capacity) throws InterruptedException {
        ExecutorService pool = Candidates.create(kind, cap, capacity, "fanout");
        Batch batch = new Batch();
        batch.reset(tasks);
        Runnable sleeper = () -> {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                batch.countDown();
            }
        };
        if (TRACE) {
            System.out.println("FANOUT-START " + java.time.LocalTime.now());
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < tasks; i++) {
            pool.execute(sleeper);
        }
        boolean done = batch.await(300, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (TRACE) {
            System.out.println("FANOUT-END " + java.time.LocalTime.now());
        }
        Candidates.close(pool, 60);
        return done ? (t1 - t0) / 1e9 : Double.NaN;
    }
}
