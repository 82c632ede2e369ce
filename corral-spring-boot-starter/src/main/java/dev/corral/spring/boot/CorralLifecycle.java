package dev.corral.spring.boot;

import dev.corral.Pool;
import dev.corral.ShutdownReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Stops the pools from configuration with the application: in one {@link SmartLifecycle} phase,
 * all pools at once, each with {@link Pool#shutdownGracefully(Duration)}: intake stops, queued and
 * running tasks get the shutdown timeout to finish, what still runs is then interrupted and what
 * never started is handed back, and the {@link ShutdownReport} is logged (INFO when everything
 * finished, WARN otherwise). Tasks that never started are cancelled, so that no caller waits
 * for them forever.
 *
 * <p>The default phase, {@link #DEFAULT_PHASE}, lies between the web server's graceful shutdown
 * and the web server's stop: requests still in flight may submit to a pool until they are done,
 * and the pools are empty before the server goes. Beans of the default phase ({@code @Scheduled}
 * methods, message listeners) stop before it, so they cannot submit into a stopped pool.
 *
 * <p>The timeout defaults to {@code spring.lifecycle.timeout-per-shutdown-phase}; the pools get a
 * little less (a tenth, at most a second), because a pool waits up to a second more for
 * interrupted tasks and the report should be logged before Spring stops waiting for the phase.
 */
final class CorralLifecycle implements SmartLifecycle {

    /** Between Boot's web server graceful shutdown (MAX - 1024) and its stop (MAX - 2048). */
    static final int DEFAULT_PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

    private static final Log LOG = LogFactory.getLog(CorralLifecycle.class);

    private final CorralPools pools;
    private final Duration timeout;
    private final int phase;
    private volatile boolean running;

    CorralLifecycle(CorralPools pools, Duration timeout, int phase) {
        this.pools = Objects.requireNonNull(pools, "pools");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.phase = phase;
    }

    @Override
    public void start() {
        pools.pools(); // create every pool now, not on first use: a bad customizer fails the start
        running = true;
    }

    @Override
    public void stop() {
        stopPools();
    }

    @Override
    public void stop(Runnable callback) {
        // Spring waits for the callback at most the phase timeout; stopping here, in the calling
        // thread, is what keeps the phase's other beans from going first.
        try {
            stopPools();
        } finally {
            callback.run();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return phase;
    }

    /** The deadline each pool gets: the timeout less what a pool may wait after interrupting. */
    Duration deadline() {
        Duration margin = timeout.dividedBy(10);
        if (margin.compareTo(Duration.ofSeconds(1)) > 0) {
            margin = Duration.ofSeconds(1);
        }
        return timeout.minus(margin);
    }

    private void stopPools() {
        if (!running) {
            return;
        }
        running = false;
        Map<String, Pool> all = pools.pools();
        Duration deadline = deadline();
        // One thread per pool, so every pool stops taking work at once and they drain in parallel;
        // shutdownGracefully itself stops intake (after noting what had settled, for its report).
        List<Thread> stoppers = new ArrayList<>();
        for (Map.Entry<String, Pool> e : all.entrySet()) {
            stoppers.add(Thread.ofPlatform().name("corral-shutdown-" + e.getKey())
                    .start(() -> stopOne(e.getKey(), e.getValue(), deadline)));
        }
        boolean interrupted = false;
        for (Thread t : stoppers) {
            for (;;) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException ex) {
                    interrupted = true; // the pools stop anyway at their deadline
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stopOne(String name, Pool pool, Duration deadline) {
        try {
            ShutdownReport report = pool.shutdownGracefully(deadline);
            for (Runnable never : report.neverStarted()) {
                // Nobody will run them now: settle their futures, so no caller waits forever.
                if (never instanceof Future<?> f) {
                    f.cancel(false);
                }
            }
            log(name, report, deadline);
        } catch (InterruptedException e) {
            LOG.warn("Corral pool '" + name + "' was stopped at once: interrupted while waiting for its tasks");
        } catch (RuntimeException e) {
            LOG.warn("Corral pool '" + name + "' failed to stop gracefully", e);
        }
    }

    static void log(String name, ShutdownReport r, Duration deadline) {
        String line = "Corral pool '" + name + "' stopped: " + r.completed() + " tasks completed, "
                + r.interrupted() + " interrupted at the " + deadline + " deadline, "
                + r.neverStarted().size() + " never started" + (r.neverStarted().isEmpty() ? "" : " (cancelled)")
                + (r.terminated() ? "" : "; some workers still run (a task ignored its interrupt)");
        if (r.interrupted() == 0 && r.neverStarted().isEmpty() && r.terminated()) {
            LOG.info(line);
        } else {
            LOG.warn(line);
        }
    }
}
