package dev.corral;

/**
 * Carries a thread's context (a logging MDC, a tracing span, a security principal) from the thread
 * that submits a task to the worker that runs it, and clears it afterwards. Registered with
 * {@link Pool.Builder#contextPropagator}.
 *
 * <pre>{@code
 * ContextPropagator mdc = () -> {
 *     Map<String, String> captured = MDC.getCopyOfContextMap();   // in the submitting thread
 *     return () -> {                                              // in the worker, before the task
 *         MDC.setContextMap(captured);
 *         return MDC::clear;                                      // after the task, always
 *     };
 * };
 * }</pre>
 *
 * The context is in place for the task's code, its completion callbacks and the failure handler
 * when they run in the worker; it is cleared before the worker takes its next task, so nothing
 * leaks from one task into another. A propagator that throws is reported to the failure handler
 * and skipped; the task still runs.
 */
@FunctionalInterface
public interface ContextPropagator {

    /** Called in the submitting thread when the task is submitted. */
    Captured capture();

    /** A captured context, installed in the worker before the task runs. */
    @FunctionalInterface
    interface Captured {
        /** Installs the context in the current (worker) thread; returns what removes it. */
        Installed install();
    }

    /** An installed context; closed after the task, in the worker, always. */
    @FunctionalInterface
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }
}
