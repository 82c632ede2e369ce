package dev.corral.opentelemetry;

import dev.corral.redis.EnqueueOptions;
import dev.corral.redis.RedisTaskContext;
import dev.corral.redis.TaskHandler;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Carries a trace through a Redis queue: the producer's span context travels in the entry as a
 * W3C {@code traceparent} (and {@code tracestate}), and the worker runs the handler in a CONSUMER span that is its child,
 * so a producer's trace continues in whichever worker process takes the task.
 *
 * <pre>{@code
 * // producer: the span current here becomes the parent of the worker's span
 * queue.enqueue("send_email", payload, RedisTracing.inject(EnqueueOptions.of().maxAttempts(5)));
 *
 * // worker
 * RedisTracing tracing = RedisTracing.create(openTelemetry.getTracer("corral"));
 * RedisWorker.builder(uri).queue("mail").handler("send_email", tracing.trace(sendEmail)).start();
 * }</pre>
 *
 * Needs {@code corral-redis} on the class path (an optional dependency of this module).
 *
 * <h2>What travels</h2>
 * The W3C {@code traceparent} (trace id, parent span id, sampled flag) and, when the span has one,
 * its {@code tracestate} (vendors' entries), in {@link EnqueueOptions#traceContext(String)} as
 * {@code "<traceparent>"} or {@code "<traceparent> <tracestate>"} (a traceparent holds no space).
 * The trace context is bounded to {@link EnqueueOptions#MAX_KEY_LENGTH} characters, so a longer
 * tracestate loses its right-most entries, as the W3C specification lets a carrier do. Baggage does
 * not travel. The W3C format is written and read by OpenTelemetry's own
 * {@link W3CTraceContextPropagator} whatever propagators the application configured, so producers
 * and workers always agree; workers from before tracestate travelled read the traceparent and
 * ignore the rest.
 *
 * <h2>The worker's span</h2>
 * Named {@code "process <queue>"} (OpenTelemetry's messaging conventions), kind CONSUMER, the child
 * of the producer's span when the task carries a valid {@code traceparent}, otherwise of the
 * context current on the worker thread (a new trace if none). It is current while the handler
 * runs, so the handler's own spans nest under it, and lasts until the handler returns or throws.
 * Attributes: {@code messaging.system} = {@code redis}, {@code messaging.destination.name} (the
 * queue), {@code messaging.operation.name} = {@code process}, {@code messaging.message.id} (the
 * task id), {@code corral.redis.task.type}, {@code corral.redis.attempt},
 * {@code corral.redis.max_attempts}, {@code corral.redis.deliveries} and
 * {@code corral.redis.worker.id}. A handler that throws sets status ERROR, records the exception,
 * and the exception goes on to the worker unchanged (so retries and dead-lettering are unaffected);
 * each attempt is a span of its own.
 */
public final class RedisTracing {

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> TASK_TYPE = AttributeKey.stringKey("corral.redis.task.type");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("corral.redis.attempt");
    static final AttributeKey<Long> MAX_ATTEMPTS = AttributeKey.longKey("corral.redis.max_attempts");
    static final AttributeKey<Long> DELIVERIES = AttributeKey.longKey("corral.redis.deliveries");
    static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("corral.redis.worker.id");

    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

    /** Reads the two headers from the entry's {@code "<traceparent>[ <tracestate>]"}. */
    private static final TextMapGetter<String> FROM_ENTRY = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(String carrier, String key) {
            if (carrier == null) {
                return null;
            }
            int space = carrier.indexOf(' ');
            if (TRACEPARENT.equals(key)) {
                return space < 0 ? carrier : carrier.substring(0, space);
            }
            return TRACESTATE.equals(key) && space >= 0 ? carrier.substring(space + 1) : null;
        }
    };

    private final Tracer tracer;

    private RedisTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * Worker spans from {@code tracer}; one instance may wrap any number of handlers.
     *
     * @throws NullPointerException if {@code tracer} is null
     */
    public static RedisTracing create(Tracer tracer) {
        return new RedisTracing(Objects.requireNonNull(tracer, "tracer"));
    }

    /**
     * {@code options} carrying the current span's context as a W3C {@code traceparent} (and
     * {@code tracestate}, see the class comment), or
     * {@code options} unchanged when no valid span is current (nothing to continue). A trace
     * context already set on {@code options} is replaced.
     *
     * @throws NullPointerException if {@code options} is null
     */
    public static EnqueueOptions inject(EnqueueOptions options) {
        return inject(options, Context.current());
    }

    /**
     * {@code options} carrying {@code context}'s span as a W3C {@code traceparent} (and
     * {@code tracestate}), or {@code options} unchanged when {@code context} has no valid span.
     *
     * @throws NullPointerException if an argument is null
     */
    public static EnqueueOptions inject(EnqueueOptions options, Context context) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        Map<String, String> headers = new HashMap<>(2);
        W3C.inject(context, headers, Map::put);
        String traceparent = headers.get(TRACEPARENT);
        if (traceparent == null) {
            return options;
        }
        String state = fit(headers.get(TRACESTATE), EnqueueOptions.MAX_KEY_LENGTH - traceparent.length() - 1);
        return options.traceContext(state == null ? traceparent : traceparent + " " + state);
    }

    /**
     * {@code tracestate} cut to at most {@code max} characters by dropping whole entries from the
     * right (the W3C rule for a carrier short of room), or null if none is left.
     */
    static String fit(String tracestate, int max) {
        if (tracestate == null) {
            return null;
        }
        String s = tracestate.strip();
        while (s.length() > max) {
            int comma = s.lastIndexOf(',');
            if (comma < 0) {
                return null;
            }
            s = s.substring(0, comma).strip();
        }
        return s.isEmpty() ? null : s;
    }

    /**
     * The context a task's {@code traceparent} (and {@code tracestate}) continues, on top of
     * {@code base}; {@code base} itself when the task carries none or one that is not a valid W3C
     * {@code traceparent}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static Context extract(RedisTaskContext task, Context base) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(base, "base");
        return task.traceContext().map(tp -> W3C.extract(base, tp, FROM_ENTRY)).orElse(base);
    }

    /**
     * {@code handler} run inside a CONSUMER span that continues the producer's trace (see the
     * class comment).
     *
     * @throws NullPointerException if {@code handler} is null
     */
    public TaskHandler trace(TaskHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return (task, payload) -> {
            Span span = tracer.spanBuilder("process " + task.queue())
                    .setSpanKind(SpanKind.CONSUMER)
                    .setParent(extract(task, Context.current()))
                    .setAttribute(MESSAGING_SYSTEM, "redis")
                    .setAttribute(DESTINATION, task.queue())
                    .setAttribute(OPERATION, "process")
                    .setAttribute(MESSAGE_ID, task.id())
                    .setAttribute(TASK_TYPE, task.type())
                    .setAttribute(ATTEMPT, (long) task.attempt())
                    .setAttribute(MAX_ATTEMPTS, (long) task.maxAttempts())
                    .setAttribute(DELIVERIES, task.deliveries())
                    .setAttribute(WORKER_ID, task.workerId())
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                handler.handle(task, payload);
            } catch (Throwable t) {
                span.setStatus(StatusCode.ERROR, String.valueOf(t.getMessage()));
                span.recordException(t);
                throw t;
            } finally {
                span.end();
            }
        };
    }

    @Override
    public String toString() {
        return "RedisTracing[" + tracer + "]";
    }
}
