package dev.corral;

/**
 * A source of nanosecond time, injected so that deadlines, windows and expiry can be tested by
 * advancing a fake clock instead of sleeping. Only differences between two readings mean anything,
 * as with {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

    /** The current time in nanoseconds, from an arbitrary origin. */
    long nanoTime();

    /** The JVM's monotonic clock, {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
