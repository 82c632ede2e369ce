package dev.corral.redis.limit;

/** Checks a limiter's name, which becomes part of a Redis key inside a hash tag. */
final class Names {

    private Names() {}

    static String check(String name) {
        if (name == null) {
            throw new NullPointerException("name must not be null");
        }
        if (name.isBlank() || name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
            // Braces would end the hash tag early, putting one limit's keys in another slot.
            throw new IllegalArgumentException(
                    "name must be non-blank and contain no '{' or '}' but was '" + name + "'");
        }
        return name;
    }
}
