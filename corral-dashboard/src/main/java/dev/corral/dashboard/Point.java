package dev.corral.dashboard;

import java.util.Map;

/**
 * One sample of one source, as charted: gauges as read, counters turned into rates per second
 * since the previous sample. Rates are null on a source's first sample (nothing to compare with)
 * and after a failed read; latencies are null when the source had none.
 */
record Point(long epochMillis, int workers, int busyWorkers, int targetWorkers, int queued,
             Double throughput, Double failuresPerSecond, Double rejectionsPerSecond,
             Double p50Millis, Double p99Millis, Double queueWaitP99Millis, Map<String, Long> extra) {
}
