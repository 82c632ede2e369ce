package dev.corral;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What runs on a thread, for {@link TaskContext#current()}: the worker object of a pool thread
 * (set once per thread, not once per task), or the task a caller runs itself (CALLER_RUNS). A
 * platform thread keeps it in a ThreadLocal. A virtual thread has no such field to spare: its
 * first ThreadLocal value costs it a ThreadLocalMap (136 bytes, more than the Worker itself), an
 * entry in a map keyed by the thread some 40 bytes and two hash-map updates per worker, and a pool
 * may run 100,000 virtual workers, each blocked task paying for its worker's (ScopedValue, made
 * for this, is a preview API in Java 21). So a virtual worker's thread names its worker in a field
 * every thread has and a pool thread does not otherwise use: the Worker is its thread's
 * uncaught-exception handler ({@link Crew} installs it when the thread has none of its own; the
 * Worker hands an uncaught exception to the thread's group, as the thread would have). The map
 * keyed by the thread remains for the rest: a task a virtual caller runs itself, and a virtual
 * worker whose thread came with a handler of its own, or whose task replaced it (from its next
 * task on; TaskContextTest).
 */
final class RunningHere {

    private static final ThreadLocal<Object> ON_PLATFORM = new ThreadLocal<>();
    private static final ConcurrentHashMap<Thread, Object> ON_VIRTUAL = new ConcurrentHashMap<>();

    private RunningHere() {
    }

    /** What runs on this thread (a Worker or a caller-run Task), or null. */
    static Object get() {
        Thread me = Thread.currentThread();
        if (!me.isVirtual()) {
            return ON_PLATFORM.get();
        }
        Object o = ON_VIRTUAL.get(me);
        return o != null ? o : workerOf(me);
    }

    /** The worker whose virtual thread {@code me} is, named by its handler (see above), or null. */
    static Worker workerOf(Thread me) {
        return me.getUncaughtExceptionHandler() instanceof Worker w && w.thread == me ? w : null;
    }

    /** Sets what runs on this thread (null: nothing); see {@link #get()}. */
    static void set(Object what) {
        Thread me = Thread.currentThread();
        if (!me.isVirtual()) {
            ON_PLATFORM.set(what);
        } else if (what == null || what == workerOf(me)) {
            ON_VIRTUAL.remove(me); // nothing, or the worker its handler names already
        } else {
            ON_VIRTUAL.put(me, what);
        }
    }

    /** The task running in this thread, if it is a pool thread running one, or a caller running its own. */
    static Task<?> currentTask() {
        Object here = get();
        if (here instanceof Worker w) {
            return w.currentTask();
        }
        return here instanceof Task<?> t ? t : null;
    }

    /** Virtual threads with something registered as running on them (tests: none once their pools terminated). */
    static int virtualThreadsRegistered() {
        return ON_VIRTUAL.size();
    }
}
