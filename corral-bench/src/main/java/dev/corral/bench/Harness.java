package dev.corral.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What the plain-main harnesses share: {@code --key value} arguments, the one machine-readable
 * {@code RESULT} line each run prints for {@link BenchMain} to parse, resident memory, and a
 * calibrated unit of CPU work.
 */
final class Harness {

    /** The prefix of the line a harness prints with its numbers, {@code RESULT key=value ...}. */
    static final String RESULT = "RESULT";

    private Harness() {
    }

    /** Parses {@code --key value} pairs and bare {@code --flag}s (value "true"). */
    static Map<String, String> args(String[] argv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --key, got '" + a + "' in " + Arrays.toString(argv));
            }
            String key = a.substring(2);
            if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                m.put(key, argv[++i]);
            } else {
                m.put(key, "true");
            }
        }
        return m;
    }

    static int intArg(Map<String, String> args, String key, int dflt) {
        String v = args.get(key);
        return v == null ? dflt : Integer.parseInt(v.replace("_", ""));
    }

    static long longArg(Map<String, String> args, String key, long dflt) {
        String v = args.get(key);
        return v == null ? dflt : Long.parseLong(v.replace("_", ""));
    }

    static double doubleArg(Map<String, String> args, String key, double dflt) {
        String v = args.get(key);
        return v == null ? dflt : Double.parseDouble(v);
    }

    static List<String> listArg(Map<String, String> args, String key, List<String> dflt) {
        String v = args.get(key);
        return v == null ? dflt : List.of(v.split(","));
    }

    /** Prints {@code RESULT k=v k=v ...} (values must not contain spaces). */
    static void printResult(Map<String, ?> values) {
        StringJoiner j = new StringJoiner(" ", RESULT + " ", "");
        values.forEach((k, v) -> j.add(k + "=" + format(v)));
        System.out.println(j);
        System.out.flush();
    }

    /** Parses a line printed by {@link #printResult}; null if it is not one. */
    static Map<String, String> parseResult(String line) {
        if (!line.startsWith(RESULT + " ")) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : line.substring(RESULT.length() + 1).trim().split(" +")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.4f", d);
        }
        return String.valueOf(v);
    }

    /** Resident set size of this process in bytes (Linux {@code /proc/self/status}); -1 elsewhere. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use after asking for two full collections (approximate, as every heap figure is). */
    static long heapUsedAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---- CPU work ----------------------------------------------------------------------------

    private static volatile long sink;

    /**
     * Burns CPU for {@code iterations} rounds of a xorshift (no memory traffic, no allocation, not
     * removable by the JIT since the result is published). Works the same on platform and virtual
     * threads, unlike a thread-CPU-time loop (virtual threads have no CPU clock on JDK 21).
     */
    static void burn(long iterations) {
        long x = 0x9E3779B97F4A7C15L ^ iterations;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        if (x == 42) {
            sink = x;
        }
    }

    /**
     * Iterations of {@link #burn} that take {@code micros} of CPU on this machine, now: the median
     * of several timed runs after a warm-up, on the calling (idle) thread. Pass the result to child
     * processes so that every candidate does the same work.
     */
    static long calibrateBurn(double micros) {
        long probe = 1_000_000;
        for (int i = 0; i < 30; i++) {
            burn(probe); // let the JIT compile it
        }
        double[] nsPerIteration = new double[9];
        for (int i = 0; i < nsPerIteration.length; i++) {
            long t0 = System.nanoTime();
            burn(probe);
            nsPerIteration[i] = (System.nanoTime() - t0) / (double) probe;
        }
        Arrays.sort(nsPerIteration);
        double ns = nsPerIteration[nsPerIteration.length / 2];
        return Math.max(1, Math.round(micros * 1000 / ns));
    }
}
