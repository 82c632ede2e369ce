package dev.corral.redis;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One task for {@link RedisQueue#enqueueAll(java.util.List)}: a type name, a payload and options.
 * Immutable; the payload array is not copied, so do not change it after handing it over.
 *
 * <pre>{@code
 * queue.enqueueAll(List.of(NewTask.of("resize", "img-1.png"), NewTask.of("resize", "img-2.png")));
 * }</pre>
 */
public final class NewTask {

    private final String type;
    private final byte[] payload;
    private final EnqueueOptions options;

    private NewTask(String type, byte[] payload, EnqueueOptions options) {
        this.type = Checks.type(type);
        this.payload = Objects.requireNonNull(payload, "payload");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A task with a binary payload and default options. */
    public static NewTask of(String type, byte[] payload) {
        return new NewTask(type, payload, EnqueueOptions.of());
    }

    /** A task with a UTF-8 text payload and default options. */
    public static NewTask of(String type, String payload) {
        return new NewTask(type, Objects.requireNonNull(payload, "payload").getBytes(StandardCharsets.UTF_8),
                EnqueueOptions.of());
    }

    /** This task with these options. */
    public NewTask options(EnqueueOptions options) {
        return new NewTask(type, payload, options);
    }

    /** The type name, which selects the worker's handler. */
    public String type() {
        return type;
    }

    /** The payload bytes (not a copy). */
    public byte[] payload() {
        return payload;
    }

    /** The options. */
    public EnqueueOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "NewTask[" + type + ", " + payload.length + " bytes, " + options + "]";
    }
}
