package dev.corral.redis;

import dev.corral.TaskContext;
import dev.corral.redis.internal.Backoff;
import dev.corral.redis.internal.EntryCodec;
import dev.corral.redis.internal.EntryCodec.MalformedEntryException;
import dev.corral.redis.internal.EntryCodec.TaskEntry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * The pool's side of a delivery: one attempt, run as a pool task, and the verdict it earns. Owns
 * what judging an attempt needs (the handlers, the delivery and payload bounds, the retry backoff)
 * and nothing that talks to Redis: verdicts go to the {@link HandOff}, and the settler writes them.
 *
 * <p>A delivery is judged once ({@link HandOff#decide}), though several may try: the handler
 * returning or throwing ({@link #run}), and the pool settling the task without it, by a timeout or
 * a stop's cancellation ({@link #onPoolOutcome}). Only the verdict that wins counts a failed
 * attempt and records its cause.
 */
final class Attempts {

    private static final int MAX_ERROR_CHARS = 2_000;

    private final String queue;
    private final String workerId;
    private final Map<String, TaskHandler> handlers;
    private final int maxDeliveries;
    private final int maxPayloadBytes;
    private final Backoff retryBackoff;
    private final Clock clock;
    /** Null without a listener. */
    private final WorkerEvents events;
    private final WorkerCounters counters;
    private final HandOff handOff;

    Attempts(String queue, String workerId, Map<String, TaskHandler> handlers, int maxDeliveries, int maxPayloadBytes,
             Backoff retryBackoff, Clock clock, WorkerEvents events, WorkerCounters counters, HandOff handOff) {
        this.queue = queue;
        this.workerId = workerId;
        this.handlers = handlers;
        this.maxDeliveries = maxDeliveries;
        this.maxPayloadBytes = maxPayloadBytes;
        this.retryBackoff = retryBackoff;
        this.clock = clock;
        this.events = events;
        this.counters = counters;
        this.handOff = handOff;
    }

    /** The pool settled the task without our code deciding: cancelled (a stop) or timed out. */
    void onPoolOutcome(Delivery d, Throwable error) {
        if (error instanceof CancellationException && d.started) {
            // A stop cancelled a running handler: it sees the interrupt and hands the entry back,
            // or it had just finished and is acknowledged. Deciding here instead would hand back
            // work that was done, and run it twice.
            return;
        }
        if (d.handBack || error instanceof CancellationException) {
            handOff.decide(d, Outcome.handBack(d));
        } else if (d.entry == null) {
            // Timed out in the pool's queue before it was even decoded: not an attempt.
            handOff.decide(d, Outcome.handBack(d));
        } else if (!d.decided.get()) {
            // Timed out while running. (A handler that threw has decided already, then rethrown.)
            Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
            if (handOff.decide(d, failure(d, cause), cause)) {
                counters.failed.incrementAndGet();
            }
        }
    }

    /** The attempt itself, on a pool thread: decode, find the handler, run it, decide. */
    void run(Delivery d, List<?> pairs) throws Exception {
        d.started = true;
        if (d.decided.get()) return;
        if (events != null) d.poolTaskId = TaskContext.current().id();
        TaskEntry e;
        try {
            e = EntryCodec.decode(pairs, maxPayloadBytes);
        } catch (MalformedEntryException m) {
            counters.malformed.incrementAndGet();
            if (events != null) d.rawType = WorkerEvents.type(pairs);
            handOff.decide(d, Outcome.dead(d, m.reason(), m.getMessage()));
            return;
        }
        d.entry = e;
        TaskHandler handler = handlers.get(e.type());
        if (handler == null) {
            counters.malformed.incrementAndGet();
            handOff.decide(d, Outcome.dead(d, "no-handler", "no handler for type '" + e.type() + "' on worker " + workerId
                    + " (handlers: " + handlers.keySet() + ")"));
            return;
        }
        if (d.deliveries > maxDeliveries) {
            handOff.decide(d, Outcome.dead(d, "too-many-deliveries", "delivered " + d.deliveries + " times without being "
                    + "settled (more than maxDeliveries " + maxDeliveries + "): its workers died or hung while running it"));
            return;
        }
        Instant deadline = TaskContext.current().deadline().map(left -> clock.instant().plus(left)).orElse(null);
        RedisTaskContext ctx = new RedisTaskContext(queue, e.id(), e.type(), e.attempt(), e.maxAttempts(), d.deliveries,
                Instant.ofEpochMilli(e.enqueuedAtMillis()), deadline, e.traceContext(), e.lastError(), workerId, e.payload());
        try {
            handler.handle(ctx, e.payload());
            counters.succeeded.incrementAndGet();
            handOff.decide(d, Outcome.ack(d));
        } catch (Throwable t) {
            if (d.handBack) {
                handOff.decide(d, Outcome.handBack(d));
            } else if (!d.decided.get() && !(d.task != null && d.task.isDone())) {
                // Otherwise the pool has timed the task out and this is the handler leaving on the
                // interrupt: onPoolOutcome judges it (now, or at once when its callback is added),
                // with the timeout as the attempt's one failure. Only the verdict that wins counts:
                // the handler may throw just as the timeout settles the task, and both get here.
                if (handOff.decide(d, failure(d, t), t)) {
                    counters.failed.incrementAndGet();
                }
            }
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) throw vme;
            // Decided: now the pool records the attempt as failed too (its statistics, its
            // listener's FAILED event), rather than as a task that returned.
            throw t;
        }
    }

    private Outcome failure(Delivery d, Throwable t) {
        String error = describe(t);
        TaskEntry e = d.entry;
        if (e.attempt() < e.maxAttempts()) {
            return Outcome.retry(d, retryBackoff.delayMillis(e.attempt()), error);
        }
        return Outcome.dead(d, "failed", "attempt " + e.attempt() + " of " + e.maxAttempts() + ": " + error);
    }

    private static String describe(Throwable t) {
        String s = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS) + "...";
    }
}
