package dev.corral.cli.demo;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How the measuring commands ({@code corral demo}, {@code corral limits}) write their reports: the
 * machine they ran on and numbers in one style, so that reports can be read side by side.
 */
public final class ReportText {

    private ReportText() {
    }

    /**
     * Prints the {@code machine}, {@code jvm} and {@code date} lines of a report header: what a
     * reader needs to know before comparing numbers from two runs.
     */
    public static void printMachine(PrintWriter out) {
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf("machine   %d cores%s, %s %s %s%n", cores, cpuModel().map(m -> " (" + m + ")").orElse(""),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
        out.printf(Locale.ROOT, "jvm       %s %s (%s), max heap %.1f GiB%n", System.getProperty("java.vm.name"),
                Runtime.version(), System.getProperty("java.vendor"), Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        out.printf("date      %s%n", ZonedDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    /** Milliseconds with three significant figures or so: 5.43, 18.2, 1,064. */
    public static String latency(double nanos) {
        double ms = nanos / 1e6;
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%,.0f", ms);
    }

    /** A duration in milliseconds, exactly: {@code 0.2 ms}, {@code 5 ms}. */
    public static String ms(Duration d) {
        return new BigDecimal(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + " ms";
    }

    /** A duration in seconds, to a tenth: {@code 1.0 s}. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    /** The CPU's model name from /proc/cpuinfo, where there is one. */
    static Optional<String> cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
