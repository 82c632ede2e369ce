import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * A/B harness for the blocking-submission path (not part of the build; see
 * docs/bench/blocking-submission.md). Loads one or more builds of corral-core from class
 * directories, each in its own class loader, and alternates them with ThreadPoolExecutor +
 * ArrayBlockingQueue (a {@code put} rejection handler) in one JVM, cell by cell, reversing the
 * order every round. Each producer submits batches of 10,000 tiny tasks and waits for the batch.
 * Prints the median M tasks/s and process CPU ns per task of each candidate in each cell.
 *
 * <pre>
 *   JAVA=...jdk21+/bin
 *   $JAVA/javac -d /tmp/after $(find corral-core/src/main/java -name "*.java" ! -name module-info.java)   # and /tmp/before from the other commit
 *   $JAVA/javac -d /tmp/ab docs/bench/tools/BlockingAB.java
 *   $JAVA/java -Xmx2g -cp /tmp/ab BlockingAB ROUNDS MILLIS /tmp/before,/tmp/after ["cap:producers:workers;..."]
 * </pre>
 * {@code -Dnotpe=true} leaves TPE out. A build whose Pool has a public static LongAdder[] C
 * (an instrumented copy, never committed) gets its counters printed per 1,000 tasks.
 */
public class BlockingAB {
    static final int BATCH = 10_000;
    static volatile long sink;

    static ExecutorService corral(ClassLoader cl, int workers, int cap) throws Exception {
        Class<?> pool = cl.loadClass("dev.corral.Pool");
        Object b = pool.getMethod("builder").invoke(null);
        Class<?> bc = b.getClass();
        b = bc.getMethod("name", String.class).invoke(b, "ab");
        b = bc.getMethod("workers", int.class).invoke(b, workers);
        b = bc.getMethod("queueCapacity", int.class).invoke(b, cap);
        b = bc.getMethod("platformThreads").invoke(b);
        return (ExecutorService) bc.getMethod("build").invoke(b);
    }

    static ExecutorService tpe(int workers, int cap) {
        return new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(cap),
                (r, e) -> { try { e.getQueue().put(r); } catch (InterruptedException x) { throw new RejectedExecutionException(x); } });
    }

    static void work() { long x = sink; for (int i = 0; i < 10; i++) x = x * 31 + i; sink = x; }

    /** Runs producers for ~ms milliseconds of batches; returns {Mtasks/s, cpu ns/task}. */
    static double[] run(ExecutorService p, int producers, long ms) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + ms * 1_000_000L;
        long cpu0 = os.getProcessCpuTime(); long t0 = System.nanoTime();
        Thread[] ts = new Thread[producers];
        for (int k = 0; k < producers; k++) {
            ts[k] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    CountDownLatch l = new CountDownLatch(BATCH);
                    Runnable r = () -> { work(); l.countDown(); };
                    for (int i = 0; i < BATCH; i++) p.execute(r);
                    try { l.await(); } catch (InterruptedException e) { return; }
                    done.addAndGet(BATCH);
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) t.join();
        long t1 = System.nanoTime(); long cpu1 = os.getProcessCpuTime();
        return new double[]{done.get() * 1e3 / (t1 - t0), (cpu1 - cpu0) / (double) done.get()};
    }

    public static void main(String[] a) throws Exception {
        // args: rounds ms dirA[,dirB...]
        int rounds = Integer.parseInt(a[0]); long ms = Long.parseLong(a[1]);
        String[] dirs = a[2].split(",");
        Map<String, ClassLoader> cls = new LinkedHashMap<>();
        for (String d : dirs) cls.put(new File(d).getName(), new URLClassLoader(new URL[]{new File(d).toURI().toURL()}, BlockingAB.class.getClassLoader()));
        int[][] cells = {{1024,1,2},{1024,1,8},{1024,2,2},{1024,2,8},{64,1,2},{64,1,8},{64,2,2},{64,2,8}};
        if (a.length > 3) { String[] f = a[3].split(";"); cells = new int[f.length][]; for (int i=0;i<f.length;i++){String[] g=f[i].split(":");cells[i]=new int[]{Integer.parseInt(g[0]),Integer.parseInt(g[1]),Integer.parseInt(g[2])};} }
        Map<String, List<double[]>> res = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int[] c : cells) {
                List<String> kinds = Boolean.getBoolean("onlytpe") ? new ArrayList<>() : new ArrayList<>(cls.keySet()); if (!Boolean.getBoolean("notpe")) kinds.add("tpe-abq");
                if (r % 2 == 1) Collections.reverse(kinds);
                for (String k : kinds) {
                    ExecutorService p = k.equals("tpe-abq") ? tpe(c[2], c[0]) : corral(cls.get(k), c[2], c[0]);
                    run(p, c[1], 150); // warm
                    Object[] C0 = null; if (!k.equals("tpe-abq")) { try { C0 = (Object[]) cls.get(k).loadClass("dev.corral.Pool").getField("C").get(null); for (Object o : C0) ((java.util.concurrent.atomic.LongAdder) o).reset(); } catch (Exception ex) { C0 = null; } }
                    double[] v = run(p, c[1], ms);
                    if (C0 != null) { StringBuilder sb = new StringBuilder(k + " q"+c[0]+" p"+c[1]+" w"+c[2]+String.format(" %.2f Mt/s per 1000 tasks:", v[0])); for (Object o : C0) sb.append(String.format(" %.2f", ((java.util.concurrent.atomic.LongAdder) o).sum() * 1e3 / (v[0] * 1e3 * ms))); System.out.println(sb); }
                    p.shutdown(); p.awaitTermination(10, TimeUnit.SECONDS);
                    res.computeIfAbsent("q" + c[0] + " p" + c[1] + " w" + c[2] + " " + k, x -> new ArrayList<>()).add(v);
                }
            }
        }
        for (var e : res.entrySet()) {
            double[] tp = e.getValue().stream().mapToDouble(v -> v[0]).sorted().toArray();
            double[] cpu = e.getValue().stream().mapToDouble(v -> v[1]).sorted().toArray();
            System.out.printf("%-28s  Mt/s med %.2f  all %s   cpu ns/task med %.0f%n", e.getKey(), tp[tp.length/2],
                Arrays.toString(Arrays.stream(tp).map(x -> Math.round(x*100)/100.0).toArray()), cpu[cpu.length/2]);
        }
    }
}
