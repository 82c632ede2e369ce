package dev.corral.cli.demo;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything one run of the demo needs, already validated.
 *
 * @param duration how long each cell is measured
 * @param warmup   how long each cell runs before measuring starts
 * @param clients  the client counts, one cell per count and mode
 * @param workers  worker threads of the pooled modes
 * @param queue    queue capacity of the pooled modes
 * @param virtual  whether the pooled modes' workers are virtual threads
 * @param cpu      CPU work per request
 * @param io       blocking wait per request
 * @param modes    the ways to run the requests, in order
 */
public record DemoSettings(
        Duration duration,
        Duration warmup,
        List<Integer> clients,
        int workers,
        int queue,
        boolean virtual,
        Duration cpu,
        Duration io,
        List<Mode> modes) {

    public DemoSettings {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(io, "io");
        clients = List.copyOf(clients);
        modes = List.copyOf(modes);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        if (warmup.isNegative() || cpu.isNegative() || io.isNegative()) {
            throw new IllegalArgumentException("warmup, cpu and io must not be negative");
        }
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("client counts must be one or more, were " + clients);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be one or more, was " + workers);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue must not be negative, was " + queue);
        }
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("at least one mode is needed");
        }
    }

    /**
     * Goetz's pool-sizing rule, cores × (1 + wait/compute): the smallest worker count that keeps
     * every core busy when each request computes for {@code cpu} and then waits for {@code io}.
     * Never more than {@code maxClients}, which is the most requests that can be in flight.
     */
    public static int suggestedWorkers(int cores, Duration cpu, Duration io, int maxClients) {
        if (cpu.isZero()) {
            return Math.max(1, maxClients);
        }
        double perCore = 1.0 + (double) io.toNanos() / cpu.toNanos();
        long n = Math.round(cores * perCore);
        return (int) Math.max(1, Math.min(n, maxClients));
    }
}
