package dev.corral;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What runs on a thread, for {@link TaskContext#current()}: the worker object of a pool thread
 * (set once per thread, not once per task), or the task a caller runs itself (CALLER_RUNS). A
 * platform thread keeps it in a ThreadLocal; a virtual thread in a map keyed by the thread,
 * because a virtual thread's first ThreadLocal value costs it a ThreadLocalMap (136 bytes, more
 * than the Worker itself) and a pool may run 100,000 virtual workers.
 */
final class RunningHere {

    private static final ThreadLocal<Object> ON_PLATFORM = new ThreadLocal<>();
    private static final ConcurrentHashMap<Thread, Object> ON_VIRTUAL = new ConcurrentHashMap<>();

    private RunningHere() {
    }

    /** What runs on this thread (a Worker or a caller-run Task), or null. */
    static Object get() {
        Thread me = Thread.currentThread();
        return me.isVirtual() ? ON_VIRTUAL.get(me) : ON_PLATFORM.get();
    }

    /** Sets what runs on this thread (null: nothing); see {@link #get()}. */
    static void set(Object what) {
        Thread me = Thread.currentThread();
        if (!me.isVirtual()) {
            ON_PLATFORM.set(what);
        } else if (what != null) {
            ON_VIRTUAL.put(me, what);
        } else {
            ON_VIRTUAL.remove(me);
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
