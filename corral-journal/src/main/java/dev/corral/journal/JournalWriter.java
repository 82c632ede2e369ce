package dev.corral.journal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.corral.TaskEvent;
import dev.corral.TaskListener;
import dev.corral.Ticker;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TaskListener} that writes every event of the pools it listens to as one JSON object per
 * line (JSON lines), for auditing a run afterwards ({@link JournalReader}).
 *
 * <pre>{@code
 * try (JournalWriter journal = JournalWriter.open(Path.of("run.jsonl"))) {
 *     try (Pool pool = Pool.builder().name("api").listener(journal).build()) {
 *         ...
 *     }
 * }                                   // close(): everything accepted is written and flushed
 * Journal run = JournalReader.read(Path.of("run.jsonl"));
 * run.statsByTaskName().forEach((name, s) -> System.out.println(name + " " + s));
 * }</pre>
 *
 * <h2>Never in a worker's way</h2>
 * {@link #onEvent} only puts the event on a bounded, lock-free queue (one CAS to count it, one to
 * link it) and returns; a single writer thread does the formatting and the I/O. When the queue is
 * full (the disk, or the writer, cannot keep up) the event is dropped and counted, never waited
 * for; once the writer has caught up it writes a {@code {"dropped":N}} line saying how many were
 * lost since the last such line, so a reader knows the journal has a gap and how large.
 * {@link #dropped()} is the running total. Events that arrive after {@link #close()} are counted
 * as dropped too. The writer flushes whenever it has emptied the queue, so the file trails the
 * pool by at most what is queued.
 *
 * <h2>Format</h2>
 * A first line {@code {"journal":"corral","version":1,"wallMillis":...,"nanoTime":...}} anchors
 * the events' ticker times to the wall clock; then one object per event with the fields of
 * {@link TaskEvent} ({@code kind}, {@code pool}, {@code task}, {@code name}, {@code t},
 * {@code wait}, {@code run}, {@code error: {type, message}}, {@code detail}), absent ones left
 * out. Strings are escaped by Jackson.
 */
public final class JournalWriter implements TaskListener, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JournalWriter.class.getName());

    /** The default bound of the queue between the pools and the writer. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private final int capacity;
    private final Ticker ticker;
    private final ConcurrentLinkedQueue<TaskEvent> queue = new ConcurrentLinkedQueue<>();
    /**
     * Slots reserved by producers and not yet taken by the writer: bounds the queue, and keeps the
     * writer alive after close() until every producer that reserved before seeing it closed has
     * linked its event.
     */
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    /** Events accepted into the queue so far: what flush() waits for. */
    private final LongAdder accepted = new LongAdder();
    private final OutputStream out;
    private final JsonGenerator json;
    private final Thread writer;
    /** True while the writer is parked (or about to), so that producers know to wake it. */
    private volatile boolean sleeping;
    private volatile boolean closed;
    /** Written and flushed so far (writer thread writes; flush() reads under lock). */
    private long written;                              // guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private volatile IOException failure;
    private long droppedReported;                      // writer thread only

    private JournalWriter(OutputStream out, int capacity, Ticker ticker) throws IOException {
        this.capacity = capacity;
        this.ticker = ticker;
        this.out = out;
        this.json = JournalFormat.JSON.createGenerator(out);
        json.setRootValueSeparator(null); // lines end with '\n', written by the format
        JournalFormat.writeHeader(json, System.currentTimeMillis(), ticker.nanoTime());
        json.flush();
        this.writer = Thread.ofPlatform().daemon().name("corral-journal-writer").unstarted(this::drain);
        writer.start();
    }

    /**
     * A journal written to {@code file} (created, or truncated if it exists), with the default
     * capacity and the system clock as the anchor for pools on {@link Ticker#system()}.
     *
     * @throws IOException if the file cannot be opened
     */
    public static JournalWriter open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return to(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024), DEFAULT_CAPACITY, Ticker.system());
    }

    /**
     * A journal written to {@code out} (closed with the journal).
     *
     * @param capacity events that may wait for the writer before new ones are dropped
     * @param ticker   the pools' ticker, to anchor event times to the wall clock in the first line
     * @throws IllegalArgumentException if {@code capacity < 1}
     * @throws IOException if the first line cannot be written
     */
    public static JournalWriter to(OutputStream out, int capacity, Ticker ticker) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(ticker, "ticker");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be > 0 but was " + capacity);
        }
        return new JournalWriter(out, capacity, ticker);
    }

    /** Queues the event for the writer, or counts it dropped if the queue is full; never waits. */
    @Override
    public void onEvent(TaskEvent event) {
        // Reserve, then check closed: a writer that saw closed and no reservation has exited, and
        // any later reservation sees closed (see drain's exit condition).
        if (queued.incrementAndGet() > capacity || closed) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        queue.offer(event);
        accepted.increment();
        if (sleeping) {
            sleeping = false;
            LockSupport.unpark(writer);
        }
    }

    /** Events dropped so far because the queue was full or the journal closed. */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Waits until every event accepted before this call is written and flushed.
     *
     * @throws IOException if writing failed
     * @throws InterruptedException if interrupted while waiting
     */
    public void flush() throws IOException, InterruptedException {
        long target = accepted.sum();
        lock.lock();
        try {
            while (written < target && failure == null && writer.isAlive()) {
                LockSupport.unpark(writer);
                progress.await(10, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Stops accepting events, writes everything accepted (and a last {@code dropped} line if events
     * were lost), flushes and closes the output. Waits for the writer thread.
     *
     * @throws IOException if writing or closing failed
     */
    @Override
    public void close() throws IOException {
        closed = true;
        LockSupport.unpark(writer);
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The writer thread: take, format, write; flush and report drops when caught up; park. */
    private void drain() {
        try {
            for (;;) {
                int n = 0;
                TaskEvent e;
                while ((e = queue.poll()) != null) {
                    queued.decrementAndGet();
                    JournalFormat.writeEvent(json, e);
                    n++;
                }
                long lost = dropped.sum();
                if (lost != droppedReported) {
                    JournalFormat.writeDropped(json, lost - droppedReported, ticker.nanoTime());
                    droppedReported = lost;
                }
                if (n > 0 || lost != 0) {
                    json.flush();
                    advance(n);
                }
                if (closed) {
                    if (queued.get() == 0) {
                        break;
                    }
                    Thread.onSpinWait(); // a producer reserved a slot before close: its event is coming
                    continue;
                }
                sleeping = true;
                if (queue.isEmpty() && !closed) { // re-check after announcing: no lost wake-up
                    LockSupport.park(this);
                }
                sleeping = false;
            }
        } catch (IOException ex) {
            failure = ex;
            closed = true;
            while (queue.poll() != null) { // never to be written: counted, not lost silently
                queued.decrementAndGet();
                dropped.increment();
            }
            LOG.log(Level.ERROR, "task journal: writing failed; later events are dropped", ex);
        } finally {
            try {
                json.close();
                out.close();
            } catch (IOException ex) {
                if (failure == null) {
                    failure = ex;
                }
            }
            lock.lock();
            try {
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void advance(int n) {
        lock.lock();
        try {
            written += n;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "JournalWriter[queued " + queued.get() + "/" + capacity + ", dropped " + dropped() + (closed ? ", closed" : "") + "]";
    }
}
