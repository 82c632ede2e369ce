package dev.corral.limit;

import dev.corral.Ticker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to. Starts near overflow so wrap-around bugs show. */
final class FakeClock implements Ticker {
    private final AtomicLong now;

    FakeClock() {
        this(Long.MAX_VALUE - 1_000_000_000L);
    }

    FakeClock(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
    }

    void advance(Duration d) {
        advance(d.toNanos());
    }
}
