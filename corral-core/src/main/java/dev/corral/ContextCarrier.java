package dev.corral;

import java.util.List;

/**
 * Carries the submitting thread's context to the worker (Builder.contextPropagator): captured at
 * submission, installed around the task's run and cleared after it, in reverse order. A
 * propagator that throws is reported to the failure handler and skipped; the task still runs.
 * Most pools have none: then {@link #isEmpty()} and nothing else is called.
 */
final class ContextCarrier {

    private final ContextPropagator[] propagators;
    private final FailureReporter failures;

    ContextCarrier(List<ContextPropagator> propagators, FailureReporter failures) {
        this.propagators = propagators.toArray(new ContextPropagator[0]);
        this.failures = failures;
    }

    boolean isEmpty() {
        return propagators.length == 0;
    }

    /** Snapshots the submitting thread's context for the task, once per propagator. */
    void capture(Task<?> t) {
        ContextPropagator.Captured[] captured = new ContextPropagator.Captured[propagators.length];
        for (int i = 0; i < propagators.length; i++) {
            try {
                captured[i] = propagators[i].capture();
            } catch (Throwable e) {
                failures.report(t, e); // skipped; the task still runs
            }
        }
        t.contexts = captured;
    }

    ContextPropagator.Installed[] install(Task<?> t) {
        ContextPropagator.Captured[] captured = t.contexts;
        ContextPropagator.Installed[] installed = new ContextPropagator.Installed[captured.length];
        for (int i = 0; i < captured.length; i++) {
            if (captured[i] != null) {
                try {
                    installed[i] = captured[i].install();
                } catch (Throwable e) {
                    failures.report(t, e);
                }
            }
        }
        return installed;
    }

    /** Clears in reverse order of installation, every one even if another throws. */
    void uninstall(Task<?> t, ContextPropagator.Installed[] installed) {
        for (int i = installed.length - 1; i >= 0; i--) {
            if (installed[i] != null) {
                try {
                    installed[i].close();
                } catch (Throwable e) {
                    failures.report(t, e);
                }
            }
        }
    }
}
