package dev.corral.redis;

/**
 * Runs one type of task on a worker. Returning normally acknowledges the task; throwing fails this
 * attempt (it is retried with backoff until its {@code maxAttempts}, then dead-lettered with the
 * exception's text). The handler runs on the worker's {@link dev.corral.Pool}, so the pool's
 * timeouts apply and {@link dev.corral.TaskContext#current()} works inside it.
 *
 * <pre>{@code
 * TaskHandler send = (ctx, payload) -> mailer.send(new String(payload, UTF_8), ctx.id());
 * }</pre>
 *
 * Delivery is at least once: a handler can see the same task again after a worker died between
 * running it and acknowledging it, so make its effects idempotent (for instance keyed by
 * {@link RedisTaskContext#id()}).
 */
@FunctionalInterface
public interface TaskHandler {

    /**
     * Handles one delivery.
     *
     * @param context the task's id, type, attempt, deadline and enqueue time
     * @param payload the payload bytes, exactly as enqueued
     * @throws Exception to fail this attempt
     */
    void handle(RedisTaskContext context, byte[] payload) throws Exception;
}
