package dev.corral.opentelemetry;

import dev.corral.ContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Carries the submitting thread's OpenTelemetry {@link Context} (its current span, baggage, any
 * context key) into the task: spans the task's code starts are children of the submitter's span,
 * and the context is closed after the task, so nothing leaks into the worker's next task.
 *
 * <pre>{@code
 * Pool pool = Pool.builder().name("api").contextPropagator(new OpenTelemetryPropagator()).build();
 * }</pre>
 *
 * For a span of its own around each task, use {@link TaskSpans} instead (it carries the context too).
 */
public final class OpenTelemetryPropagator implements ContextPropagator {

    /** A propagator; stateless, one may serve any number of pools. */
    public OpenTelemetryPropagator() {
    }

    @Override
    public Captured capture() {
        Context submitter = Context.current();
        return () -> {
            Scope scope = submitter.makeCurrent();
            return scope::close;
        };
    }

    @Override
    public String toString() {
        return "OpenTelemetryPropagator";
    }
}
