package dev.corral.cli.scale;

import dev.corral.cli.demo.ReportText;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the runs of {@code corral scale} as one SVG: a panel per load shape, stacked, each with
 * the offered load, the live, busy and target workers and the queue depth over time, and the
 * pool's scaling events as ticks along the top. Hand-written SVG 1.1 with presentation attributes
 * only (no CSS, no scripts, no fonts beyond {@code sans-serif}), so that browsers, GitHub and
 * {@code rsvg-convert} draw it alike.
 *
 * <h2>Scales</h2>
 * The load is drawn in workers' worth (arrivals a second times the nominal service time), so that
 * it shares the left axis with the workers: where the live line sits above the load line the pool
 * has room, where it sits below, the queue (right axis) grows. Axes run from zero to a round number
 * at or above the largest value any panel shows, the same for every panel, so panels compare at
 * a glance.
 */
public final class SvgChart {

    static final String LOAD = "#7f7f7f";
    static final String LIVE = "#1f77b4";
    static final String BUSY = "#9ecae1";
    static final String TARGET = "#2ca02c";
    static final String QUEUE = "#ff7f0e";
    static final String UP = "#2ca02c";
    static final String DOWN = "#d62728";

    private static final int WIDTH = 960;
    private static final int LEFT = 64;
    private static final int RIGHT = 76;
    private static final int HEADER = 110;
    private static final int PANEL = 236;
    private static final int PANEL_TOP = 30;     // panel title above the plot
    private static final int PANEL_BOTTOM = 40;  // x ticks and axis label below it

    private final StringBuilder svg = new StringBuilder(64 * 1024);
    private final ScaleSettings settings;

    private SvgChart(ScaleSettings settings) {
        this.settings = settings;
    }

    /**
     * The chart of {@code runs}, one panel each in order, under {@code title} and {@code subtitle}
     * (plain text, escaped here; at most two lines, split at {@code \n}).
     */
    public static String render(List<ShapeRun> runs, ScaleSettings settings, String title, String subtitle) {
        return new SvgChart(settings).draw(runs, title, subtitle);
    }

