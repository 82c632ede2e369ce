/**
 * Corral's core: bounded worker pools on platform or virtual threads, task handles, groups,
 * scaling policies, local limiters and statistics. Depends on the JDK only.
 *
 * <p>{@code dev.corral} holds the pool and its tasks, {@code dev.corral.limit} the limiters; the
 * {@code dev.corral.internal} package is not exported: nothing outside this module can use it, on
 * the module path, so it may change in any release.
 */
module dev.corral.core {
    exports dev.corral;
    exports dev.corral.limit;
}
