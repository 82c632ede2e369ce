package dev.corral;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Short duration text for messages, reasons and reports. Not API. */
final class Durations {

    private Durations() {
    }

    /** "30s", "2m", "1m30s", "250ms": short enough for a scaling event's reason. */
    static String human(long nanos) {
        long second = TimeUnit.SECONDS.toNanos(1);
        if (nanos >= second && nanos % second == 0) {
            long s = nanos / second;
            long h = s / 3600;
            long m = s % 3600 / 60;
            s %= 60;
            return (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (s > 0 ? s + "s" : "");
        }
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + "ms";
        }
        return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
    }

    /** {@code d} in nanoseconds, or Long.MAX_VALUE if it does not fit (about 292 years). */
    static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
