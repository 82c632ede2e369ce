package dev.corral;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Property-based testing with plain JUnit 5: {@link #forAll} runs a check many times, each try with
 * its own seeded random source, and the generators below build the inputs by hand.
 *
 * <p>Try {@code i} (from 0) of a property runs with seed {@code baseSeed + i}, so every run checks
 * the same cases and a failure names the seed that reproduces it. To rerun one case, pass that
 * seed as the system property {@value #SEED_PROPERTY} (for example
 * {@code ./build -o -pl corral-core test -Dtest='TokenBucketPropertyTest#agreesWithATextbookTokenBucket'
 * -Dcorral.seed=123}): the property then runs that single try. To search further than the
 * build does, raise the number of tries with {@value #TRIES_PROPERTY} (it never lowers a
 * property's own count).
 *
 * <p>The generators lean towards edge cases as a property-testing library would: the bounds of a
 * range (and zero or one inside it), small values, the shortest and longest lists.
 */
public final class Properties {

    /** System property: run only the try with this seed (decimal, or hex with a {@code 0x} prefix). */
    public static final String SEED_PROPERTY = "corral.seed";
    /** System property: run at least this many tries per property. */
    public static final String TRIES_PROPERTY = "corral.tries";

    /** One try of a property, given its random source. */
    @FunctionalInterface
    public interface Check {
        void run(RandomGenerator random) throws Exception;
    }

    private static final long[] LONG_EDGES =
            {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE - 1, Long.MAX_VALUE};

    private Properties() {
    }

    /**
     * Runs {@code check} {@code tries} times (or once, with the seed from {@value #SEED_PROPERTY},
     * where that is set), with seeds {@code baseSeed, baseSeed + 1, ...}.
     *
     * @throws AssertionError on the first failing try, naming the try and its seed, with the
     *     failure as its cause
     */
    public static void forAll(int tries, long baseSeed, Check check) {
        forAll(tries, baseSeed, null, check);
    }

    /**
     * As {@link #forAll(int, long, Check)}, with each try run on a thread of its own that fails
     * the property if it takes longer than {@code perTry} (the try's thread is interrupted and
     * left behind as a daemon, so even a loop that never checks for interruption cannot hang the
     * build).
     */
    public static void forAll(int tries, long baseSeed, Duration perTry, Check check) {
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be >= 1 but was " + tries);
        }
        String fixed = System.getProperty(SEED_PROPERTY, "").strip();
        if (!fixed.isEmpty()) {
            runTry(check, perTry, Long.decode(fixed), "the try with seed " + fixed + " (from -D" + SEED_PROPERTY + ")");
            return;
        }
        int total = Math.max(tries, Integer.getInteger(TRIES_PROPERTY, tries));
        for (int i = 0; i < total; i++) {
            long seed = baseSeed + i;
            runTry(check, perTry, seed, "try " + (i + 1) + " of " + total + " (seed " + seed + ")");
        }
    }

    private static void runTry(Check check, Duration perTry, long seed, String which) {
        try {
            if (perTry == null) {
                check.run(new SplittableRandom(seed));
            } else {
                runWithTimeout(check, perTry, seed);
            }
        } catch (Throwable failure) {
            if (failure instanceof VirtualMachineError vme && !(failure instanceof StackOverflowError)) {
                throw vme;
            }
            throw new AssertionError("Property failed on " + which + "; reproduce it with -D" + SEED_PROPERTY
                    + "=" + seed + " (and -Dtest=<class>#<method>): " + failure, failure);
        }
    }

    private static void runWithTimeout(Check check, Duration perTry, long seed) throws Throwable {
        FutureTask<Void> task = new FutureTask<>(() -> {
            check.run(new SplittableRandom(seed));
            return null;
        });
        Thread thread = Thread.ofPlatform().daemon().name("property-try-" + seed).start(task);
        try {
            task.get(perTry.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError("try took over " + perTry);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    // ---------------------------------------------------------------- generators

    /** An index into {@code weights}, each chosen with probability proportional to its weight. */
    public static int weighted(RandomGenerator r, int... weights) {
        int sum = 0;
        for (int w : weights) {
            sum += w;
        }
        int pick = r.nextInt(sum);
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return i;
            }
        }
        throw new AssertionError("unreachable");
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    public static <T> T oneOf(RandomGenerator r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** A constant of {@code type}; the first and last constants are drawn twice as often. */
    public static <E extends Enum<E>> E enumValue(RandomGenerator r, Class<E> type) {
        E[] all = type.getEnumConstants();
        if (r.nextInt(10) == 0) {
            return r.nextBoolean() ? all[0] : all[all.length - 1];
        }
        return all[r.nextInt(all.length)];
    }

    /** An int in {@code [min, max]}: see {@link #longIn}. */
    public static int intIn(RandomGenerator r, int min, int max) {
        return Math.toIntExact(longIn(r, min, max));
    }

    /**
     * A long in {@code [min, max]}: 10% an edge case (a bound, a bound's neighbour, or -1, 0 or 1
     * when inside), 20% close to the bound nearest zero (log-uniform distance, so small values
     * show up often), else uniform.
     */
    public static long longIn(RandomGenerator r, long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException(min + " > " + max);
        }
        int mode = r.nextInt(10);
        if (mode == 0) {
            List<Long> edges = new ArrayList<>(List.of(min, max));
            if (min < max) {
                edges.add(min + 1);
                edges.add(max - 1);
            }
            for (long v = -1; v <= 1; v++) {
                if (v >= min && v <= max) {
                    edges.add(v);
                }
            }
            return edges.get(r.nextInt(edges.size()));
        }
        if (mode <= 2) {
            double span = (double) max - (double) min;
            long offset = Math.min((long) Math.floor(Math.expm1(r.nextDouble() * Math.log1p(span))), (long) span);
            offset = Math.max(0, offset);
            // Towards zero: from min upwards when min >= 0, from max downwards when max <= 0,
            // around zero otherwise.
            if (min >= 0) {
                return min + offset;
            }
            if (max <= 0) {
                return max - offset;
            }
            long v = r.nextBoolean() ? offset : -offset;
            return Math.max(min, Math.min(max, v));
        }
        return max == Long.MAX_VALUE ? (min == Long.MIN_VALUE ? r.nextLong() : r.nextLong(min - 1, max) + 1)
                : r.nextLong(min, max + 1);
    }

    /**
     * Any long, for clock readings: 10% an edge case (the extremes, their neighbours, -1, 0, 1),
     * 15% within {@code 2e12} ns (over half an hour) below {@code Long.MAX_VALUE}, so that time
     * measured from it wraps around during a run, 5% just above {@code Long.MIN_VALUE}, 10% small
     * either side of zero, else uniform over all longs.
     */
    public static long anyLong(RandomGenerator r) {
        int mode = r.nextInt(20);
        if (mode < 2) {
            return LONG_EDGES[r.nextInt(LONG_EDGES.length)];
        }
        if (mode < 5) {
            return Long.MAX_VALUE - longIn(r, 0, 2_000_000_000_000L);
        }
        if (mode < 6) {
            return Long.MIN_VALUE + longIn(r, 0, 2_000_000_000_000L);
        }
        if (mode < 8) {
            return longIn(r, -1_000_000_000L, 1_000_000_000L);
        }
        return r.nextLong();
    }

    /**
     * A double in {@code [min, max]}: 10% a bound, otherwise uniform (20% of those log-uniform
     * from the lower bound instead, so small values show up at wide ranges), and of those two in
     * three rounded to two decimals (as a property library's default scale would, so that
     * thresholds and ratios of small counts coincide) and one in three at full precision.
     */
    public static double doubleIn(RandomGenerator r, double min, double max) {
        if (r.nextInt(10) == 0) {
            return r.nextBoolean() ? min : max;
        }
        double v;
        if (r.nextInt(5) == 0 && max - min > 1) {
            v = min + Math.expm1(r.nextDouble() * Math.log1p(max - min));
        } else {
            v = min + r.nextDouble() * (max - min);
        }
        if (r.nextInt(3) != 0) {
            v = new BigDecimal(v).setScale(2, RoundingMode.HALF_UP).doubleValue();
        }
        return Math.max(min, Math.min(max, v));
    }

    /**
     * A list of {@code [minSize, maxSize]} elements from {@code element}: 5% each the shortest,
     * the shortest but one and the longest, 25% short (at most ten over the shortest), else
     * uniform.
     */
    public static <T> List<T> listOf(RandomGenerator r, int minSize, int maxSize, Function<RandomGenerator, T> element) {
        int size = switch (weighted(r, 1, 1, 1, 5, 12)) {
            case 0 -> minSize;
            case 1 -> Math.min(maxSize, minSize + 1);
            case 2 -> maxSize;
            case 3 -> r.nextInt(minSize, Math.min(maxSize, minSize + 10) + 1);
            default -> r.nextInt(minSize, maxSize + 1);
        };
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.apply(r));
        }
        return list;
    }
}
