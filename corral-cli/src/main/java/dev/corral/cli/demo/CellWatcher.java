package dev.corral.cli.demo;

/**
 * Follows the demo's cells as they run: the live dashboard ({@code corral demo --dashboard}) and
 * the HTML report ({@code --report}) are watchers. Every method is called on the demo's own thread,
 * and must return quickly: the cell's clock does not stop for it.
 */
public interface CellWatcher {

    /** Watches nothing. */
    CellWatcher NONE = new CellWatcher() {
    };

    /** The cell's executor is built and its clients are about to start. */
    default void started(LiveCell cell) {
    }

    /** About five times a second while the cell runs, warmup included. */
    default void tick(LiveCell cell) {
    }

    /** The cell ended, its threads were stopped and {@code result} is what it measured. */
    default void ended(LiveCell cell, CellResult result) {
    }

    /** Both watchers, this one first. */
    default CellWatcher andThen(CellWatcher next) {
        CellWatcher first = this;
        return new CellWatcher() {
            @Override
            public void started(LiveCell cell) {
                first.started(cell);
                next.started(cell);
            }

            @Override
            public void tick(LiveCell cell) {
                first.tick(cell);
                next.tick(cell);
            }

            @Override
            public void ended(LiveCell cell, CellResult result) {
                first.ended(cell, result);
                next.ended(cell, result);
            }
        };
    }
}
