package dev.corral.cli.demo;

import java.time.Duration;

/**
 * What one cell (one mode at one client count) measured. Only requests that completed inside the
 * measured window count; latencies are of the successful ones, from submission to result.
 *
 * @param succeeded      requests that returned their result
 * @param failed         requests that were refused or failed (rejection, exception, no thread)
 * @param measured       the length of the measured window
 * @param meanNanos      mean latency of the successful requests
 * @param p95Nanos       95th percentile latency
 * @param p99Nanos       99th percentile latency
 * @param maxNanos       the largest latency
 * @param firstFailure   the first failure in the window, described, or null if none
 * @param stoppedCleanly whether every client and worker thread ended within the bound after the cell
 */
public record CellResult(
        Mode mode,
        int clients,
        long succeeded,
        long failed,
        Duration measured,
        double meanNanos,
        long p95Nanos,
        long p99Nanos,
        long maxNanos,
        String firstFailure,
        boolean stoppedCleanly) {

    /** Successful requests per second of the measured window. */
    public double tps() {
        return succeeded * 1e9 / measured.toNanos();
    }

    /** Failed requests as a percentage of all requests completed in the window (0 when none completed). */
    public double errorPercent() {
        long all = succeeded + failed;
        return all == 0 ? 0.0 : 100.0 * failed / all;
    }
}
