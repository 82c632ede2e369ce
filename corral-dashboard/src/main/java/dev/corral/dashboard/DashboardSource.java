package dev.corral.dashboard;

import dev.corral.Pool;
import java.util.Objects;

/**
 * Something the dashboard can chart: a pool in this process, or (from another module) a queue
 * shared by a cluster. The dashboard asks each source for a {@link Reading} once per sampling
 * interval, on its sampling thread, and turns the cumulative counters of two readings in a row
 * into rates; a source only has to say what it sees now.
 *
 * <h2>Writing a source</h2>
 * {@link #read()} should be quick (it is called once per interval for every source, one source
 * after another) and must not block for long: a source that reads over the network should bound
 * its wait and throw when it cannot answer. A reading that throws is skipped for that interval
 * and counted ({@code readFailures} in the JSON), so one broken source cannot stop the others.
 *
 * <p>The names of the sources of one dashboard are distinct; they appear in the page, in URLs
 * ({@code /api/pools/{name}/history}) and in JSON.
 */
public interface DashboardSource {

    /** The name shown on the page and used in the JSON and its URLs. */
    String name();

    /**
     * What sort of thing this is, shown beside its name: {@code "pool"} for a {@link Pool}; other
     * modules name their own (a Redis queue might say {@code "redis-queue"}).
     */
    String kind();

    /** What the source sees now. */
    Reading read();

    /** A source reading {@link Pool#stats()} of {@code pool}, named after the pool. */
    static DashboardSource of(Pool pool) {
        Objects.requireNonNull(pool, "pool");
        return new PoolSource(pool.name(), pool);
    }

    /**
     * A source reading {@link Pool#stats()} of {@code pool} under another name: for pools of the
     * same name on one dashboard, one after another.
     */
    static DashboardSource of(String name, Pool pool) {
        Objects.requireNonNull(pool, "pool");
        return new PoolSource(Checks.name(name), pool);
    }
}
