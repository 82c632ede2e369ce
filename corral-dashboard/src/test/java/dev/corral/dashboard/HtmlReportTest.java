package dev.corral.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    @Test
    void theFileCarriesTheLibraryTheScriptAndTheDataAndLoadsNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/report.html");
        HtmlReport.builder("Corral <demo>")
                .text("mode  TPS\ncorral 7,047 </pre>")
                .chart(HtmlReport.Chart.lines("Throughput", "s", "req/s", new double[] {0, 1, 2})
                        .series("corral", new double[] {1, Double.NaN, 3}))
                .chart(HtmlReport.Chart.categories("p99", "strategy", "ms", List.of("a</script>", "b"))
                        .series("p99", new double[] {1, 2}))
                .build().writeTo(file);
        String html = Files.readString(file);
        assertThat(html).contains("<title>Corral &lt;demo&gt;</title>", "corral 7,047 &lt;/pre&gt;");
        assertThat(html).contains("var uPlot=function", "report-data", "document.getElementById('report-data')");
        assertThat(html).doesNotContain("src=", "href=", "a</script>");
        assertThat(html).contains("a\\u003c/script>");
        assertThat(html).contains("[1.0,null,3.0]");
    }

    @Test
    void chartsRefuseMismatchedData() {
        assertThatThrownBy(() -> HtmlReport.Chart.lines("t", "x", "y", new double[] {1, 0}))
                .hasMessage("x must be ascending, but x[1] = 0.0 follows 1.0");
        assertThatThrownBy(() -> HtmlReport.Chart.lines("t", "x", "y", new double[] {0, 1}).series("s", new double[] {1}))
                .hasMessage("series 's' has 1 values, the chart has 2 x values");
        assertThatThrownBy(() -> HtmlReport.builder("r").chart(HtmlReport.Chart.lines("t", "x", "y", new double[0])))
                .hasMessage("chart 't' has no series");
    }
}