    private String draw(List<ShapeRun> runs, String title, String subtitle) {
        int height = HEADER + PANEL * runs.size() + 8;
        double service = settings.serviceSeconds();
        double workersMax = settings.maxWorkers();
        double queueMax = 1;
        double seconds = 0;
        for (ShapeRun r : runs) {
            seconds = Math.max(seconds, r.trace().seconds());
            for (Sample x : r.trace().samples()) {
                workersMax = Math.max(workersMax, Math.max(x.live(), Math.max(x.target(), x.offered() * service)));
                queueMax = Math.max(queueMax, x.queued());
            }
        }
        Axis workers = Axis.of(workersMax);
        Axis queue = Axis.of(Math.max(10, queueMax));
        Axis time = Axis.of(seconds);

        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", WIDTH, height));
        text(LEFT, 24, "start", 16, "bold", "#000000", title);
        int y = 42;
        for (String line : subtitle.split("\n")) {
            text(LEFT, y, "start", 11, "normal", "#444444", line);
            y += 15;
        }
        legend(y + 8);
        for (int i = 0; i < runs.size(); i++) {
            panel(runs.get(i), HEADER + i * PANEL, workers, queue, time);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void legend(int y) {
        String[][] items = {
            {LOAD, "6 3", "load in workers' worth (rate x " + ReportText.ms(settings.cpu().plus(settings.io())) + ")"},
            {LIVE, "", "live workers"},
            {BUSY, "", "busy workers"},
            {TARGET, "4 2", "target"},
            {QUEUE, "", "queued (right axis)"},
        };
        int x = LEFT;
        for (String[] item : items) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2.5\"%s/>%n", x, y - 4, x + 22, y - 4, item[0],
                    item[1].isEmpty() ? "" : " stroke-dasharray=\"" + item[1] + "\""));
            text(x + 27, y, "start", 11, "normal", "#222222", item[2]);
            x += 27 + textWidth(item[2]) + 16;
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                x, y - 9, x, y + 1, UP));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                x + 5, y - 9, x + 5, y + 1, DOWN));
        text(x + 11, y, "start", 11, "normal", "#222222", "scaling events");
    }

    private void panel(ShapeRun run, int top, Axis workers, Axis queue, Axis time) {
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int y0 = top + PANEL_TOP;
        int y1 = top + PANEL - PANEL_BOTTOM;
        Plot plot = new Plot(x0, x1, y0, y1, time.max);
        svg.append(String.format(Locale.ROOT, "<g id=\"panel-%s\" class=\"panel\">%n", run.shape().cliName()));
        text(x0, top + 18, "start", 13, "bold", "#000000", run.shape().cliName());
        text(x0 + 40, top + 18, "start", 11, "normal", "#444444", Scale.summaryLine(run, settings));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#bbbbbb\"/>%n",
                x0, y0, x1 - x0, y1 - y0));
        // Grid and left axis (workers).
        for (int i = 0; i * workers.step <= workers.max + 1e-9; i++) {
            double v = i * workers.step;
            double y = plot.y(v, workers.max);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>%n", x0, y, x1, y));
            text(x0 - 6, y + 4, "end", 10, "normal", "#333333", Axis.label(v));
        }
        // Right axis (queue).
        for (int i = 0; i * queue.step <= queue.max + 1e-9; i++) {
            double v = i * queue.step;
            double y = plot.y(v, queue.max);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n", x1, y, x1 + 4, y, QUEUE));
            text(x1 + 7, y + 4, "start", 10, "normal", "#8a4500", Axis.label(v));
        }
        // Time axis.
        for (int i = 0; i * time.step <= time.max + 1e-9; i++) {
            double v = i * time.step;
            double x = plot.x(v);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>%n", x, y1, x, y1 + 4));
            text(x, y1 + 16, "middle", 10, "normal", "#333333", Axis.label(v));
        }
        text((x0 + x1) / 2.0, y1 + 31, "middle", 10, "normal", "#333333", "seconds");
        vertical(x0 - 40, (y0 + y1) / 2.0, "workers", "#333333");
        vertical(x1 + 56, (y0 + y1) / 2.0, "queued tasks", "#8a4500");

        List<Sample> s = run.trace().samples();
        double service = settings.serviceSeconds();
        polyline("load", s, plot, x -> x.offered() * service, workers.max, LOAD, 1.5, "6 3", false);
        polyline("queue", s, plot, Sample::queued, queue.max, QUEUE, 1.5, "", false);
        polyline("busy", s, plot, Sample::busy, workers.max, BUSY, 1.2, "", false);
        polyline("target", s, plot, Sample::target, workers.max, TARGET, 1.5, "4 2", true);
        polyline("live", s, plot, Sample::live, workers.max, LIVE, 2.2, "", false);
        for (Simulation.Event e : run.trace().events()) {
            double x = plot.x(Math.min(e.seconds(), time.max));
            svg.append(String.format(Locale.ROOT, "<line class=\"event\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                    + " stroke=\"%s\" stroke-width=\"1.5\"><title>%s</title></line>%n",
                    x, y0, x, y0 + 7, e.to() > e.from() ? UP : DOWN,
                    escape(String.format(Locale.ROOT, "%.2fs: %d -> %d, %s", e.seconds(), e.from(), e.to(), e.reason()))));
        }
        svg.append("</g>\n");
    }

    private void polyline(String name, List<Sample> samples, Plot plot, ToDoubleFunction<Sample> value, double max,
                          String color, double width, String dash, boolean steps) {
        StringBuilder points = new StringBuilder(samples.size() * 14);
        double prevY = Double.NaN;
        for (Sample x : samples) {
            double px = plot.x(x.seconds());
            double py = plot.y(Math.min(max, value.applyAsDouble(x)), max);
            if (steps && !Double.isNaN(prevY)) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, prevY));
            }
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            prevY = py;
        }
        svg.append(String.format(Locale.ROOT, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s"
                        + " stroke-linejoin=\"round\" points=\"%s\"/>%n",
                name, color, width, dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"", points.toString().strip()));
    }

    private void text(double x, double y, String anchor, int size, String weight, String color, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s fill=\"%s\">%s</text>%n",
                x, y, anchor, size, weight.equals("normal") ? "" : " font-weight=\"" + weight + "\"", color, escape(content)));
    }

    private void vertical(double x, double y, String content, String color) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\""
                + " transform=\"rotate(-90 %.1f %.1f)\">%s</text>%n", x, y, color, x, y, escape(content)));
    }

    /** A rough width of 11px sans-serif text, for laying out the legend. */
    private static int textWidth(String s) {
        return (int) Math.ceil(s.length() * 6.3);
    }

    /** Text made safe for XML character data and attribute values. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c); // other control characters are not allowed in XML 1.0
                    }
                }
            }
        }
        return b.toString();
    }

    /** Maps data to the plot area of one panel. */
    private record Plot(int x0, int x1, int y0, int y1, double seconds) {
        double x(double t) {
            return x0 + (x1 - x0) * (seconds <= 0 ? 0 : t / seconds);
        }

        double y(double v, double max) {
            return y1 - (y1 - y0) * (max <= 0 ? 0 : v / max);
        }
    }

    /** An axis from zero to a round maximum, with ticks at 1, 2 or 5 times a power of ten. */
    record Axis(double max, double step) {
        static Axis of(double largest) {
            double v = largest > 0 ? largest : 1;
            double raw = v / 5;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double norm = raw / magnitude;
            double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
            return new Axis(Math.ceil(v / step - 1e-9) * step, step);
        }

        /** A tick label: 0, 0.5, 8, 2,000, 15k. */
        static String label(double v) {
            if (v >= 10_000 && v % 1000 == 0) {
                return String.format(Locale.ROOT, "%,.0fk", v / 1000);
            }
            if (v == Math.rint(v)) {
                return String.format(Locale.ROOT, "%,.0f", v);
            }
            return String.format(Locale.ROOT, "%s", new java.math.BigDecimal(v).round(new java.math.MathContext(3))
                    .stripTrailingZeros().toPlainString());
        }
    }
}
