package dev.corral.limit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Front-door argument checks: every message names the parameter and the value it was given. */
final class Checks {

    private Checks() {}

    static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + " but was " + value);
        }
        return value;
    }

    /**
     * A wait in nanoseconds, saturated instead of overflowing (a {@code Duration} can hold
     * centuries). Zero or negative means "do not wait", as for the JDK's timed methods.
     */
    static long waitNanos(Duration maxWait) {
        return TimeUnit.NANOSECONDS.convert(notNull(maxWait, "maxWait"));
    }
}
