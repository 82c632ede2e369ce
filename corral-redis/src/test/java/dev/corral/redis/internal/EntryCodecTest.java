package dev.corral.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.redis.internal.EntryCodec.MalformedEntryException;
import dev.corral.redis.internal.EntryCodec.TaskEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

    static Map<String, byte[]> valid() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put("i", b("id1"));
        f.put("t", b("send_email"));
        f.put("p", new byte[] {0, (byte) 0xff, 10, 13});
        f.put("a", b("2"));
        f.put("m", b("5"));
        f.put("e", b("1733380000123"));
        f.put("r", b("3"));
        f.put("x", b("00-trace-01"));
        f.put("err", b("java.lang.IllegalStateException: boom"));
        return f;
    }

    @Test
    void decodesEveryFieldAndKeepsBinaryPayloadsIntact() throws Exception {
        TaskEntry e = EntryCodec.decode(valid(), 1024);
        assertThat(e.id()).isEqualTo("id1");
        assertThat(e.type()).isEqualTo("send_email");
        assertThat(e.payload()).containsExactly(0, 0xff, 10, 13);
        assertThat(e.attempt()).isEqualTo(2);
        assertThat(e.maxAttempts()).isEqualTo(5);
        assertThat(e.enqueuedAtMillis()).isEqualTo(1733380000123L);
        assertThat(e.priority()).isEqualTo(3);
        assertThat(e.traceContext()).isEqualTo("00-trace-01");
        assertThat(e.lastError()).contains("boom");
        assertThat(e.idempotencyKey()).isNull();
    }

    @Test
    void fieldsComeFromRedisPairs() {
        List<Object> pairs = new ArrayList<>();
        valid().forEach((k, v) -> {
            pairs.add(b(k));
            pairs.add(v);
        });
        assertThat(EntryCodec.fields(pairs)).containsOnlyKeys(valid().keySet());
    }

    @Test
    void eachKindOfDamageIsAMalformedEntryWithAReason() {
        assertReason(without("i"), "malformed", "missing field 'i'");
        assertReason(without("t"), "malformed", "missing field 't'");
        assertReason(without("p"), "malformed", "missing field 'p'");
        assertReason(with("a", "one"), "malformed", "field 'a' is not a number");
        assertReason(with("a", "0"), "malformed", "field 'a' out of range");
        assertReason(with("r", "10"), "malformed", "field 'r' out of range");
        assertReason(with("t", ""), "malformed", "empty type name");
        assertThatThrownBy(() -> EntryCodec.decode(valid(), 3)).isInstanceOfSatisfying(MalformedEntryException.class,
                e -> assertThat(e.reason()).isEqualTo("payload-too-large"));
    }

    /** What enqueue.lua writes: the header, the payload, and nothing else for a first attempt. */
    static Map<String, byte[]> headed(String header) {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put("h", b(header));
        f.put("p", b("hello"));
        return f;
    }

    @Test
    void aHeaderGivesIdMaxAttemptsEnqueueTimePriorityAndTypeAndAFirstAttempt() throws Exception {
        TaskEntry e = EntryCodec.decode(headed("Xy_9-z 4 1733380000123 7 send_email"), 1024);
        assertThat(e.id()).isEqualTo("Xy_9-z");
        assertThat(e.maxAttempts()).isEqualTo(4);
        assertThat(e.enqueuedAtMillis()).isEqualTo(1733380000123L);
        assertThat(e.priority()).isEqualTo(7);
        assertThat(e.type()).isEqualTo("send_email");
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(new String(e.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void fieldsOfTheirOwnWinOverTheHeader() throws Exception {
        Map<String, byte[]> f = headed("id1 4 1000 7 first");
        f.put("a", b("3"));      // what a retry adds
        f.put("t", b("second"));
        f.put("r", b("2"));
        TaskEntry e = EntryCodec.decode(f, 1024);
        assertThat(e.attempt()).isEqualTo(3);
        assertThat(e.type()).isEqualTo("second");
        assertThat(e.priority()).isEqualTo(2);
        assertThat(e.maxAttempts()).isEqualTo(4);
    }

    @Test
    void aDamagedHeaderIsAMalformedEntryNamingIt() {
        for (String bad : List.of("", "id1", "id1 4 1000 7", "id1 4 1000 7 ", "id1  4 1000 7 t", "id1 4 1000 7 two words")) {
            assertReason(headed(bad), "malformed", "header 'h' is not 'ID MAX ENQUEUED PRIORITY TYPE'");
        }
        assertReason(headed("id1 four 1000 7 t"), "malformed", "field 'm' is not a number");
        assertReason(headed("id1 4 1000 12 t"), "malformed", "field 'r' out of range");
    }

    @Test
    void typeAndIdAreReadFromEitherFormWithoutDecoding() {
        List<Object> headedPairs = List.of(b("h"), b("id9 1 0 5 resize"), b("p"), b(""));
        assertThat(EntryCodec.typeAndId(headedPairs)).containsExactly("resize", "id9");
        List<Object> oldPairs = List.of(b("i"), b("id8"), b("t"), b("thumb"));
        assertThat(EntryCodec.typeAndId(oldPairs)).containsExactly("thumb", "id8");
        List<Object> neither = List.of(b("p"), b("x"));
        assertThat(EntryCodec.typeAndId(neither)).containsExactly(null, null);
    }

    private static void assertReason(Map<String, byte[]> f, String reason, String detail) {
        assertThatThrownBy(() -> EntryCodec.decode(f, 1024)).isInstanceOfSatisfying(MalformedEntryException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(detail);
        });
    }

    private static Map<String, byte[]> without(String field) {
        Map<String, byte[]> f = valid();
        f.remove(field);
        return f;
    }

    private static Map<String, byte[]> with(String field, String value) {
        Map<String, byte[]> f = valid();
        f.put(field, b(value));
        return f;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
