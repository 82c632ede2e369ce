package dev.corral;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one timer that watches every deadline of a pool: a queue ordered by due time on the pool's
 * ticker, served by one thread, started on the first deadline (a pool without timeouts has no
 * timer). Never a thread per task.
 *
 * <h2>What a deadline does</h2>
 * <ul>
 *   <li>{@code timeout} (from submission): a task still queued never starts; a running one is
 *       interrupted and its future fails now with a {@link TimeoutException} naming the task and
 *       the deadline.</li>
 *   <li>{@code queueTimeout}: applies only while the task waits to start.</li>
 *   <li>{@code runTimeout}: counted from the start; applies only while it runs.</li>
 * </ul>
 * A task that keeps running after being interrupted for its deadline is <em>stuck</em>: once it
 * has outlived the deadline by {@code stuckGrace}, it is reported once to the failure handler
 * (a {@link TaskStuckException} carrying the thread's stack) and its worker counts as lost
 * capacity in {@link PoolStats#stuckWorkers()} until the code returns. Its queue slot or limiter
 * permit is never handed on early: the worker releases them only when the code has returned.
 * <p>
 * Entries of tasks that settle before their deadline are left in the queue and skipped when due
 * (cheaper than removal), and purged in bulk once they outnumber the live ones.
 */
final class Deadlines {

    /** {@code kind} and {@code nanos} make the description only when it fires (registration is hot). */
    private record Entry(long due, Task<?> task, boolean whileQueued, boolean whileRunning, String kind, long nanos,
                         boolean watchOnly)
            implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            return Long.compare(due - o.due, 0); // wrap-safe, as nanoTime differences are
        }

        String what() {
            return kind + " " + Durations.human(nanos);
        }
    }

    private record Stuck(Task<?> task, long expiredAt) {
    }

    /** Work the pool asked to run at a time (a group's rate-held task, say). */
    private record Action(long due, Runnable run) implements Comparable<Action> {
        @Override
        public int compareTo(Action o) {
            return Long.compare(due - o.due, 0);
        }
    }

    /** What the timer tells of stuck tasks and of scheduled actions that threw. */
    interface Reporter {
        void stuck(Task<?> t, TaskStuckException stuck);

        void timerFailed(Throwable error);
    }

    private final String poolName;
    private final Reporter reporter;
    private final Ticker ticker;
    private final long stuckGraceNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Entry> due = new PriorityQueue<>();   // guarded by lock
    private final List<Stuck> expiredRunning = new ArrayList<>();     // guarded by lock
    private final PriorityQueue<Action> actions = new PriorityQueue<>(); // guarded by lock
    private int stuckNow;                                             // guarded by lock
    private Thread timer;                                             // guarded by lock
    private volatile boolean stopped;
    /** Tasks with a deadline that settled since the last purge: their entries are dead weight. */
    private final java.util.concurrent.atomic.AtomicInteger settled = new java.util.concurrent.atomic.AtomicInteger();

    /** {@code poolName} names the timer thread; {@code reporter} hears of stuck tasks and failed actions. */
    Deadlines(String poolName, Ticker ticker, Duration stuckGrace, Reporter reporter) {
        this.poolName = poolName;
        this.reporter = reporter;
        this.ticker = ticker;
        this.stuckGraceNanos = stuckGrace.toNanos();
    }

    /** Runs {@code action} on the timer thread {@code nanos} of ticker time from now. */
    void scheduleIn(long nanos, Runnable action) {
        schedule(ticker.nanoTime() + nanos, action);
    }

    /** Runs {@code action} on the timer thread once the ticker reaches {@code due}. */
    void schedule(long due, Runnable action) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            Action head = actions.peek();
            actions.add(new Action(due, action));
            if (timer == null) {
                timer = Thread.ofVirtual().name(poolName + "-deadlines").start(this::run);
            } else if (head == null || due - head.due() < 0) {
                LockSupport.unpark(timer);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Registers the deadlines of a task just accepted (timeout, queueTimeout). */
    void accepted(Task<?> t) {
        if (t.timeoutNanos > 0) {
            add(new Entry(t.acceptedAt + t.timeoutNanos, t, true, true, "timeout", t.timeoutNanos, false));
        }
        if (t.queueTimeoutNanos > 0) {
            add(new Entry(t.acceptedAt + t.queueTimeoutNanos, t, true, false, "queueTimeout", t.queueTimeoutNanos, false));
        }
    }

    /** Registers the run deadline of a task that just started. */
    void started(Task<?> t, long startedAt, long stuckThresholdNanos) {
        if (t.runTimeoutNanos > 0) {
            add(new Entry(startedAt + t.runTimeoutNanos, t, false, true, "runTimeout", t.runTimeoutNanos, false));
        }
        if (stuckThresholdNanos > 0) {
            add(new Entry(startedAt + stuckThresholdNanos, t, false, false, "stuckThreshold", stuckThresholdNanos, true));
        }
    }

    private void add(Entry e) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            if (e.whileRunning()) {
                long known = e.task().deadlineAt;
                if (known == 0 || e.due() - known < 0) {
                    e.task().deadlineAt = e.due(); // what TaskContext.deadline() reports
                }
            }
            purgeIfMostlyDead();
            Entry head = due.peek();
            due.add(e);
            if (timer == null) {
                timer = Thread.ofVirtual().name(poolName + "-deadlines").start(this::run);
            } else if (head == null || e.due - head.due < 0) {
                LockSupport.unpark(timer); // an earlier deadline: re-plan the wait
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!stopped) {
            long wait = check();
            LockSupport.parkNanos(this, wait);
            Thread.interrupted();
        }
    }

    /**
     * Applies every deadline that is due on the ticker, reports tasks that became stuck, and
     * returns how long to wait before the next check. Package-private for tests on a fake ticker.
     */
    long check() {
        long now = ticker.nanoTime();
        List<Entry> fire = new ArrayList<>();
        List<Stuck> report = new ArrayList<>();
        List<Runnable> run = new ArrayList<>();
        long next;
        lock.lock();
        try {
            Entry e;
            while ((e = due.peek()) != null && now - e.due >= 0) {
                fire.add(due.poll());
            }
            Action a;
            while ((a = actions.peek()) != null && now - a.due() >= 0) {
                run.add(actions.poll().run());
            }
            for (var it = expiredRunning.iterator(); it.hasNext(); ) {
                Stuck s = it.next();
                if (!s.task().isExecuting()) {
                    it.remove();
                    if (s.expiredAt() == Long.MIN_VALUE) {
                        stuckNow--; // it was counted stuck; its worker is back
                    }
                } else if (s.expiredAt() != Long.MIN_VALUE && now - s.expiredAt() >= stuckGraceNanos) {
                    report.add(s);
                }
            }
            purgeIfMostlyDead();
            Entry head = due.peek();
            next = head == null ? (expiredRunning.isEmpty() ? Long.MAX_VALUE : stuckGraceNanos) : Math.max(1_000L, head.due - now);
            if (!expiredRunning.isEmpty()) {
                next = Math.min(next, Math.max(1_000_000L, stuckGraceNanos / 4));
            }
            Action firstAction = actions.peek();
            if (firstAction != null) {
                next = Math.min(next, Math.max(1_000L, firstAction.due() - now));
            }
        } finally {
            lock.unlock();
        }
        for (Runnable r : run) {
            try {
                r.run();
            } catch (Throwable t) {
                reporter.timerFailed(t);
            }
        }
        for (Entry e : fire) {
            boolean wasRunning = e.task().isExecuting();
            if (e.watchOnly()) {
                if (wasRunning) {
                    TaskStuckException slow = new TaskStuckException("task '" + e.task().name()
                            + "' has been running longer than its pool's " + e.what());
                    Thread th = e.task().runnerThread();
                    if (th != null) {
                        slow.setStackTrace(th.getStackTrace());
                    }
                    reporter.stuck(e.task(), slow);
                }
                continue;
            }
            TimeoutException cause = new TimeoutException("task '" + e.task().name() + "' passed its deadline ("
                    + e.what() + (wasRunning ? ", while running" : ", before it started") + ")");
            if (e.task().expire(cause, e.whileQueued(), e.whileRunning()) && wasRunning) {
                lock.lock();
                try {
                    expiredRunning.add(new Stuck(e.task(), now));
                } finally {
                    lock.unlock();
                }
            }
        }
        for (Stuck s : report) {
            lock.lock();
            try {
                int i = expiredRunning.indexOf(s);
                if (i < 0) {
                    continue; // ended meanwhile
                }
                expiredRunning.set(i, new Stuck(s.task(), Long.MIN_VALUE)); // reported: never again
                stuckNow++;
            } finally {
                lock.unlock();
            }
            Thread th = s.task().runnerThread();
            TaskStuckException stuck = new TaskStuckException("task '" + s.task().name() + "' still runs "
                    + Durations.human(now - s.expiredAt()) + " after its deadline interrupted it; its worker is lost capacity until it returns");
            if (th != null) {
                stuck.setStackTrace(th.getStackTrace());
            }
            reporter.stuck(s.task(), stuck);
        }
        return Math.min(next, Duration.ofSeconds(1).toNanos()); // re-read a (possibly fake) ticker now and then
    }

    /**
     * Long deadlines at a high rate would otherwise pile up entries for tasks long finished; once
     * the settled ones (counted by the pool, no scan) outnumber the rest, one bulk purge keeps the
     * queue near the live count. Caller holds lock.
     */
    private void purgeIfMostlyDead() {
        int dead = settled.get();
        if (dead > 4096 && dead > due.size() / 2) {
            due.removeIf(x -> x.task().isDone() && !x.task().isExecuting());
            settled.set(0);
        }
    }

    /** A task whose deadlines are watched has settled (called by the pool, lock-free). */
    void settledOne() {
        settled.incrementAndGet();
    }

    /** Workers whose task outlived its deadline and ignored the interrupt. */
    int stuckWorkers() {
        lock.lock();
        try {
            return stuckNow;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Settles a claimed task whose timeout or queue timeout has passed on the ticker, before its
     * body starts (the timer may not have reached it yet). Only for tasks with such deadlines.
     */
    void expireIfDue(Task<?> t) {
        long now = ticker.nanoTime();
        if (t.timeoutNanos > 0 && now - (t.acceptedAt + t.timeoutNanos) >= 0) {
            t.expire(new TimeoutException("task '" + t.name() + "' passed its deadline (timeout "
                    + Durations.human(t.timeoutNanos) + ", before it started)"), true, false);
        } else if (t.queueTimeoutNanos > 0 && now - (t.acceptedAt + t.queueTimeoutNanos) >= 0) {
            t.expire(new TimeoutException("task '" + t.name() + "' passed its deadline (queueTimeout "
                    + Durations.human(t.queueTimeoutNanos) + ", before it started)"), true, false);
        }
    }

    /** Time left until the task's own deadline, if it has one (TaskContext). */
    java.util.Optional<Duration> timeLeft(Task<?> t) {
        long at = t.deadlineAt;
        return at == 0 ? java.util.Optional.empty() : java.util.Optional.of(Duration.ofNanos(at - ticker.nanoTime()));
    }

    /** Stops the timer thread; returns it (for joining), or null if none was started. */
    Thread stop() {
        lock.lock();
        try {
            stopped = true;
            Thread t = timer;
            if (t != null) {
                LockSupport.unpark(t);
            }
            return t;
        } finally {
            lock.unlock();
        }
    }
}
