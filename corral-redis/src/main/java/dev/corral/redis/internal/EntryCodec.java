package dev.corral.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of a task in a stream entry, the explicit codec of the queue (no Java
 * serialization anywhere). An entry is a flat list of field/value pairs, values binary-safe:
 *
 * <pre>
 * h  header: "ID MAX ENQUEUED PRIORITY TYPE", one space between: the task id (ASCII), max attempts,
 *    enqueue time in server ms, priority level 0..9 (decimals), type name (UTF-8, no spaces)
 * p  payload (raw bytes)              a  attempt, from 1 (decimal; absent: 1)
 * k  idempotency key (optional)       x  trace context (optional)
 * err  the previous attempt's error (optional)                       d  due time of a delayed task (optional)
 * </pre>
 *
 * The header is one field rather than five pairs because each pair costs the fetch script two
 * strings to read into Lua and two to reply with, and the worker two to parse: on a 2-core machine
 * that was measurable in end-to-end throughput. The five may also be given as fields of their own
 * ({@code i} id, {@code m} max attempts, {@code e} enqueue time, {@code r} priority, {@code t}
 * type), which win over the header: entries written before the header existed, or by hand, still
 * decode. A retry adds {@code a}; the header is never rewritten.
 *
 * Delayed tasks hold the same pairs, packed by the scripts with MessagePack (Redis's built-in
 * {@code cmsgpack}) as one sorted-set member. Dead letters add {@code dead-reason},
 * {@code dead-error}, {@code dead-at} and {@code dead-from}. Not API.
 */
public final class EntryCodec {

