package dev.corral.cli.scale;

/**
 * One reading taken during a run, for the chart and the summary.
 *
 * @param seconds  time since the run started
 * @param rate     the arrival rate the load asked for at that moment, per second
 * @param offered  arrivals a second actually started since the previous sample
 * @param queued   tasks waiting in the pool's queue
 * @param live     the pool's live workers
 * @param busy     workers running a task
 * @param target   the pool's current target (the most workers allowed now)
 */
public record Sample(double seconds, double rate, double offered, int queued, int live, int busy, int target) {
}
