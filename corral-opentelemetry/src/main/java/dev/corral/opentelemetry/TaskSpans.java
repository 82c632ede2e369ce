package dev.corral.opentelemetry;

import dev.corral.ContextPropagator;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A span for every task a pool runs, child of the span that was current where the task was
 * submitted, and current itself while the task runs (so the task's own spans nest under it).
 * Register it twice: as the pool's context propagator (it opens and closes the span around the
 * task) and as its listener (it names the span and records the queue wait, run time and outcome).
 *
 * <pre>{@code
 * TaskSpans spans = TaskSpans.create(openTelemetry.getTracer("corral"));
 * Pool pool = Pool.builder().name("api").contextPropagator(spans).listener(spans).build();
 * }</pre>
 *
 * <h2>The span</h2>
 * Named after the task ({@link dev.corral.TaskOptions#name}) or {@code "<pool> task"}, kind
 * INTERNAL, from the moment the worker takes the task until its code returns (a task interrupted
 * by its deadline that keeps running shows its real length). Attributes: {@code corral.pool},
 * {@code corral.task.id}, {@code corral.task.queue_wait_ns} (acceptance to start),
 * {@code corral.task.run_ns} (start to settlement), {@code corral.task.outcome} (success, failure,
 * timeout, cancelled); a failure or a timeout sets the status to ERROR and records the exception.
 * A task that never runs (cancelled, timed out or discarded while queued, rejected) has no span.
 * A task run by its submitter ({@code CALLER_RUNS}) already runs in the submitter's context and
 * gets no span of its own.
 *
 * <h2>Cost</h2>
 * As a listener it needs every task's events ({@link #everyTask()}), so the pool times every task;
 * with span creation that costs a few microseconds per task, negligible next to tasks worth tracing.
 */
public final class TaskSpans implements ContextPropagator, TaskListener {

    static final AttributeKey<String> POOL = AttributeKey.stringKey("corral.pool");
    static final AttributeKey<Long> TASK_ID = AttributeKey.longKey("corral.task.id");
    static final AttributeKey<Long> QUEUE_WAIT = AttributeKey.longKey("corral.task.queue_wait_ns");
    static final AttributeKey<Long> RUN = AttributeKey.longKey("corral.task.run_ns");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("corral.task.outcome");

    /**
     * The span opened in this worker whose task has not yet said who it is: the pool sends the
     * task's STARTED event from the same thread right after the propagator installed the context.
     */
    private static final ThreadLocal<Open> PENDING = new ThreadLocal<>();

    private final Tracer tracer;
    /** Spans of tasks running now, for outcome events that come from other threads (deadline, cancel). */
    private final ConcurrentHashMap<Key, Open> running = new ConcurrentHashMap<>();

    private TaskSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * Spans from {@code tracer}; one instance may serve several pools.
     *
     * @throws NullPointerException if {@code tracer} is null
     */
    public static TaskSpans create(Tracer tracer) {
        return new TaskSpans(Objects.requireNonNull(tracer, "tracer"));
    }

    private record Key(String pool, long task) {
    }

    /** One task's span while it runs; closed by the worker when the task's code has returned. */
    private final class Open implements Installed {
        final Span span;
        final Scope scope;
        Key key;

        Open(Span span, Scope scope) {
            this.span = span;
            this.scope = scope;
        }

        @Override
        public void close() {
            try {
                scope.close();
            } finally {
                if (PENDING.get() == this) {
                    PENDING.remove();
                }
                if (key != null) {
                    running.remove(key, this);
                }
                span.end();
            }
        }
    }

    @Override
    public Captured capture() {
        Context submitter = Context.current();
        return () -> {
            Span span = tracer.spanBuilder("corral task").setParent(submitter).setSpanKind(SpanKind.INTERNAL).startSpan();
            Open open = new Open(span, submitter.with(span).makeCurrent());
            PENDING.set(open);
            return open;
        };
    }

    @Override
    public void onEvent(TaskEvent e) {
        switch (e.kind()) {
            case STARTED -> {
                Open open = PENDING.get();
                if (open == null) {
                    return; // run by its submitter (CALLER_RUNS): no span of its own
                }
                PENDING.remove();
                open.key = new Key(e.poolName(), e.taskId());
                running.put(open.key, open);
                open.span.updateName(e.taskName() != null ? e.taskName() : e.poolName() + " task");
                open.span.setAttribute(POOL, e.poolName());
                open.span.setAttribute(TASK_ID, e.taskId());
                if (e.queueWaitNanos() >= 0) {
                    open.span.setAttribute(QUEUE_WAIT, e.queueWaitNanos());
                }
            }
            case SUCCEEDED, FAILED, TIMED_OUT, CANCELLED -> {
                Open open = running.get(new Key(e.poolName(), e.taskId()));
                if (open == null) {
                    return; // settled while queued: it never ran, it has no span
                }
                Span span = open.span;
                if (e.runNanos() >= 0) {
                    span.setAttribute(RUN, e.runNanos());
                }
                span.setAttribute(OUTCOME, switch (e.kind()) {
                    case SUCCEEDED -> "success";
                    case FAILED -> "failure";
                    case TIMED_OUT -> "timeout";
                    default -> "cancelled";
                });
                if (e.kind() == TaskEvent.Kind.FAILED || e.kind() == TaskEvent.Kind.TIMED_OUT) {
                    span.setStatus(StatusCode.ERROR, e.error() != null ? String.valueOf(e.error().getMessage()) : e.kind().name());
                    if (e.error() != null) {
                        span.recordException(e.error());
                    }
                }
            }
            default -> { }
        }
    }

    @Override
    public boolean everyTask() {
        return true;
    }

    @Override
    public String toString() {
        return "TaskSpans[" + running.size() + " running]";
    }
}
