package dev.corral.dashboard;

import dev.corral.Pool;

/** A {@link Pool} as a {@link DashboardSource}: its {@link Pool#stats()} as a {@link Reading}. */
record PoolSource(String name, Pool pool) implements DashboardSource {

    @Override
    public String kind() {
        return "pool";
    }

    @Override
    public Reading read() {
        return Reading.of(pool.stats());
    }
}
