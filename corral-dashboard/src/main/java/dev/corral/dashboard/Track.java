package dev.corral.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One source and what the dashboard has seen of it: the last {@code capacity} points, oldest
 * first, and the reading before, from which the next point's rates are computed.
 *
 * <p>The sampling thread adds points; HTTP threads copy them out. Both hold {@link #lock}, which
 * guards every mutable field; a copy is a few hundred small objects at most, so readers never
 * hold the sampler up for long.
 */
final class Track {

    final DashboardSource source;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final ArrayDeque<Point> points;
    /** Guarded by lock: the reading the latest point came from, and when it was taken. */
    private Reading previous;
    private long previousMillis;
    /** Guarded by lock. */
    private long readFailures;
    private String lastError;

    Track(DashboardSource source, int capacity) {
        this.source = source;
        this.capacity = capacity;
        this.points = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Reads the source once, at {@code nowMillis}, and keeps the point; a failed read is counted. */
    void sample(long nowMillis) {
        Reading r;
        try {
            r = source.read();
        } catch (RuntimeException e) {
            lock.lock();
            try {
                readFailures++;
                lastError = e.toString();
                previous = null; // the next point has no trustworthy interval to divide by
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            Reading before = previous;
            double seconds = (nowMillis - previousMillis) / 1000.0;
            boolean rates = before != null && seconds > 0;
            Point p = new Point(nowMillis, r.workers(), r.busyWorkers(), r.targetWorkers(), r.queued(),
                    rates ? rate(r.completed() - before.completed(), seconds) : null,
                    rates ? rate(r.failed() - before.failed(), seconds) : null,
                    rates ? rate(r.rejected() - before.rejected(), seconds) : null,
                    millis(r.p50()), millis(r.p99()), millis(r.queueWaitP99()), r.extra());
            if (points.size() == capacity) {
                points.removeFirst();
            }
            points.addLast(p);
            previous = r;
            previousMillis = nowMillis;
        } finally {
            lock.unlock();
        }
    }

    /** The points kept, oldest first. */
    List<Point> history() {
        lock.lock();
        try {
            return new ArrayList<>(points);
        } finally {
            lock.unlock();
        }
    }

    /** The newest point and the totals, read together. */
    Summary summary() {
        lock.lock();
        try {
            return new Summary(points.peekLast(), previous, readFailures, lastError);
        } finally {
            lock.unlock();
        }
    }

    /** What {@code /api/pools} shows of a source. */
    record Summary(Point latest, Reading reading, long readFailures, String lastError) {
    }

    /** A counter's change per second; a counter that went down (a source restarted) counts from zero. */
    private static double rate(long delta, double seconds) {
        return Math.max(0, delta) / seconds;
    }

    private static Double millis(Duration d) {
        return d == null ? null : d.toNanos() / 1e6;
    }
}
