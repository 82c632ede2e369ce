package dev.corral.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of a task in a stream entry, the explicit codec of the queue (no Java
 * serialization anywhere). An entry is a flat list of field/value pairs, values binary-safe:
 *
 * <pre>
 * i  task id (ASCII)                  t  type name (UTF-8)           p  payload (raw bytes)
 * a  attempt, from 1 (decimal)        m  max attempts (decimal)      e  enqueue time, server ms (decimal)
 * r  priority level 0..9 (decimal)    k  idempotency key (optional)  x  trace context (optional)
 * err  the previous attempt's error (optional)                       d  due time of a delayed task (optional)
 * </pre>
 *
 * Delayed tasks hold the same pairs, packed by the scripts with MessagePack (Redis's built-in
 * {@code cmsgpack}) as one sorted-set member. Dead letters add {@code dead-reason},
 * {@code dead-error}, {@code dead-at} and {@code dead-from}. Not API.
 */
public final class EntryCodec {

    public static final String ID = "i", TYPE = "t", PAYLOAD = "p", ATTEMPT = "a", MAX_ATTEMPTS = "m",
            ENQUEUED = "e", PRIORITY = "r", KEY = "k", TRACE = "x", ERROR = "err", DUE = "d";
    public static final String DEAD_REASON = "dead-reason", DEAD_ERROR = "dead-error", DEAD_AT = "dead-at",
            DEAD_FROM = "dead-from";

    private EntryCodec() {}

    /** A decoded task entry. */
    public record TaskEntry(String id, String type, byte[] payload, int attempt, int maxAttempts, long enqueuedAtMillis,
                            int priority, String idempotencyKey, String traceContext, String lastError) {
    }

    /** An entry that cannot be run: the reason is one word, the detail says what was wrong. */
    public static final class MalformedEntryException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        /** An entry refused for {@code reason}, with a human-readable detail. */
        public MalformedEntryException(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        /** One word: {@code malformed} or {@code payload-too-large}. */
        public String reason() {
            return reason;
        }
    }

    /** The pairs as a map, field names decoded as UTF-8 (the last of repeated fields wins). */
    public static Map<String, byte[]> fields(List<?> pairs) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            Object k = pairs.get(i);
            Object v = pairs.get(i + 1);
            if (k instanceof byte[] kb && v instanceof byte[] vb) m.put(new String(kb, StandardCharsets.UTF_8), vb);
        }
        return m;
    }

    /**
     * Decodes an entry's fields.
     *
     * @param maxPayloadBytes payloads above this are refused as {@code payload-too-large}
     * @throws MalformedEntryException with reason {@code malformed} or {@code payload-too-large}
     */
    public static TaskEntry decode(Map<String, byte[]> f, int maxPayloadBytes) throws MalformedEntryException {
        String id = text(f, ID, true);
        String type = text(f, TYPE, true);
        byte[] payload = f.get(PAYLOAD);
        if (payload == null) throw new MalformedEntryException("malformed", "missing field '" + PAYLOAD + "' (payload)");
        if (payload.length > maxPayloadBytes) {
            throw new MalformedEntryException("payload-too-large", "payload of " + payload.length
                    + " bytes exceeds this worker's maxPayloadBytes " + maxPayloadBytes);
        }
        int attempt = (int) number(f, ATTEMPT, 1, 1_000_000);
        int max = (int) number(f, MAX_ATTEMPTS, 1, 1_000_000);
        long enqueued = number(f, ENQUEUED, 0, Long.MAX_VALUE);
        int priority = (int) number(f, PRIORITY, 0, QueueKeys.LEVELS - 1);
        if (type.isEmpty()) throw new MalformedEntryException("malformed", "empty type name");
        return new TaskEntry(id, type, payload, attempt, max, enqueued, priority, text(f, KEY, false),
                text(f, TRACE, false), text(f, ERROR, false));
    }

    private static String text(Map<String, byte[]> f, String name, boolean required) throws MalformedEntryException {
        byte[] v = f.get(name);
        if (v == null) {
            if (required) throw new MalformedEntryException("malformed", "missing field '" + name + "'");
            return null;
        }
        return new String(v, StandardCharsets.UTF_8);
    }

    private static long number(Map<String, byte[]> f, String name, long min, long max) throws MalformedEntryException {
        String s = text(f, name, true);
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new MalformedEntryException("malformed", "field '" + name + "' is not a number: '" + shorten(s) + "'");
        }
        if (n < min || n > max) {
            throw new MalformedEntryException("malformed", "field '" + name + "' out of range [" + min + ", " + max
                    + "]: " + n);
        }
        return n;
    }

    /** At most 200 characters of {@code s}, for messages. */
    public static String shorten(String s) {
        if (s == null) return "";
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** UTF-8 bytes. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A number as decimal ASCII, as Redis takes numbers. */
    public static byte[] bytes(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /** A reply element as text (UTF-8 for bulk strings). */
    public static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : o == null ? null : o.toString();
    }

    /** A reply element as a number (an integer reply, or a bulk string of digits). */
    public static long number(Object o) {
        if (o instanceof Long l) return l;
        if (o instanceof byte[] b) return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
        if (o instanceof Number n) return n.longValue();
        throw new IllegalStateException("expected a number from Redis but got " + o);
    }
}
