package dev.corral.cli.scale;

import java.util.List;
import java.util.Optional;

/**
 * One load shape's run through the elastic pool, and what it comes to.
 *
 * <h2>How fast the pool followed</h2>
 * Both lags are read off the samples against one level, the load half-way between the trough and
 * the peak, in workers' worth (11 with the defaults): <em>scale-out</em> runs from the first sample
 * at which the load asks for at least that many workers (for the step, the step itself) to the
 * first sample at which that many are live; <em>scale-in</em> runs from the last sample at which
 * the load falls below it to the first sample after that at which the live workers are back at or
 * below it. Either is empty if the pool never got there within the run (a maximum below the
 * level, or a run too short for the keep-alive and the policy's windows).
 *
 * @param shape           the load shape
 * @param trace           what the run saw
 * @param halfWay         the level, in workers
 * @param peakWorkers     the most live workers in any sample
 * @param scaleOutSeconds the scale-out lag, if the pool got there
 * @param scaleInSeconds  the scale-in lag, if the pool got there
 * @param maxQueued       the most queued tasks in any sample
 */
public record ShapeRun(LoadShape shape, Simulation.Trace trace, double halfWay, int peakWorkers,
                       Optional<Double> scaleOutSeconds, Optional<Double> scaleInSeconds, int maxQueued) {

    /** Reads the summary off {@code trace}. */
    public static ShapeRun of(LoadShape shape, ScaleSettings s, Simulation.Trace trace) {
        List<Sample> samples = trace.samples();
        double halfWay = (s.trough() + s.peak()) / 2;
        double halfWayRate = s.rateFor(halfWay);
        int peak = 0;
        int maxQueued = 0;
        for (Sample x : samples) {
            peak = Math.max(peak, x.live());
            maxQueued = Math.max(maxQueued, x.queued());
        }
        Optional<Double> out = Optional.empty();
        int rise = firstIndex(samples, 0, x -> x.rate() >= halfWayRate);
        if (rise >= 0) {
            int reached = firstIndex(samples, rise, x -> x.live() >= halfWay);
            if (reached >= 0) {
                out = Optional.of(samples.get(reached).seconds() - samples.get(rise).seconds());
            }
        }
        Optional<Double> in = Optional.empty();
        int fall = -1;
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i - 1).rate() >= halfWayRate && samples.get(i).rate() < halfWayRate) {
                fall = i;
            }
        }
        if (fall >= 0) {
            int back = firstIndex(samples, fall, x -> x.live() <= halfWay);
            if (back >= 0) {
                in = Optional.of(samples.get(back).seconds() - samples.get(fall).seconds());
            }
        }
        return new ShapeRun(shape, trace, halfWay, peak, out, in, maxQueued);
    }

    /** The p99 of the queue wait over the whole run, in nanoseconds (0 if no task started). */
    public long p99QueueWaitNanos() {
        return trace.queueWait().getTotalCount() == 0 ? 0 : trace.queueWait().getValueAtPercentile(99);
    }

    private static int firstIndex(List<Sample> samples, int from, java.util.function.Predicate<Sample> p) {
        for (int i = from; i < samples.size(); i++) {
            if (p.test(samples.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
