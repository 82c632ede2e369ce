package dev.corral.journal;

import dev.corral.TaskEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A journal read back by {@link JournalReader}: its events in the order they were written, and
 * how many the writer reported dropped.
 *
 * @param events      the events, in file order
 * @param dropped     the sum of the {@code dropped} lines: events the writer could not keep
 * @param wallMillis  the wall-clock time the writer started, from the first line (0 if absent)
 * @param nanoTime    the ticker reading at that moment, to place {@link TaskEvent#nanoTime()}s on
 *                    the wall clock: {@code wallMillis + (event.nanoTime() - nanoTime) / 1e6}
 */
public record Journal(List<TaskEvent> events, long dropped, long wallMillis, long nanoTime) {

    /** A name for the tasks submitted without one, in {@link #statsByTaskName()}. */
    public static final String UNNAMED = "(unnamed)";

    /**
     * @throws NullPointerException if {@code events} is null
     */
    public Journal {
        events = List.copyOf(Objects.requireNonNull(events, "events"));
    }

    /**
     * Replays the events into statistics per task name (unnamed tasks under {@link #UNNAMED}),
     * sorted by name: counts by kind, and run-time percentiles of the tasks that ran.
     */
    public Map<String, TaskNameStats> statsByTaskName() {
        Map<String, TaskNameStats.Builder> by = new TreeMap<>();
        for (TaskEvent e : events) {
            if (e.kind().isPoolEvent()) {
                continue;
            }
            String name = e.taskName() != null ? e.taskName() : UNNAMED;
            by.computeIfAbsent(name, TaskNameStats.Builder::new).add(e);
        }
        Map<String, TaskNameStats> out = new LinkedHashMap<>();
        by.forEach((name, b) -> out.put(name, b.build()));
        return out;
    }

    /** The wall-clock time of an event, in epoch milliseconds, from the journal's anchor. */
    public long wallMillisOf(TaskEvent e) {
        return wallMillis + Math.floorDiv(e.nanoTime() - nanoTime, 1_000_000L);
    }
}
