package dev.corral.bench.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import redis.clients.jedis.RedisClient;

/**
 * Corral's Redis queue beside BullMQ and redis-benchmark's raw XADD, on one redis-server on
 * loopback that it starts, in the same run (issue 11, "Speed, measured side by side").
 *
 * <pre>
 *   java -cp benchmarks.jar dev.corral.bench.redis.RedisBench [--count N] [--warmup N] [--corral-workers N]
 *        [--bullmq-concurrency N] [--bullmq-dir DIR] [--out FILE] [--corral-virtual] [--no-bullmq]
 * </pre>
 * Scenarios, each for Corral and for BullMQ with the same count of tasks:
 * <ul>
 *   <li><b>enqueue</b>: one producer process adds N tasks (Corral: enqueueAll; BullMQ: addBulk of
 *       1,000), no worker running;
 *   <li><b>drain</b>: one worker process runs those N no-op tasks;
 *   <li><b>end to end</b>: one producer and one or two worker processes at once, N tasks, from the
 *       producer's start to the last acknowledgement; no-op tasks and the probe's work (SADD + INCR
 *       in one round trip);
 *   <li><b>latency</b>: at a light load (500 tasks/s, one at a time), enqueue to handler start.
 * </ul>
 * Every scenario starts fresh processes, which first run {@code --warmup} tasks, timed apart (the
 * report's cold columns), and then the measured tasks (long-running workers, the first columns).
 * Each scenario runs for Corral and then BullMQ before the next one starts, so that load from
 * elsewhere on the machine falls on both alike. Completion is counted by the workers
 * (acknowledged tasks, added to a Redis counter every 20 ms) and polled every 5 ms. Writes a
 * markdown report with the machine, date and load.
 */
public final class RedisBench {

    private static final Pattern RPS = Pattern.compile("([0-9.]+) requests per second");

    private final int count;
    private final int warmup;
    private final int corralWorkers;
    private final int bullmqConcurrency;
    private final Path bullmqDir;
    private final boolean bullmq;
    /** The Corral workers' pool runs on virtual threads (BenchRoles reads {@code bench.virtual}). */
    private final boolean corralVirtual;
    private final int port;
    private final String uri;
    private final List<Process> live = new ArrayList<>();
    private RedisClient redis;

    private RedisBench(Map<String, String> o) {
        this.count = Integer.parseInt(o.getOrDefault("--count", "100000"));
        this.warmup = Integer.parseInt(o.getOrDefault("--warmup", "20000"));
        this.corralWorkers = Integer.parseInt(o.getOrDefault("--corral-workers", "64"));
        this.bullmqConcurrency = Integer.parseInt(o.getOrDefault("--bullmq-concurrency", "64"));
        this.bullmqDir = Path.of(o.getOrDefault("--bullmq-dir", "corral-bench/bullmq"));
        this.bullmq = !o.containsKey("--no-bullmq");
        this.corralVirtual = o.containsKey("--corral-virtual");
        this.port = freePort();
        this.uri = "redis://127.0.0.1:" + port;
    }

