package dev.corral.dashboard;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code /events} stream: server-sent events, one {@code sample} event per sampling round,
 * carrying the same document as {@code /api/pools}.
 *
 * <h2>How it works</h2>
 * The sampler {@link #publish publishes} each round's document under a new sequence number. Each
 * connected page is served by one HTTP worker that waits on {@link #changed} for a number it has
 * not sent, writes that document, and waits again; when nothing new comes for a heartbeat period
 * it writes an SSE comment, which also finds out whether the page is still there (a failed write
 * ends the stream). A slow page that misses several rounds gets the newest only: the events are
 * snapshots, not deltas, and the page fetches the history when it sees a gap in the ids.
 *
 * <p>Streams are bounded ({@link #permits}): each holds an HTTP worker for as long as the page is
 * open, so past the bound a page is answered 503 and falls back to polling {@code /api/pools}.
 */
final class EventStream {

    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final Semaphore permits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private long sequence;
    private String document;
    private boolean closed;

    EventStream(int maxStreams) {
        this.permits = new Semaphore(maxStreams);
    }

    void publish(String json) {
        lock.lock();
        try {
            sequence++;
            document = json;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every stream; their workers return. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Streams open now. */
    int open(int maxStreams) {
        return maxStreams - permits.availablePermits();
    }

    /** Serves one page until it goes away or the dashboard closes. */
    void serve(HttpExchange exchange) throws IOException {
        if (!permits.tryAcquire()) {
            exchange.getResponseHeaders().set("Retry-After", "10");
            Http.send(exchange, 503, "application/json",
                    Json.write(Json.error("too many event streams open; poll /api/pools instead")));
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                write(out, "retry: 2000\n\n");
                long sent = 0;
                while (true) {
                    String data;
                    long seq;
                    lock.lock();
                    try {
                        long waitNanos = HEARTBEAT_NANOS;
                        while (!closed && sequence == sent && waitNanos > 0) {
                            waitNanos = changed.awaitNanos(waitNanos);
                        }
                        if (closed) {
                            return;
                        }
                        seq = sequence;
                        data = document;
                    } finally {
                        lock.unlock();
                    }
                    if (seq == sent || data == null) {
                        write(out, ": keep-alive\n\n");
                    } else {
                        write(out, "id: " + seq + "\nevent: sample\ndata: " + data + "\n\n");
                        sent = seq;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the server is stopping: end this stream
            }
        } finally {
            permits.release();
        }
    }

    /** The document is one line of JSON (jackson-jr writes no newlines), so one data: line holds it. */
    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
