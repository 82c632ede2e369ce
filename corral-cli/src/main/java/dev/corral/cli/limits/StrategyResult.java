package dev.corral.cli.limits;

import java.time.Duration;

/**
 * What one strategy measured. Only requests that ended inside the measured window count, whenever
 * they arrived; latencies are of the successful ones, from their scheduled arrival to their end.
 *
 * @param limit          the limit as the table shows it (for the adaptive strategy, where it went)
 * @param offered        requests scheduled to arrive inside the window
 * @param succeeded      requests that were admitted and returned their result
 * @param rejected       requests the limit refused (after waiting at most the strategy's wait)
 * @param failed         requests that were admitted and then failed: a bug, never expected
 * @param measured       the length of the measured window
 * @param meanNanos      mean latency of the successful requests
 * @param p95Nanos       95th percentile latency
 * @param p99Nanos       99th percentile latency
 * @param maxNanos       the largest latency
 * @param peakRunning    the most requests doing their work at once during the window
 * @param note           what the strategy has to say about its limit, or null
 * @param firstFailure   the first failure in the window, described, or null if none
 * @param stoppedCleanly whether every request thread and worker ended within the bound after the run
 */
public record StrategyResult(
        Strategy strategy,
        String limit,
        long offered,
        long succeeded,
        long rejected,
        long failed,
        Duration measured,
        double meanNanos,
        long p95Nanos,
        long p99Nanos,
        long maxNanos,
        int peakRunning,
        String note,
        String firstFailure,
        boolean stoppedCleanly) {

    /** Requests scheduled per second of the window: the load actually offered. */
    public double offeredPerSecond() {
        return offered * 1e9 / measured.toNanos();
    }

    /** Successful requests per second of the window. */
    public double tps() {
        return succeeded * 1e9 / measured.toNanos();
    }

    /** Refused requests as a percentage of all requests that ended in the window (0 when none did). */
    public double rejectedPercent() {
        long all = succeeded + rejected + failed;
        return all == 0 ? 0.0 : 100.0 * rejected / all;
    }
}