    private static final String USAGE = """
            Usage: corral bench redis [--count N] [--warmup N] [--corral-workers N] [--bullmq-concurrency N] [--corral-virtual] [--no-bullmq] [--out FILE]
            Corral's Redis queue beside BullMQ and redis-benchmark's raw XADD, on one redis-server on loopback
            started for the run. Writes a markdown report (machine, date, load) to --out.
              --count N               tasks per scenario (default 100000)
              --warmup N              tasks each scenario's fresh processes run first, timed apart as the
                                      cold figures (default 20000; 0: none; latency: N/20, at least 100)
              --corral-workers N      threads of each Corral worker process's pool (default 64)
              --bullmq-concurrency N  concurrency of each BullMQ worker process (default 64)
              --corral-virtual        run each Corral worker process's pool on virtual threads (default: platform)
              --no-bullmq             Corral and raw XADD only (no node needed)
              --out FILE              where the report goes (default: corral-redis-bench.md in the current directory)""";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && !args[0].startsWith("-")) {
            BenchRoles.main(args);
            return;
        }
        Map<String, String> o = new LinkedHashMap<>();
        List<String> valued = List.of("--count", "--warmup", "--corral-workers", "--bullmq-concurrency", "--bullmq-dir", "--out");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                return;
            }
            if (a.equals("--no-bullmq") || a.equals("--corral-virtual")) {
                o.put(a, "");
            } else if (valued.contains(a) && i + 1 < args.length) {
                o.put(a, args[++i]);
            } else {
                System.err.println("corral bench redis: " + (valued.contains(a) ? a + " needs a value"
                        : "unknown option '" + a + "'") + ". See 'corral bench redis --help'.");
                System.exit(2);
            }
        }
        for (String number : List.of("--count", "--warmup", "--corral-workers", "--bullmq-concurrency")) {
            String v = o.get(number);
            if (v != null && !(v.matches("[1-9][0-9]*") || number.equals("--warmup") && v.equals("0"))) {
                System.err.println("corral bench redis: " + number + " must be a whole number of 1 or more, got '"
                        + v + "'. See 'corral bench redis --help'.");
                System.exit(2);
            }
        }
        Path out = Path.of(o.getOrDefault("--out", "corral-redis-bench.md"));
        RedisBench b = new RedisBench(o);
        String report = b.run();
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.err.println("written to " + out);
        System.exit(0);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String run() throws Exception {
        String loadBefore = sh("uptime").strip();
        Path dir = Files.createTempDirectory("corral-redis-bench");
        Process server = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", dir.resolve("log").toString())
                .start();
        live.add(server);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> live.forEach(Process::destroyForcibly)));
        try {
            redis = RedisClient.create(uri);
            for (int i = 0; ; i++) {
                try {
                    redis.ping();
                    break;
                } catch (RuntimeException notYet) {
                    if (i > 200) throw notYet;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));   // waiting for redis-server to listen
                }
            }
            double xadd = xadd();
            log("redis-benchmark XADD: %.0f/s", xadd);

            Map<String, Result> results = runAll();
            Result corral = results.get("corral");
            Result bull = results.get("bullmq");
            String loadAfter = sh("uptime").strip();
            return report(xadd, corral, bull, loadBefore, loadAfter);
        } finally {
            live.forEach(Process::destroyForcibly);
            if (redis != null) redis.close();
        }
    }

    /** The figures of one system. Rates in tasks/s; latency in µs. */
    private static final class Result {
        /** Rates of the measured tasks, once the processes have run the warm-up. */
        final Map<String, Double> rates = new LinkedHashMap<>();
        /** Rates of the warm-up: the first tasks of freshly started processes. */
        final Map<String, Double> cold = new LinkedHashMap<>();
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        double coldP50 = Double.NaN;
        double coldP99 = Double.NaN;
    }

    /**
     * Every scenario runs for each system back to back before the next scenario starts, so that a
     * change in the machine's load during the run falls on both systems alike.
     */
    private Map<String, Result> runAll() throws Exception {
        List<String> systems = bullmq ? List.of("corral", "bullmq") : List.of("corral");
        Map<String, Result> results = new LinkedHashMap<>();
        for (String system : systems) results.put(system, new Result());
        for (String system : systems) enqueueThenDrain(system, results.get(system));
        for (String type : List.of("noop", "probe")) {
            for (int procs = 1; procs <= 2; procs++) {
                for (String system : systems) endToEnd(system, type, procs, results.get(system));
            }
        }
        for (String system : systems) latency(system, results.get(system));
        return results;
    }

    /**
     * The producer enqueues the warm-up and then the measured tasks with no worker running; then
     * one worker drains them all, in order: the rate over the warm-up tasks is its cold figure,
     * the rate over the rest its warm one.
     */
    private void enqueueThenDrain(String system, Result r) throws Exception {
        redis.flushAll();
        Process producer = role(system, "produce", Integer.toString(count), "noop", Integer.toString(warmup));
        awaitLine(producer, "READY");
        go(producer);
        if (warmup > 0) {
            double warmSeconds = Double.parseDouble(awaitLine(producer, "WARMED").split(" ")[1]);
            r.cold.put("enqueue", warmup / warmSeconds);
            go(producer);
        }
        double[] enq = enqueued(producer);
        r.rates.put("enqueue", count / enq[1]);
        log("%s enqueue: %.0f/s", system, count / enq[1]);
        Process w = role(system, "work", workers(system));
        awaitLine(w, "READY");
        long t0 = System.nanoTime();
        go(w);
        long tw = warmup > 0 ? awaitDone(warmup) : t0;
        if (warmup > 0) r.cold.put("drain noop x1", warmup / seconds(t0, tw));
        double drain = count / seconds(tw, awaitDone(warmup + count));
        stop(w);
        r.rates.put("drain noop x1", drain);
        log("%s drain: %.0f/s", system, drain);
    }

    /**
     * Producer and workers at once. The fresh processes first run the warm-up tasks (timed apart:
     * the cold figure); once all are acknowledged the producer is told to go on, and the measured
     * rate runs from then to the last acknowledgement.
     */
    private void endToEnd(String system, String type, int procs, Result r) throws Exception {
        redis.flushAll();
        List<Process> ws = new ArrayList<>();
        for (int i = 0; i < procs; i++) {
            ws.add(role(system, "work", workers(system)));
        }
        Process p = role(system, "produce", Integer.toString(count), type, Integer.toString(warmup));
        for (Process x : ws) awaitLine(x, "READY");
        awaitLine(p, "READY");
        for (Process x : ws) go(x);
        long t0 = System.nanoTime();
        go(p);
        String key = "e2e " + type + " x" + procs;
        long start = t0;
        if (warmup > 0) {
            awaitLine(p, "WARMED");
            start = awaitDone(warmup);
            r.cold.put(key, warmup / seconds(t0, start));
            go(p);
        }
        double rate = count / seconds(start, awaitDone(warmup + count));
        enqueued(p);
        for (Process x : ws) stop(x);
        r.rates.put(key, rate);
        if (type.equals("probe")) {
            long seen = redis.scard("bench:probe:seen");
            if (seen != count + warmup) log("WARNING %s %s: probe saw %d of %d", system, key, seen, count + warmup);
        }
        log("%s %s: %.0f/s (cold %.0f/s)", system, key, rate, r.cold.getOrDefault(key, Double.NaN));
    }

    private void latency(String system, Result r) throws Exception {
        redis.flushAll();
        Process lw = role(system, "work", workers(system));
        int n = 2000;
        int warm = warmup > 0 ? Math.max(100, n / 20) : 0;
        Process lp = role(system, "latency", Integer.toString(n), "500", Integer.toString(warm));
        awaitLine(lw, "READY");
        awaitLine(lp, "READY");
        go(lw);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));   // let the worker settle into its fetch loop
        go(lp);
        if (warm > 0) {
            awaitLine(lp, "WARMED");
            awaitDone(warm);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));   // the last latencies' flush
            double[] cold = percentiles(redis.lrange(BenchRoles.LAT, 0, -1));
            r.coldP50 = cold[0];
            r.coldP99 = cold[1];
            redis.del(BenchRoles.LAT);
            go(lp);
        }
        awaitDone(warm + n);
        enqueued(lp);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));   // the last latencies' flush
        stop(lw);
        double[] warmLat = percentiles(redis.lrange(BenchRoles.LAT, 0, -1));
        r.p50 = warmLat[0];
        r.p99 = warmLat[1];
        log("%s latency p50 %.0f us, p99 %.0f us (cold: p50 %.0f us, p99 %.0f us)", system, r.p50, r.p99, r.coldP50, r.coldP99);
    }

    /** {p50, p99} of latencies in µs, NaN if there are none. */
    private static double[] percentiles(List<String> values) {
        List<Long> lat = values.stream().map(v -> (long) Double.parseDouble(v)).sorted().toList();
        if (lat.isEmpty()) return new double[] {Double.NaN, Double.NaN};
        return new double[] {lat.get(lat.size() / 2), lat.get(Math.min(lat.size() - 1, (int) Math.ceil(lat.size() * 0.99) - 1))};
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private String workers(String system) {
        return Integer.toString(system.equals("corral") ? corralWorkers : bullmqConcurrency);
    }

    private Process role(String system, String role, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (system.equals("corral")) {
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-Dbench.virtual=" + corralVirtual, "-cp", System.getProperty("java.class.path"), RedisBench.class.getName(), role, uri, "bench"));
        } else {
            cmd.addAll(List.of("node", bullmqDir.resolve("bench.mjs").toString(), role, Integer.toString(port), "bench"));
        }
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        live.add(p);
        return p;
    }

    private static final Map<Process, BufferedReader> READERS = new LinkedHashMap<>();

    private static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader r = READERS.computeIfAbsent(p,
                x -> new BufferedReader(new InputStreamReader(x.getInputStream(), StandardCharsets.UTF_8)));
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) return line;
        }
        throw new IllegalStateException("a benchmark process ended without printing " + prefix);
    }

    private static void go(Process p) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** {n, seconds} from the producer's ENQUEUED line. */
    private static double[] enqueued(Process p) throws Exception {
        String[] f = awaitLine(p, "ENQUEUED").split(" ");
        p.waitFor(30, TimeUnit.SECONDS);
        return new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    /** Polls the done counter until it reaches {@code n}; returns System.nanoTime() then. */
    private long awaitDone(int n) {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (true) {
            String v = redis.get(BenchRoles.DONE);
            long done = v == null ? 0 : Long.parseLong(v);
            long now = System.nanoTime();
            if (done >= n) return now;
            if (now > limit) {
                throw new IllegalStateException("timed out with " + done + " of " + n + " tasks done");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));   // polling the counter
        }
    }

    private double xadd() throws Exception {
        String out = sh("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port), "-c", "50",
                "-n", Integer.toString(Math.max(count, 100_000)), "-q", "XADD", "bench:xadd", "*", "f", "v");
        redis.del("bench:xadd");
        Matcher m = RPS.matcher(out);
        double last = Double.NaN;
        while (m.find()) last = Double.parseDouble(m.group(1));
        return last;
    }

    private static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(600, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "(" + String.join(" ", cmd) + " failed: " + e + ")";
        }
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }

    private String report(double xadd, Result c, Result b, String loadBefore, String loadAfter) {
        StringBuilder s = new StringBuilder();
        String cpu = sh("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip();
        s.append("# Corral on Redis beside BullMQ and raw XADD\n\n");
        s.append(String.format(Locale.ROOT, "- Date: %s%n", ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))));
        s.append(String.format(Locale.ROOT, "- Machine: %s cores (%s), %s%n",
                Runtime.getRuntime().availableProcessors(), cpu, sh("sh", "-c", "free -g | awk '/Mem/{print $2 \" GiB RAM\"}'").strip()));
        s.append("- Load before: `").append(loadBefore).append("`\n");
        s.append("- Load after: `").append(loadAfter).append("`\n");
        s.append("- ").append(sh("redis-server", "--version").strip()).append(", one server on loopback, no persistence\n");
        s.append("- Java ").append(System.getProperty("java.version")).append("; node ").append(sh("node", "--version").strip())
                .append(", BullMQ ").append(bullmqVersion()).append("\n");
        s.append(String.format(Locale.ROOT, "- %,d measured tasks per scenario, after a warm-up of %,d tasks through the same "
                + "fresh processes (the cold columns: the warm-up's own rate); Corral worker: a pool of %d %sthreads per process; "
                + "BullMQ worker: concurrency %d per process%n", count, warmup, corralWorkers, corralVirtual ? "virtual " : "platform ",
                bullmqConcurrency));
        s.append("- Re-run: `scripts/redis-bench.sh` (see its header for options)\n\n");
        s.append(String.format(Locale.ROOT, "redis-benchmark XADD (50 connections, no pipelining): **%,.0f/s**%n%n", xadd));
        s.append("| scenario | Corral tasks/s | BullMQ jobs/s | Corral / BullMQ | cold: Corral | cold: BullMQ | cold: Corral / BullMQ |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        Map<String, String> names = new LinkedHashMap<>();
        names.put("enqueue", "enqueue only, 1 producer process");
        names.put("drain noop x1", "drain only, no-op, 1 worker process");
        names.put("e2e noop x1", "end to end, no-op, 1 producer + 1 worker process");
        names.put("e2e noop x2", "end to end, no-op, 1 producer + 2 worker processes");
        names.put("e2e probe x1", "end to end, probe (SADD+INCR), 1 producer + 1 worker process");
        names.put("e2e probe x2", "end to end, probe (SADD+INCR), 1 producer + 2 worker processes");
        for (Map.Entry<String, String> e : names.entrySet()) {
            s.append("| ").append(e.getValue()).append(rates(c.rates, b == null ? null : b.rates, e.getKey()))
                    .append(rates(c.cold, b == null ? null : b.cold, e.getKey())).append(" |\n");
        }
        s.append(String.format(Locale.ROOT, "| latency enqueue to start at 500/s, p50 / p99 | %s | %s | | %s | %s | |%n",
                lat(c.p50, c.p99), b == null ? "-" : lat(b.p50, b.p99), lat(c.coldP50, c.coldP99),
                b == null ? "-" : lat(b.coldP50, b.coldP99)));
        s.append("\nEach scenario ran for Corral, then at once for BullMQ, on the same server, in processes started for it. "
                + "Those first run the warm-up tasks (the cold columns: the first tasks of fresh processes, JIT compilers "
                + "still at work); once every warm-up task is acknowledged the producer goes on with the measured tasks "
                + "(the first columns: long-running workers). Enqueue only: the producer's rate with no worker running; "
                + "drain only: one worker then runs everything enqueued, in order. End to end runs from the producer's "
                + "first enqueue to the last acknowledgement, producer and workers running at once. Completion is counted "
                + "from acknowledgements (Corral: the worker's acknowledged count; BullMQ: its 'completed' events) and "
                + "polled every 5 ms. Latency: 2,000 tasks at 500/s, after 100 warm-up tasks at the same rate.\n");
        return s.toString();
    }

    private static String lat(double p50, double p99) {
        return Double.isNaN(p50) ? "-" : String.format(Locale.ROOT, "%.2f ms / %.2f ms", p50 / 1000, p99 / 1000);
    }

    /** " | corral | bullmq | ratio" for one scenario of one pair of rate maps. */
    private static String rates(Map<String, Double> corral, Map<String, Double> bull, String key) {
        double cv = corral.getOrDefault(key, Double.NaN);
        double bv = bull == null ? Double.NaN : bull.getOrDefault(key, Double.NaN);
        return String.format(Locale.ROOT, " | %s | %s | %s", Double.isNaN(cv) ? "-" : String.format(Locale.ROOT, "%,.0f", cv),
                Double.isNaN(bv) ? "-" : String.format(Locale.ROOT, "%,.0f", bv),
                Double.isNaN(bv) || Double.isNaN(cv) ? "-" : String.format(Locale.ROOT, "%.2fx", cv / bv));
    }

    private String bullmqVersion() {
        try {
            String pkg = Files.readString(bullmqDir.resolve("node_modules/bullmq/package.json"));
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(pkg);
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "(not installed)";
        }
    }
}
