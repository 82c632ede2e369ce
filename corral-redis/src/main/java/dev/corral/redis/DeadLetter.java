package dev.corral.redis;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of a queue's dead-letter stream, from {@link RedisQueue#deadLetters(int)}.
 *
 * @param id        the entry's id in the dead-letter stream (for {@link RedisQueue#redrive})
 * @param taskId    the task's id, or null for a malformed entry that had none
 * @param type      the task's type, or null for a malformed entry that had none
 * @param payload   the payload bytes (empty for a malformed entry that had none)
 * @param attempts  the attempts made (0 for a malformed entry)
 * @param reason    why it was dead-lettered: {@code failed}, {@code malformed}, {@code no-handler},
 *                  {@code too-many-deliveries} or {@code payload-too-large}
 * @param error     the last error's text, or the detail of the reason
 * @param deadAt    when it was dead-lettered (the Redis server's clock)
 * @param fields    every field of the entry, raw (for inspecting malformed ones)
 */
public record DeadLetter(String id, String taskId, String type, byte[] payload, int attempts, String reason,
                         String error, Instant deadAt, Map<String, byte[]> fields) {

    /** Copies {@code fields}. */
    public DeadLetter {
        fields = Map.copyOf(fields);
    }
}
