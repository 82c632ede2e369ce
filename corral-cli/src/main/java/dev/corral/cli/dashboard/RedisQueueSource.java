package dev.corral.cli.dashboard;

import dev.corral.dashboard.DashboardSource;
import dev.corral.dashboard.Reading;
import dev.corral.redis.QueueStats;
import dev.corral.redis.RedisQueue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster view of one Redis queue on the dashboard ({@code corral dashboard --redis}), read
 * from {@link RedisQueue#stats()} once per round (one script call, bounded by the queue's
 * timeout; an unreachable Redis shows as failed reads on the page, not as a stalled dashboard).
 *
 * <p>What goes where: {@code workers} are the workers whose heartbeat is live, {@code busyWorkers}
 * those holding deliveries; {@code queued} is the ready entries; {@code completed} counts
 * acknowledged deliveries ({@code processed}); {@code failed} is failed attempts, retries scheduled
 * plus entries in the dead-letter stream (a re-drive lowers the latter, and the chart then shows
 * no failures for that round); no rejections and no latencies (the queue does not time tasks).
 * {@code extra} carries {@code delayed}, {@code pending}, {@code deadLettered},
 * {@code redelivered} and {@code enqueued}.
 */
public final class RedisQueueSource implements DashboardSource {

    private final RedisQueue queue;
    private final String name;

    /** Reads {@code queue}; the caller keeps it and closes it. */
    public RedisQueueSource(RedisQueue queue, String queueName) {
        this.queue = queue;
        this.name = "redis " + queueName;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "redis-queue";
    }

    @Override
    public Reading read() {
        QueueStats s = queue.stats();
        int busy = (int) s.workers().stream().filter(w -> w.inFlight() > 0).count();
        Map<String, Long> extra = new LinkedHashMap<>();
        extra.put("delayed", s.delayed());
        extra.put("pending", s.pending());
        extra.put("deadLettered", s.deadLettered());
        extra.put("deadLetteredTotal", s.deadLetteredTotal());
        extra.put("redelivered", s.redelivered());
        extra.put("enqueued", s.enqueued());
        return new Reading(s.workers().size(), busy, -1, (int) Math.min(Integer.MAX_VALUE, s.ready()), -1,
                s.processed(), s.retried() + s.deadLetteredTotal(), 0, null, null, null, extra);
    }

}
