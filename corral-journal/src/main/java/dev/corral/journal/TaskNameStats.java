package dev.corral.journal;

import dev.corral.TaskEvent;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a journal says about the tasks of one name: how many events of each kind (submitted,
 * started, succeeded, failed, ..., and for a Redis queue's tasks, named after their type, retried
 * and dead-lettered), and the run-time percentiles of those that ran to an outcome.
 *
 * @param name      the task name ({@link Journal#UNNAMED} for tasks without one)
 * @param counts    events by kind; kinds that never occurred are absent
 * @param timed     outcomes with a known run time (the percentiles are over these)
 * @param p50       median run time, or {@link Duration#ZERO} when none was timed
 * @param p95       95th percentile
 * @param p99       99th percentile
 * @param max       the longest
 */
public record TaskNameStats(String name, Map<TaskEvent.Kind, Long> counts, long timed, Duration p50, Duration p95,
                            Duration p99, Duration max) {

    /** Events of {@code kind} for this name, 0 if none. */
    public long count(TaskEvent.Kind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    /**
     * Failed attempts of a distributed queue's tasks that were re-enqueued for another
     * ({@link TaskEvent.Kind#RETRIED} events), 0 if none.
     */
    public long retried() {
        return count(TaskEvent.Kind.RETRIED);
    }

    /**
     * A distributed queue's tasks moved to its dead-letter stream ({@link TaskEvent.Kind#DEAD_LETTERED}
     * events: attempts exhausted, or an entry that could not run), 0 if none.
     */
    public long deadLettered() {
        return count(TaskEvent.Kind.DEAD_LETTERED);
    }

    /** Failures among the outcomes (failed, timed out, discarded), as a fraction of all outcomes. */
    public double errorRate() {
        long outcomes = 0;
        long errors = 0;
        for (Map.Entry<TaskEvent.Kind, Long> e : counts.entrySet()) {
            if (e.getKey().isOutcome()) {
                outcomes += e.getValue();
                if (e.getKey() == TaskEvent.Kind.FAILED || e.getKey() == TaskEvent.Kind.TIMED_OUT
                        || e.getKey() == TaskEvent.Kind.DISCARDED) {
                    errors += e.getValue();
                }
            }
        }
        return outcomes == 0 ? 0.0 : (double) errors / outcomes;
    }

    /** Accumulates one name's events. */
    static final class Builder {
        private final String name;
        private final EnumMap<TaskEvent.Kind, Long> counts = new EnumMap<>(TaskEvent.Kind.class);
        private final Histogram runs = new Histogram(3); // auto-resizing, 3 significant digits

        Builder(String name) {
            this.name = name;
        }

        void add(TaskEvent e) {
            counts.merge(e.kind(), 1L, Long::sum);
            if (e.kind().isOutcome() && e.runNanos() >= 0) {
                runs.recordValue(e.runNanos());
            }
        }

        TaskNameStats build() {
            long n = runs.getTotalCount();
            return new TaskNameStats(name, Collections.unmodifiableMap(new EnumMap<>(counts)), n,
                    at(50), at(95), at(99), n == 0 ? Duration.ZERO : Duration.ofNanos(runs.getMaxValue()));
        }

        private Duration at(double percentile) {
            return runs.getTotalCount() == 0 ? Duration.ZERO : Duration.ofNanos(runs.getValueAtPercentile(percentile));
        }
    }
}
