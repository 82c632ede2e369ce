package dev.corral.limit;

/**
 * The right to run one call under a {@link Limiter}: held from the moment an acquire method
 * returns it until it is released by {@link #close()} (or by reporting the call's outcome, which
 * also releases it).
 *
 * <h2>Releasing</h2>
 * Release exactly once, ideally with try-with-resources:
 * <pre>{@code
 * try (Permit permit = limiter.acquire()) {
 *     Response r = backend.call();
 *     permit.success();          // or permit.dropped() when the backend pushed back
 *     return r;
 * }                              // close() releases; after success() it does nothing
 * }</pre>
 * Every release method is idempotent: only the first call releases and reports; later calls, from
 * any thread, do nothing. A permit that is never released keeps its slot for ever; it shows up in
 * {@link LimiterStats#inUse()} and, where permit ages are tracked, in
 * {@link LimiterStats#oldestPermitAgeNanos()}.
 *
 * <h2>Outcomes</h2>
 * {@link #success()}, {@link #dropped()} and {@link #ignored()} release the permit and tell the
 * limiter how the call went. A fixed limiter ({@link ConcurrencyLimiter}) only counts them; an
 * {@link AdaptiveLimiter} moves its limit by them, measuring the call's latency from the acquire
 * to the release on its clock. {@link #close()} without an earlier report counts as
 * {@link #ignored()}: a limiter must not learn from an outcome it was not told (an exception
 * escaping the try block, say).
 *
 * <h2>Leases</h2>
 * A local permit is valid until released. A permit from a remote limiter (one shared by many
 * processes through a server) is a lease: the server takes it back after a time-to-live so that a
 * crashed holder cannot keep it for ever. {@link #isValid()} and {@link #remainingNanos()} say
 * whether, and for how long, the holder may still rely on it; callers that can outlive a lease
 * should check them before doing work that must stay within the limit.
 */
public interface Permit extends AutoCloseable {

    /**
     * Releases the permit if it is still held, reporting the call as {@linkplain #ignored()
     * ignored} unless an outcome was reported before. Never throws; harmless when repeated.
     */
    @Override
    void close();

    /** Releases the permit, reporting that the call succeeded (latency is measured now). */
    void success();

    /**
     * Releases the permit, reporting that the call was dropped: it failed or timed out because the
     * protected resource is overloaded. An adaptive limiter backs off.
     */
    void dropped();

    /**
     * Releases the permit, reporting an outcome that says nothing about the resource's load (a
     * validation error, a cancelled call). An adaptive limiter leaves its limit alone.
     */
    void ignored();

    /**
     * Whether the permit is still held: {@code false} once released, and for a lease, once it has
     * expired.
     */
    boolean isValid();

    /**
     * How long the permit stays valid, in nanoseconds: {@link Long#MAX_VALUE} for a permit that
     * does not expire (every local permit while held), {@code 0} once it is no longer valid.
     */
    long remainingNanos();
}
