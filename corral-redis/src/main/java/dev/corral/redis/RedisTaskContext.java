package dev.corral.redis;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * What a handler knows about the task it runs: identity, attempt, deadline and origin. Created
 * by the worker for each delivery.
 */
public final class RedisTaskContext {

    private final String queue;
    private final String id;
    private final String type;
    private final int attempt;
    private final int maxAttempts;
    private final long deliveries;
    private final Instant enqueuedAt;
    private final Instant deadline;
    private final String traceContext;
    private final String lastError;
    private final String workerId;
    private final byte[] payload;

    RedisTaskContext(String queue, String id, String type, int attempt, int maxAttempts, long deliveries,
                     Instant enqueuedAt, Instant deadline, String traceContext, String lastError, String workerId,
                     byte[] payload) {
        this.queue = queue;
        this.id = id;
        this.type = type;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.deliveries = deliveries;
        this.enqueuedAt = enqueuedAt;
        this.deadline = deadline;
        this.traceContext = traceContext;
        this.lastError = lastError;
        this.workerId = workerId;
        this.payload = payload;
    }

    /** The queue the task came from. */
    public String queue() {
        return queue;
    }

    /** The task's id, as returned by the enqueue; the same for every attempt and redelivery. */
    public String id() {
        return id;
    }

    /** The task's type name. */
    public String type() {
        return type;
    }

    /** Which attempt this is, from 1; a redelivery after a worker died keeps the attempt number. */
    public int attempt() {
        return attempt;
    }

    /** The attempts allowed before the task is dead-lettered. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether a failure now sends the task to the dead-letter stream instead of a retry. */
    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }

    /**
     * How many times this attempt has been delivered: 1, or more when workers holding it died (or
     * did not renew its lease) before acknowledging it.
     */
    public long deliveries() {
        return deliveries;
    }

    /** When Redis received the enqueue, by the Redis server's clock. */
    public Instant enqueuedAt() {
        return enqueuedAt;
    }

    /**
     * When the worker's pool will interrupt this run (the pool's {@code runTimeout},
     * {@code timeout} or {@code defaultTimeout}), if it has a deadline.
     */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** The trace context given at enqueue, if any. */
    public Optional<String> traceContext() {
        return Optional.ofNullable(traceContext);
    }

    /** The error of the previous attempt, if this is a retry. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** The id of the worker running this delivery. */
    public String workerId() {
        return workerId;
    }

    /** The payload (the same array the handler receives). */
    public byte[] payload() {
        return payload;
    }

    /** The payload decoded as UTF-8. */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "RedisTaskContext[" + queue + "/" + type + " " + id + ", attempt " + attempt + "/" + maxAttempts
                + (deliveries > 1 ? ", delivery " + deliveries : "") + "]";
    }
}
