package dev.corral.cli.demo;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The ways the demo runs its requests, each measured under the same clients and workload. */
public enum Mode {

    /** No pool: a new platform thread per request, as a naive server does. */
    THREAD {
        @Override
        public String describe(DemoSettings s) {
            return "a new platform thread per request (no pool, no limit)";
        }

        @Override
        Target start(DemoSettings s) {
            return new ThreadPerRequest();
        }
    },

    /** The JDK's ThreadPoolExecutor as it is usually set up for a bounded, blocking pool. */
    TPE {
        @Override
        public String describe(DemoSettings s) {
            return "ThreadPoolExecutor, " + s.workers() + " " + threadKind(s) + " threads (core = max), "
                    + (s.queue() == 0 ? "SynchronousQueue" : "ArrayBlockingQueue(" + s.queue() + ")")
                    + ", rejection handler that waits in queue.put() (a full queue blocks the submitter)";
        }

        @Override
        Target start(DemoSettings s) {
            return new JdkPoolTarget(s.workers(), s.queue(), s.virtual());
        }
    },

    /** Corral's pool with the same worker count and queue, waiting when full. */
    CORRAL {
        @Override
        public String describe(DemoSettings s) {
            return "Pool.builder().name(\"demo\").workers(" + s.workers() + ").queueCapacity(" + s.queue()
                    + ").whenFull(Overflow.BLOCK), " + threadKind(s) + " threads";
        }

        @Override
        Target start(DemoSettings s) {
            return new CorralTarget(s.workers(), s.queue(), s.virtual());
        }
    };

    /** The name used on the command line and in the report: {@code thread}, {@code tpe}, {@code corral}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One line saying how this mode is set up under {@code s}. */
    public abstract String describe(DemoSettings s);

    /** Builds this mode's executor for one cell. */
    abstract Target start(DemoSettings s);

    /** The mode named {@code name} (any case); the message of a failure lists the names. */
    public static Mode parse(String name) {
        for (Mode m : values()) {
            if (m.cliName().equalsIgnoreCase(name.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a mode: expected one of " + names());
    }

    /** The command-line names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(Mode::cliName).collect(Collectors.joining(", "));
    }

    private static String threadKind(DemoSettings s) {
        return s.virtual() ? "virtual" : "platform";
    }
}
