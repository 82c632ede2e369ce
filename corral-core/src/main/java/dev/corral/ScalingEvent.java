package dev.corral;

/**
 * A change of a pool's worker target: by its scaling policy or by {@link Pool#resize(int, int)}
 * (idle expiry changes the live count, not the target). Delivered to {@link Pool.Builder#onScale}
 * in the thread that made the change, and kept as {@link PoolStats#lastScaling()}.
 *
 * @param nanoTime the pool's ticker reading when the change was made
 * @param from     the target (most workers allowed) before
 * @param to       the target after
 * @param reason   a short sentence saying why, e.g. "utilization 0.93 > 0.80 for 30s: +2"
 */
public record ScalingEvent(long nanoTime, int from, int to, String reason) {
}
