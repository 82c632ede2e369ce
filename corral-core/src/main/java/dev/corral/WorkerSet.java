package dev.corral;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The workers a pool has started and not yet seen leave, as a list threaded through the workers
 * themselves ({@code Worker.prev}/{@code next}): no node object per worker, which a HashSet would
 * cost (about 40 bytes with its table share) 100,000 times over for a pool of virtual workers.
 * Guarded by the engine's lock, like everything that reads or writes it.
 */
final class WorkerSet implements Iterable<Worker> {

    private Worker head;
    private int size;

    void add(Worker w) {
        w.prev = null;
        w.next = head;
        if (head != null) {
            head.prev = w;
        }
        head = w;
        size++;
    }

    /** Removes {@code w} if it is here; a worker removed twice (a failed start, then never again) is left alone. */
    void remove(Worker w) {
        if (w.prev == null && head != w) {
            return; // not in the set
        }
        if (w.prev != null) {
            w.prev.next = w.next;
        } else {
            head = w.next;
        }
        if (w.next != null) {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
        size--;
    }

    int size() {
        return size;
    }

    @Override
    public Iterator<Worker> iterator() {
        return new Iterator<>() {
            private Worker at = head;

            @Override
            public boolean hasNext() {
                return at != null;
            }

            @Override
            public Worker next() {
                Worker w = at;
                if (w == null) {
                    throw new NoSuchElementException();
                }
                at = w.next;
                return w;
            }
        };
    }
}
