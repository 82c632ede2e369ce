package dev.corral.cli.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * The demo's request: a fixed amount of CPU work, then a blocking wait, like a handler that parses
 * a request and then waits on a database.
 *
 * <p>The CPU part is a hash loop whose round count is calibrated once per JVM so that it takes the
 * requested time on an idle core. It is a fixed amount of work, not a spin until a deadline: when
 * more threads want the CPU than there are cores, a request takes longer, as a real one would. Each
 * round depends on the one before and the hash is handed back to the client, so the JIT can neither
 * drop the loop nor shorten it. The wait is a {@link Thread#sleep}, which a pool sees exactly as it
 * sees blocking I/O: a worker held, no CPU used.
 */
public final class Workload {

    private final Duration cpu;
    private final Duration io;
    private final long rounds;

    private Workload(Duration cpu, Duration io, long rounds) {
        this.cpu = cpu;
        this.io = io;
        this.rounds = rounds;
    }

    /** A workload whose CPU part takes {@code cpu} on an idle core and whose wait lasts {@code io}. */
    public static Workload calibrated(Duration cpu, Duration io) {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(io, "io");
        if (cpu.isNegative() || io.isNegative()) {
            throw new IllegalArgumentException("cpu and io must not be negative: " + cpu + ", " + io);
        }
        long rounds = cpu.isZero() ? 0 : Math.max(1, Math.round(cpu.toNanos() / Calibration.NANOS_PER_ROUND));
        return new Workload(cpu, io, rounds);
    }

    /** Runs one request; the result is a hash of {@code seed}, to be consumed by the caller. */
    public long handle(long seed) throws InterruptedException {
        long h = burn(seed, rounds);
        if (!io.isZero()) {
            Thread.sleep(io);
        }
        return h;
    }

    public Duration cpu() {
        return cpu;
    }

    public Duration io() {
        return io;
    }

    /** Hash rounds per request: the calibrated size of the CPU part. */
    public long rounds() {
        return rounds;
    }

    /** Nanoseconds one hash round took on this machine when calibrated. */
    public static double nanosPerRound() {
        return Calibration.NANOS_PER_ROUND;
    }

    /**
     * A chain of {@code rounds} dependent multiply-xorshift steps (SplitMix64's finaliser with a
     * counter mixed in). Nothing here can be hoisted, vectorised or folded.
     */
    static long burn(long seed, long rounds) {
        long x = seed;
        for (long i = 0; i < rounds; i++) {
            x += 0x9E3779B97F4A7C15L;
            x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
            x ^= x >>> 27;
        }
        return x;
    }

    /** Measured once, when a workload is first made; the JVM's first minute is the worst time to do it twice. */
    private static final class Calibration {
        static final double NANOS_PER_ROUND = measure();
        @SuppressWarnings("unused")
        static volatile long sink;

        private static double measure() {
            long acc = 0;
            // Enough loop iterations to get burn() compiled by C2 before timing it.
            for (int i = 0; i < 300; i++) {
                acc += burn(i, 20_000);
            }
            // The fastest of several runs is the one least disturbed by other threads.
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 25; i++) {
                long rounds = 100_000;
                long t0 = System.nanoTime();
                acc += burn(acc + i, rounds);
                long took = System.nanoTime() - t0;
                best = Math.min(best, (double) took / rounds);
            }
            sink = acc;
            return Math.max(best, 0.01);
        }
    }
}
