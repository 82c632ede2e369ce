package dev.corral.redis;

/**
 * Redis could not be reached, refused the credentials, or failed a command, within the configured
 * timeout. The message names the operation, the queue and the server (its URI with the password
 * replaced by {@code ***}); the cause is the client library's exception.
 *
 * <p>An enqueue that fails with this exception may or may not have reached Redis (the request may
 * have been applied and its reply lost). Retrying it is safe only with an
 * {@linkplain EnqueueOptions#idempotencyKey(String) idempotency key}, which makes the retry return
 * the first attempt's id instead of adding a second task.
 */
public class RedisQueueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An exception with this message and cause. */
    public RedisQueueException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An exception with this message. */
    public RedisQueueException(String message) {
        super(message);
    }
}
