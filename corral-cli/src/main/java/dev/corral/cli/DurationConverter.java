package dev.corral.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration the way people write one on a command line: a number and a unit, as in
 * {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1.5s} or {@code 1m30s} (Go's
 * {@code time.ParseDuration} syntax), or an ISO-8601 duration such as {@code PT1S}.
 *
 * <p>Units: {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h},
 * {@code d}, in lower case ({@code M} could be a month). A bare {@code 0} means zero. Precision is
 * one nanosecond; finer fractions are refused rather than silently rounded.
 *
 * <p>One rule for every command: a duration is a length of time, so negative ones are always
 * refused; an option whose zero means nothing (a run's {@code --duration}, an interval) uses
 * {@link Positive}, which refuses zero and negative values alike with the same message. This
 * converter is also registered for every {@code Duration} option that names none (see
 * {@code CorralCommand.commandLine()}), so a new command gets the rule without asking.
 */
public class DurationConverter implements ITypeConverter<Duration> {

    private static final String EXPECTED =
            "expected a number with a unit (500ms, 30s, 2m, 1h, 1m30s; units ns, us, ms, s, m, h, d)"
                    + " or an ISO-8601 duration (PT1S)";

    /** One segment: a decimal number and its unit, e.g. {@code 1.5s}. */
    private static final Pattern SEGMENT = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        Duration d = parse(value);
        if (d.isNegative()) {
            throw new TypeConversionException("must be zero or more, got '" + value + "'");
        }
        return d;
    }

    /** For options whose zero means nothing: refuses zero and negative durations alike. */
    public static final class Positive extends DurationConverter {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("must be more than zero, got '" + value + "'");
            }
            return d;
        }
    }

    /** Parses {@code value}; the message of a failure names the value and the accepted forms. */
    public static Duration parse(String value) {
        if (value == null || value.isBlank()) {
            throw new TypeConversionException("'" + value + "' is not a duration: " + EXPECTED);
        }
        String s = value.strip();
        char first = Character.toUpperCase(s.charAt(0));
        if (first == 'P' || (first == '-' || first == '+') && s.length() > 1 && Character.toUpperCase(s.charAt(1)) == 'P') {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a duration: " + EXPECTED);
            }
        }
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SEGMENT.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new TypeConversionException("'" + value + "' is not a duration: " + EXPECTED);
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
            at = m.end();
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new TypeConversionException("'" + value + "' is finer than a nanosecond");
        }
        try {
            BigDecimal[] secondsAndNanos = nanos.divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
            Duration d = Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
            return negative ? d.negated() : d;
        } catch (ArithmeticException e) {
            throw new TypeConversionException("'" + value + "' is too long a duration");
        }
    }

    /**
     * Writes {@code d} the way this converter reads it, in the largest unit that keeps it short:
     * {@code 1.2s}, {@code 500ms}, {@code 250us}, {@code 0}; for messages that suggest a value.
     */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0";
        }
        String sign = nanos < 0 ? "-" : "";
        BigDecimal n = BigDecimal.valueOf(Math.abs(nanos));
        long abs = Math.abs(nanos);
        if (abs >= 1_000_000_000L) {
            return sign + n.movePointLeft(9).stripTrailingZeros().toPlainString() + "s";
        } else if (abs >= 1_000_000L) {
            return sign + n.movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
        } else if (abs >= 1_000L) {
            return sign + n.movePointLeft(3).stripTrailingZeros().toPlainString() + "us";
        }
        return sign + abs + "ns";
    }

    private static long nanosPer(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw new IllegalArgumentException(unit); // the pattern admits no other
        };
    }
}
