package dev.corral.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-task settings for {@link RedisQueue#enqueue(String, byte[], EnqueueOptions)}. Immutable:
 * every setter returns a new instance, so one value can be shared.
 *
 * <pre>{@code
 * queue.enqueue("send_email", payload, EnqueueOptions.of()
 *         .priority(1).delay(Duration.ofMinutes(5)).maxAttempts(10).idempotencyKey("order-42-mail"));
 * }</pre>
 *
 * <ul>
 *   <li>{@code priority}: {@value #HIGHEST_PRIORITY} (most urgent) to {@value #LOWEST_PRIORITY};
 *       default {@value #DEFAULT_PRIORITY}, as in {@link dev.corral.TaskOptions}: a lower number
 *       runs first. Each level is its own stream; a worker fetches from the most urgent non-empty
 *       one first (so a steady flood of urgent tasks can starve the others).</li>
 *   <li>{@code delay}: the task becomes ready no earlier than this long after Redis received the
 *       enqueue, measured on the Redis server's clock (never a client's). Default 0.</li>
 *   <li>{@code maxAttempts}: how many times a failing handler is tried before the task goes to
 *       the dead-letter stream; 1 means no retry. Default {@value #DEFAULT_MAX_ATTEMPTS}. A
 *       redelivery after a worker died is not an attempt.</li>
 *   <li>{@code idempotencyKey}: a second enqueue with the same key, while the first's key is
 *       remembered (the queue's idempotency TTL, default 24 h), adds nothing and returns the first
 *       task's id. Checked in the same script that adds the task, so a retried call cannot
 *       duplicate.</li>
 *   <li>{@code traceContext}: an opaque string (e.g. a W3C {@code traceparent}) carried to the
 *       handler's {@link RedisTaskContext#traceContext()}.</li>
 * </ul>
 */
public final class EnqueueOptions {

    /** The most urgent priority. */
    public static final int HIGHEST_PRIORITY = 0;
    /** The least urgent priority. */
    public static final int LOWEST_PRIORITY = 9;
    /** The priority of tasks enqueued without one. */
    public static final int DEFAULT_PRIORITY = 5;
    /** The attempts of tasks enqueued without a {@code maxAttempts}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** The largest {@code maxAttempts}. */
    public static final int MAX_ATTEMPTS_LIMIT = 1_000;
    /** The longest idempotency key or trace context, in characters. */
    public static final int MAX_KEY_LENGTH = 512;

    private static final EnqueueOptions DEFAULTS =
            new EnqueueOptions(DEFAULT_PRIORITY, Duration.ZERO, DEFAULT_MAX_ATTEMPTS, null, null);

    private final int priority;
    private final Duration delay;
    private final int maxAttempts;
    private final String idempotencyKey;
    private final String traceContext;

    private EnqueueOptions(int priority, Duration delay, int maxAttempts, String idempotencyKey, String traceContext) {
        this.priority = priority;
        this.delay = delay;
        this.maxAttempts = maxAttempts;
        this.idempotencyKey = idempotencyKey;
        this.traceContext = traceContext;
    }

    /** The defaults: priority {@value #DEFAULT_PRIORITY}, no delay, {@value #DEFAULT_MAX_ATTEMPTS} attempts. */
    public static EnqueueOptions of() {
        return DEFAULTS;
    }

    /** The priority, {@value #HIGHEST_PRIORITY} (most urgent) to {@value #LOWEST_PRIORITY}. */
    public EnqueueOptions priority(int priority) {
        if (priority < HIGHEST_PRIORITY || priority > LOWEST_PRIORITY) {
            throw new IllegalArgumentException("priority must be between " + HIGHEST_PRIORITY + " and "
                    + LOWEST_PRIORITY + " but was " + priority);
        }
        return new EnqueueOptions(priority, delay, maxAttempts, idempotencyKey, traceContext);
    }

    /** Run no earlier than this long after Redis receives the enqueue (server clock); 0 = at once. */
    public EnqueueOptions delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) throw new IllegalArgumentException("delay must be >= 0 but was " + delay);
        if (delay.toMillis() > Duration.ofDays(3650).toMillis()) {
            throw new IllegalArgumentException("delay must be at most 3650 days but was " + delay);
        }
        return new EnqueueOptions(priority, delay, maxAttempts, idempotencyKey, traceContext);
    }

    /** Tries before dead-lettering, 1 to {@value #MAX_ATTEMPTS_LIMIT}. */
    public EnqueueOptions maxAttempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be between 1 and " + MAX_ATTEMPTS_LIMIT
                    + " but was " + maxAttempts);
        }
        return new EnqueueOptions(priority, delay, maxAttempts, idempotencyKey, traceContext);
    }

    /** A key that makes repeated enqueues of the same task add it once (see the class comment). */
    public EnqueueOptions idempotencyKey(String key) {
        Objects.requireNonNull(key, "idempotencyKey");
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("idempotencyKey must be 1 to " + MAX_KEY_LENGTH
                    + " characters but was " + key.length() + " characters");
        }
        return new EnqueueOptions(priority, delay, maxAttempts, key, traceContext);
    }

    /** An opaque trace context handed to the handler. */
    public EnqueueOptions traceContext(String traceContext) {
        Objects.requireNonNull(traceContext, "traceContext");
        if (traceContext.isEmpty() || traceContext.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("traceContext must be 1 to " + MAX_KEY_LENGTH
                    + " characters but was " + traceContext.length() + " characters");
        }
        return new EnqueueOptions(priority, delay, maxAttempts, idempotencyKey, traceContext);
    }

    /** The priority given, or {@value #DEFAULT_PRIORITY}. */
    public int priority() {
        return priority;
    }

    /** The delay given, or zero. */
    public Duration delay() {
        return delay;
    }

    /** The attempts given, or {@value #DEFAULT_MAX_ATTEMPTS}. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The idempotency key given, or null. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The trace context given, or null. */
    public String traceContext() {
        return traceContext;
    }

    @Override
    public String toString() {
        return "EnqueueOptions[priority=" + priority + ", delay=" + delay + ", maxAttempts=" + maxAttempts
                + (idempotencyKey == null ? "" : ", idempotencyKey=" + idempotencyKey) + "]";
    }
}
