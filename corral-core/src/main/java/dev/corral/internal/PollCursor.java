package dev.corral.internal;

/**
 * One consumer's place in a {@link TaskQueue}: which part of the queue it tries first (queues made
 * of several parts rotate it, so consumers share the parts out evenly), and what its last poll
 * noticed on the way. Owned by one consumer thread; not API.
 */
public final class PollCursor {

    int start;
    boolean sawMore;

    public PollCursor(int start) {
        this.start = start;
    }

    /**
     * Whether the last successful poll saw another element waiting right behind the one it took.
     * A hint, cheap because the poll had that memory in hand: true means more work was there a
     * moment ago; false means nothing, and a caller that must know reads {@link TaskQueue#isEmpty}.
     */
    public boolean sawMore() {
        return sawMore;
    }
}
