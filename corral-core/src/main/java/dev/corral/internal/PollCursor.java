package dev.corral.internal;

/**
 * One consumer's place in a {@link TaskQueue}: which part of the queue it tries first (queues made
 * of several parts rotate it, so consumers share the parts out evenly), and what its last poll
 * noticed on the way. Owned by one consumer thread; not API.
 *
 * <p>Not final: a pool's worker is its own cursor (a subclass), one object less per worker, which
 * counts when a pool runs 100,000 virtual workers.
 */
public class PollCursor {

    /**
     * Where the next poll starts; it only counts up and is masked by the part count. A byte: the
     * part counts (powers of two, at most Pool.MAX_QUEUE_STRIPES = 64) divide 256, so a byte that
     * wraps picks the same part as an int would, and three bytes fewer help a worker fit 56 bytes.
     */
    byte start;
    boolean sawMore;
    boolean contended;

    public PollCursor(int start) {
        this.start = (byte) start;
    }

    /**
     * Whether the last successful poll saw another element waiting right behind the one it took.
     * A hint, cheap because the poll had that memory in hand: true means more work was there a
     * moment ago; false means nothing, and a caller that must know reads {@link TaskQueue#isEmpty}.
     */
    public final boolean sawMore() {
        return sawMore;
    }

    /**
     * Whether a poll since the last call lost a race for an element to another consumer (its
     * claim failed because someone claimed that very element first); reading it clears it. A sign
     * that consumers are taking elements as fast as they can: the caller may give its CPU away.
     */
    public final boolean contended() {
        boolean c = contended;
        if (c) {
            contended = false;
        }
        return c;
    }
}
