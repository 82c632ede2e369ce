package dev.corral.redis;

import java.util.Objects;

/** Argument checks shared by the public types: one wording for each rule. */
final class Checks {

    /** The longest type or queue name, in characters. */
    static final int MAX_NAME_LENGTH = 200;

    private Checks() {}

    static String type(String type) {
        return name(type, "type");
    }

    /** A queue name becomes a Redis hash tag, so braces would change which keys share a slot. */
    static String queue(String queue) {
        name(queue, "queue");
        if (queue.indexOf('{') >= 0 || queue.indexOf('}') >= 0) {
            throw new IllegalArgumentException("queue must not contain '{' or '}' but was '" + queue + "'");
        }
        return queue;
    }

    private static String name(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_NAME_LENGTH + " characters but was '"
                    + value + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new IllegalArgumentException(what + " must not contain spaces or control characters but was '"
                        + value + "'");
            }
        }
        return value;
    }

    static int positive(int value, String what) {
        if (value < 1) throw new IllegalArgumentException(what + " must be >= 1 but was " + value);
        return value;
    }

    static java.time.Duration positive(java.time.Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be > 0 but was " + d);
        return d;
    }
}
