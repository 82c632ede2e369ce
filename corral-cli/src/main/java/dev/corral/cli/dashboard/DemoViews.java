package dev.corral.cli.dashboard;

import dev.corral.cli.demo.CellWatcher;
import dev.corral.cli.demo.Demo;
import dev.corral.cli.demo.DemoSettings;
import dev.corral.cli.demo.ReportText;
import dev.corral.dashboard.Dashboard;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code corral demo} with its two optional views: the live dashboard ({@code --dashboard}), on
 * which each cell appears as it starts, and the HTML report ({@code --report}), written when the
 * demo ends.
 */
public final class DemoViews {

    private DemoViews() {
    }

    /**
     * Runs the demo.
     *
     * @param dashboardPort the dashboard's port (0: any free one), or null for no dashboard
     * @param linger        how long the dashboard stays up after the demo ends
     * @param report        where the HTML report goes, or null for none
     * @return what {@link Demo#run} returned
     * @throws IOException if the dashboard's port cannot be bound or the report cannot be written
     */
    public static boolean run(DemoSettings settings, PrintWriter out, PrintWriter err, Integer dashboardPort,
                              Duration linger, Path report) throws IOException, InterruptedException {
        ReportCapture capture = report == null ? null : new ReportCapture(out);
        Reports.DemoTimeline timeline = new Reports.DemoTimeline();
        CellWatcher watcher = report == null ? CellWatcher.NONE : timeline;
        Dashboard dashboard = null;
        try {
            if (dashboardPort != null) {
                dashboard = Dashboard.builder().port(dashboardPort).start();
                watcher = watcher.andThen(new DemoCells(dashboard));
                out.printf("dashboard %s  (open it to watch each cell as it runs; it stays up %s after the demo)%n",
                        dashboard.uri(), ReportText.seconds(linger));
                out.flush();
            }
            boolean clean = Demo.run(settings, capture == null ? out : capture.out(), err, watcher);
            if (report != null) {
                Reports.demo(capture.text(), timeline).writeTo(report);
                out.printf("report    %s%n", report.toAbsolutePath());
            }
            if (dashboard != null && !linger.isZero()) {
                out.printf("The demo is over; the dashboard at %s stays up for %s (Ctrl-C to stop now).%n",
                        dashboard.uri(), ReportText.seconds(linger));
                out.flush();
                Thread.sleep(linger); // nothing to wait for: the page is there to be looked at
            }
            return clean;
        } finally {
            if (dashboard != null) {
                dashboard.close();
            }
        }
    }

    /** A port no dashboard could listen on, described; null when it is fine. */
    public static String checkPort(int port) {
        return port < 0 || port > 65_535 ? "--port must be in 0..65535 (0: any free port), got " + port : null;
    }

}
