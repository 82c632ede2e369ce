package dev.corral.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A report as one self-contained HTML file: a title, the text a command printed, and charts drawn
 * by uPlot. The chart library, the page's script and the data are all inlined, so the file opens
 * anywhere, offline, and can be mailed or attached to an issue as it is.
 *
 * <pre>{@code
 * HtmlReport.builder("Corral demo")
 *         .text(printed)
 *         .chart(HtmlReport.Chart.lines("Throughput over time", "seconds", "requests/s", seconds)
 *                 .series("corral", tps))
 *         .build()
 *         .writeTo(Path.of("demo.html"));
 * }</pre>
 */
public final class HtmlReport {

    private final String html;

    private HtmlReport(String html) {
        this.html = html;
    }

    /** A builder for a report titled {@code title}. */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** The whole file. */
    public String html() {
        return html;
    }

    /** Writes the file, replacing any there, creating missing parent directories. */
    public void writeTo(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    /** Collects the parts of a report. */
    public static final class Builder {
        private final String title;
        private String text = "";
        private final List<Chart> charts = new ArrayList<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "title");
        }

        /** Preformatted text shown above the charts, as a command printed it. */
        public Builder text(String text) {
            this.text = Objects.requireNonNull(text, "text");
            return this;
        }

        /** Adds a chart, drawn in the order added. */
        public Builder chart(Chart chart) {
            Objects.requireNonNull(chart, "chart");
            if (chart.series.isEmpty()) {
                throw new IllegalArgumentException("chart '" + chart.title + "' has no series");
            }
            charts.add(chart);
            return this;
        }

        /** Renders the file. */
        public HtmlReport build() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("title", title);
            List<Object> cs = new ArrayList<>();
            for (Chart c : charts) {
                cs.add(c.toJson());
            }
            data.put("charts", cs);
            // '<' only occurs inside JSON strings, where \u003c means the same: no "</script>" can end the block.
            String json = Json.write(data).replace("<", "\\u003c");
            String page = """
                    <!doctype html>
                    <html lang="en">
                    <head>
                    <meta charset="utf-8">
                    <title>%1$s</title>
                    <style>%2$s</style>
                    <style>
                    body { margin: 1.5em; font: 14px/1.4 system-ui, "DejaVu Sans", sans-serif; color: #1a202c; }
                    pre { background: #f7fafc; border: 1px solid #e2e8f0; padding: 0.8em; overflow-x: auto; font-size: 12px; }
                    .chart { margin: 1em 0; }
                    footer { color: #718096; font-size: 0.9em; margin-top: 2em; }
                    </style>
                    </head>
                    <body>
                    <h1>%1$s</h1>
                    <pre>%3$s</pre>
                    <div id="charts"></div>
                    <footer>Charts drawn by uPlot %4$s (MIT licence, inlined in this file). Written by Corral.</footer>
                    <script>%5$s</script>
                    <script id="report-data" type="application/json">%6$s</script>
                    <script>%7$s</script>
                    </body>
                    </html>
                    """.formatted(escape(title), Assets.text("uPlot.min.css"), escape(text), Assets.uplotVersion(),
                    Assets.text("uPlot.iife.min.js"), json, Assets.text("report.js"));
            return new HtmlReport(page);
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }

    /**
     * One chart of a report: numeric x values (seconds, client counts) joined by lines, or named
     * categories (strategies, modes) shown as dots. NaN values are drawn as gaps.
     */
    public static final class Chart {
        private final String title;
        private final String xLabel;
        private final String yLabel;
        private final double[] x;
        private final List<String> categories;
        private final List<Map<String, Object>> series = new ArrayList<>();

        private Chart(String title, String xLabel, String yLabel, double[] x, List<String> categories) {
            this.title = Objects.requireNonNull(title, "title");
            this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
            this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
            this.x = x;
            this.categories = categories;
        }

        /** A chart of lines over the numbers {@code x}, which must be in ascending order. */
        public static Chart lines(String title, String xLabel, String yLabel, double[] x) {
            Objects.requireNonNull(x, "x");
            for (int i = 1; i < x.length; i++) {
                if (!(x[i] >= x[i - 1])) {
                    throw new IllegalArgumentException("x must be ascending, but x[" + i + "] = " + x[i]
                            + " follows " + x[i - 1]);
                }
            }
            return new Chart(title, xLabel, yLabel, x.clone(), null);
        }

        /** A chart of one value per category and series, drawn as dots. */
        public static Chart categories(String title, String xLabel, String yLabel, List<String> categories) {
            if (categories.isEmpty()) {
                throw new IllegalArgumentException("categories must not be empty");
            }
            return new Chart(title, xLabel, yLabel, null, List.copyOf(categories));
        }

        /** Adds a series: one value per x (or per category). */
        public Chart series(String label, double[] values) {
            Objects.requireNonNull(label, "label");
            int expected = x != null ? x.length : categories.size();
            if (values.length != expected) {
                throw new IllegalArgumentException("series '" + label + "' has " + values.length
                        + " values, the chart has " + expected + (x != null ? " x values" : " categories"));
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("label", label);
            s.put("values", Arrays.stream(values).mapToObj(v -> Double.isFinite(v) ? (Object) v : null).toList());
            series.add(s);
            return this;
        }

        Map<String, Object> toJson() {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("title", title);
            c.put("kind", x != null ? "line" : "category");
            c.put("xLabel", xLabel);
            c.put("yLabel", yLabel);
            if (x != null) {
                c.put("x", Arrays.stream(x).boxed().toList());
            } else {
                c.put("categories", categories);
            }
            c.put("series", series);
            return c;
        }
    }
}
