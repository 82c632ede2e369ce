package dev.corral.dashboard;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the builders: each failure names the parameter and the value. */
final class Checks {

    private Checks() {
    }

    /** A source name: not blank, no control characters, no '/' (names are URL path segments). */
    static String name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > 200 || name.indexOf('/') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name must be 1 to 200 characters, not blank, without '/' or control"
                    + " characters, was '" + name + "'");
        }
        return name;
    }

    static Duration positive(String parameter, Duration value) {
        Objects.requireNonNull(value, parameter);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(parameter + " must be positive, was " + value);
        }
        return value;
    }

    static int atLeast(String parameter, int min, int value) {
        if (value < min) {
            throw new IllegalArgumentException(parameter + " must be at least " + min + ", was " + value);
        }
        return value;
    }
}