    public static final String HEADER = "h", ID = "i", TYPE = "t", PAYLOAD = "p", ATTEMPT = "a", MAX_ATTEMPTS = "m",
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
     * Decodes an entry straight from the field/value pairs Redis returned, without building a
     * map: field names are one or three ASCII bytes, numbers are parsed from the bytes. This runs
     * once per task, so it allocates only the strings the handler sees.
     *
     * @param maxPayloadBytes payloads above this are refused as {@code payload-too-large}
     * @throws MalformedEntryException with reason {@code malformed} or {@code payload-too-large}
     */
    public static TaskEntry decode(List<?> pairs, int maxPayloadBytes) throws MalformedEntryException {
        byte[] header = null, id = null, type = null, payload = null, attempt = null, max = null, enqueued = null,
                priority = null, key = null, trace = null, error = null;
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            if (!(pairs.get(i) instanceof byte[] name) || !(pairs.get(i + 1) instanceof byte[] value)) continue;
            if (name.length == 1) {
                switch (name[0]) {
                    case 'h' -> header = value;
                    case 'i' -> id = value;
                    case 't' -> type = value;
                    case 'p' -> payload = value;
                    case 'a' -> attempt = value;
                    case 'm' -> max = value;
                    case 'e' -> enqueued = value;
                    case 'r' -> priority = value;
                    case 'k' -> key = value;
                    case 'x' -> trace = value;
                    default -> { }
                }
            } else if (name.length == 3 && name[0] == 'e' && name[1] == 'r' && name[2] == 'r') {
                error = value;
            }
        }
        if (header != null) {
            byte[][] h = splitHeader(header);
            if (h == null) {
                throw new MalformedEntryException("malformed", "header '" + HEADER + "' is not 'ID MAX ENQUEUED PRIORITY TYPE': '"
                        + shorten(new String(header, StandardCharsets.UTF_8)) + "'");
            }
            if (id == null) id = h[0];
            if (max == null) max = h[1];
            if (enqueued == null) enqueued = h[2];
            if (priority == null) priority = h[3];
            if (type == null) type = h[4];
            if (attempt == null) attempt = ONE;
        }
        if (id == null) throw missing(ID);
        if (type == null) throw missing(TYPE);
        if (payload == null) throw new MalformedEntryException("malformed", "missing field '" + PAYLOAD + "' (payload)");
        if (payload.length > maxPayloadBytes) {
            throw new MalformedEntryException("payload-too-large", "payload of " + payload.length
                    + " bytes exceeds this worker's maxPayloadBytes " + maxPayloadBytes);
        }
        int a = (int) number(attempt, ATTEMPT, 1, 1_000_000);
        int m = (int) number(max, MAX_ATTEMPTS, 1, 1_000_000);
        long e = number(enqueued, ENQUEUED, 0, Long.MAX_VALUE);
        int r = (int) number(priority, PRIORITY, 0, QueueKeys.LEVELS - 1);
        if (type.length == 0) throw new MalformedEntryException("malformed", "empty type name");
        return new TaskEntry(new String(id, StandardCharsets.US_ASCII), new String(type, StandardCharsets.UTF_8), payload,
                a, m, e, r, key == null ? null : new String(key, StandardCharsets.UTF_8),
                trace == null ? null : new String(trace, StandardCharsets.UTF_8),
                error == null ? null : new String(error, StandardCharsets.UTF_8));
    }

    private static final byte[] ONE = {'1'};

    /**
     * The header's five words (id, max attempts, enqueue time, priority, type), or null unless it
     * has exactly four single spaces before a non-empty type. The words are not checked here.
     */
    private static byte[][] splitHeader(byte[] h) {
        byte[][] words = new byte[5][];
        int start = 0;
        for (int w = 0; w < 4; w++) {
            int space = start;
            while (space < h.length && h[space] != ' ') space++;
            if (space == h.length || space == start) return null;
            words[w] = Arrays.copyOfRange(h, start, space);
            start = space + 1;
        }
        if (start >= h.length) return null;
        words[4] = Arrays.copyOfRange(h, start, h.length);
        for (byte b : words[4]) {
            if (b == ' ') return null;
        }
        return words;
    }

    /**
     * The type name and task id of an entry's pairs without decoding the rest (for events and
     * dead-letter listings): the {@code t} and {@code i} fields, else the header's; null where
     * neither says.
     */
    public static String[] typeAndId(List<?> pairs) {
        byte[] type = null, id = null, header = null;
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            if (!(pairs.get(i) instanceof byte[] name) || !(pairs.get(i + 1) instanceof byte[] value) || name.length != 1) {
                continue;
            }
            switch (name[0]) {
                case 't' -> type = value;
                case 'i' -> id = value;
                case 'h' -> header = value;
                default -> { }
            }
        }
        byte[][] h = header == null || (type != null && id != null) ? null : splitHeader(header);
        if (h != null) {
            if (type == null) type = h[4];
            if (id == null) id = h[0];
        }
        return new String[] {type == null ? null : new String(type, StandardCharsets.UTF_8),
                id == null ? null : new String(id, StandardCharsets.UTF_8)};
    }

    private static MalformedEntryException missing(String field) {
        return new MalformedEntryException("malformed", "missing field '" + field + "'");
    }

    /** A non-negative decimal in ASCII bytes, checked against [min, max]. */
    private static long number(byte[] v, String name, long min, long max) throws MalformedEntryException {
        if (v == null) throw missing(name);
        long n = 0;
        boolean ok = v.length > 0 && v.length <= 18;
        for (int i = 0; ok && i < v.length; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9) ok = false;
            else n = n * 10 + d;
        }
        if (!ok) {
            throw new MalformedEntryException("malformed", "field '" + name + "' is not a number: '"
                    + shorten(new String(v, StandardCharsets.UTF_8)) + "'");
        }
        if (n < min || n > max) {
            throw new MalformedEntryException("malformed", "field '" + name + "' out of range [" + min + ", " + max
                    + "]: " + n);
        }
        return n;
    }

    /** Decodes an entry given as a map of fields (see {@link #decode(List, int)}). */
    public static TaskEntry decode(Map<String, byte[]> f, int maxPayloadBytes) throws MalformedEntryException {
        List<Object> pairs = new java.util.ArrayList<>(f.size() * 2);
        f.forEach((k, v) -> {
            pairs.add(bytes(k));
            pairs.add(v);
        });
        return decode(pairs, maxPayloadBytes);
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
