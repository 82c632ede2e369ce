package dev.corral.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.corral.TaskEvent;
import java.io.IOException;

/**
 * The journal's line format, one JSON object per line. Not API; documented in docs/observability.md.
 *
 * <pre>
 * {"journal":"corral","version":1,"wallMillis":1764921600000,"nanoTime":123}        first line
 * {"kind":"SUCCEEDED","pool":"api","task":42,"name":"load-user","t":456,"wait":1200,"run":3400}
 * {"kind":"FAILED","pool":"api","task":43,"t":789,"wait":0,"run":10,"error":{"type":"java.lang.IllegalStateException","message":"boom"}}
 * {"kind":"RETRIED","pool":"mail","task":44,"name":"send_email","t":990,"error":{...},"detail":"queue=emails task=Cg8e entry=1-0 attempt=1/3 retryIn=400ms"}
 * {"dropped":17,"nanoTime":999}                                                      events lost
 * </pre>
 * Fields an event does not have ({@code task} of a pool event, an unknown {@code wait} or
 * {@code run}, no {@code name}, {@code error} or {@code detail}) are left out.
 */
final class JournalFormat {

    static final int VERSION = 1;
    static final JsonFactory JSON = JsonFactory.builder().build();

    private JournalFormat() {
    }

    static void writeHeader(JsonGenerator g, long wallMillis, long nanoTime) throws IOException {
        g.writeStartObject();
        g.writeStringField("journal", "corral");
        g.writeNumberField("version", VERSION);
        g.writeNumberField("wallMillis", wallMillis);
        g.writeNumberField("nanoTime", nanoTime);
        g.writeEndObject();
        g.writeRaw('\n');
    }

    static void writeDropped(JsonGenerator g, long dropped, long nanoTime) throws IOException {
        g.writeStartObject();
        g.writeNumberField("dropped", dropped);
        g.writeNumberField("nanoTime", nanoTime);
        g.writeEndObject();
        g.writeRaw('\n');
    }

    static void writeEvent(JsonGenerator g, TaskEvent e) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", e.kind().name());
        g.writeStringField("pool", e.poolName());
        if (e.taskId() != TaskEvent.NO_TASK) {
            g.writeNumberField("task", e.taskId());
        }
        if (e.taskName() != null) {
            g.writeStringField("name", e.taskName());
        }
        g.writeNumberField("t", e.nanoTime());
        if (e.queueWaitNanos() >= 0) {
            g.writeNumberField("wait", e.queueWaitNanos());
        }
        if (e.runNanos() >= 0) {
            g.writeNumberField("run", e.runNanos());
        }
        if (e.error() != null) {
            Throwable x = e.error();
            g.writeObjectFieldStart("error");
            g.writeStringField("type", x instanceof JournaledError j ? j.type() : x.getClass().getName());
            if (x.getMessage() != null) {
                g.writeStringField("message", x.getMessage());
            }
            g.writeEndObject();
        }
        if (e.detail() != null) {
            g.writeStringField("detail", e.detail());
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    /** What one line holds. Exactly one of {@code event}, {@code dropped >= 0}, {@code header} is set. */
    record Line(TaskEvent event, long dropped, boolean header, long wallMillis, long nanoTime) {
    }

    /** Parses one line (one JSON object). */
    static Line parse(String line) throws IOException {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            String kind = null;
            String pool = null;
            long task = TaskEvent.NO_TASK;
            String name = null;
            long t = 0;
            long wait = -1;
            long run = -1;
            JournaledError error = null;
            String detail = null;
            long dropped = -1;
            boolean header = false;
            long wallMillis = 0;
            long nanoTime = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "kind" -> kind = p.getValueAsString();
                    case "pool" -> pool = p.getValueAsString();
                    case "task" -> task = p.getLongValue();
                    case "name" -> name = p.getValueAsString();
                    case "t" -> t = p.getLongValue();
                    case "wait" -> wait = p.getLongValue();
                    case "run" -> run = p.getLongValue();
                    case "detail" -> detail = p.getValueAsString();
                    case "error" -> error = parseError(p, v);
                    case "dropped" -> dropped = p.getLongValue();
                    case "journal" -> header = true;
                    case "wallMillis" -> wallMillis = p.getLongValue();
                    case "nanoTime" -> nanoTime = p.getLongValue();
                    default -> p.skipChildren(); // a field from a later version: ignored
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("not one complete JSON object");
            }
            if (header) {
                return new Line(null, -1, true, wallMillis, nanoTime);
            }
            if (dropped >= 0) {
                return new Line(null, dropped, false, 0, nanoTime);
            }
            if (kind == null || pool == null) {
                throw new IOException("an event needs \"kind\" and \"pool\"");
            }
            TaskEvent.Kind k;
            try {
                k = TaskEvent.Kind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                throw new IOException("unknown kind '" + kind + "'");
            }
            return new Line(new TaskEvent(k, pool, task, name, t, wait, run, error, detail), -1, false, 0, 0);
        }
    }

    private static JournaledError parseError(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            throw new IOException("\"error\" must be an object");
        }
        String type = null;
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = p.getValueAsString();
                case "message" -> message = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        if (type == null) {
            throw new IOException("\"error\" needs a \"type\"");
        }
        return new JournaledError(type, message);
    }
}
