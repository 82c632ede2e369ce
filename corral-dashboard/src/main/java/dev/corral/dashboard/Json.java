package dev.corral.dashboard;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The JSON documents the dashboard serves, as docs/dashboard.md describes them. Built as maps and
 * lists and written by jackson-jr, so escaping is the library's business. Keys keep the order
 * they are put in, so the documents read well by eye.
 */
final class Json {

    /** Writes null values too: every key the documentation lists is present in every document. */
    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Json() {
    }

    static String write(Object document) {
        try {
            return WRITER.asString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // maps of strings and numbers always serialise
        }
    }

    /** {@code /api/pools} and each server-sent event: every source and its newest point. */
    static Map<String, Object> pools(long nowMillis, long intervalMillis, List<Track> tracks) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("time", nowMillis);
        doc.put("intervalMillis", intervalMillis);
        List<Object> pools = new ArrayList<>(tracks.size());
        for (Track t : tracks) {
            Track.Summary s = t.summary();
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("name", t.source.name());
            pool.put("kind", t.source.kind());
            pool.put("latest", s.latest() == null ? null : point(s.latest()));
            if (s.reading() != null) {
                Map<String, Object> totals = new LinkedHashMap<>();
                totals.put("completed", s.reading().completed());
                totals.put("failed", s.reading().failed());
                totals.put("rejected", s.reading().rejected());
                totals.put("queueCapacity", s.reading().queueCapacity());
                pool.put("totals", totals);
            } else {
                pool.put("totals", null);
            }
            pool.put("readFailures", s.readFailures());
            pool.put("lastError", s.lastError());
            pools.add(pool);
        }
        doc.put("pools", pools);
        return doc;
    }

    /** One point as an object. */
    static Map<String, Object> point(Point p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", p.epochMillis());
        m.put("workers", p.workers());
        m.put("busyWorkers", p.busyWorkers());
        m.put("targetWorkers", p.targetWorkers());
        m.put("queued", p.queued());
        m.put("throughput", round(p.throughput()));
        m.put("failuresPerSecond", round(p.failuresPerSecond()));
        m.put("rejectionsPerSecond", round(p.rejectionsPerSecond()));
        m.put("p50Millis", round(p.p50Millis()));
        m.put("p99Millis", round(p.p99Millis()));
        m.put("queueWaitP99Millis", round(p.queueWaitP99Millis()));
        m.put("extra", p.extra());
        return m;
    }

    /** {@code /api/pools/{name}/history}: the kept points as columns, one array per field, oldest first. */
    static Map<String, Object> history(Track t, long intervalMillis) {
        List<Point> points = t.history();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", t.source.name());
        doc.put("kind", t.source.kind());
        doc.put("intervalMillis", intervalMillis);
        doc.put("points", points.size());
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("time", column(points, Point::epochMillis));
        series.put("workers", column(points, Point::workers));
        series.put("busyWorkers", column(points, Point::busyWorkers));
        series.put("targetWorkers", column(points, Point::targetWorkers));
        series.put("queued", column(points, Point::queued));
        series.put("throughput", column(points, p -> round(p.throughput())));
        series.put("failuresPerSecond", column(points, p -> round(p.failuresPerSecond())));
        series.put("rejectionsPerSecond", column(points, p -> round(p.rejectionsPerSecond())));
        series.put("p50Millis", column(points, p -> round(p.p50Millis())));
        series.put("p99Millis", column(points, p -> round(p.p99Millis())));
        series.put("queueWaitP99Millis", column(points, p -> round(p.queueWaitP99Millis())));
        TreeSet<String> extraNames = new TreeSet<>();
        points.forEach(p -> extraNames.addAll(p.extra().keySet()));
        Map<String, Object> extra = new LinkedHashMap<>();
        for (String name : extraNames) {
            extra.put(name, column(points, p -> p.extra().get(name)));
        }
        series.put("extra", extra);
        doc.put("series", series);
        return doc;
    }

    static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static List<Object> column(List<Point> points, Function<Point, Object> field) {
        List<Object> c = new ArrayList<>(points.size());
        for (Point p : points) {
            c.add(field.apply(p));
        }
        return c;
    }

    /** Three decimals are more than a chart can show, and keep the documents short. */
    private static Double round(Double v) {
        return v == null ? null : Math.round(v * 1000) / 1000.0;
    }
}
