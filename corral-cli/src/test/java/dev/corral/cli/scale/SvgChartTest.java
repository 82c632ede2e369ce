package dev.corral.cli.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgChartTest {

    static final ScaleSettings SETTINGS = new ScaleSettings(Duration.ofSeconds(10), 2, 32, 2, 20,
            Duration.ofNanos(50_000), Duration.ofMillis(2), 10_000, 0.8, Duration.ofMillis(250), 0.4,
            Duration.ofMillis(500), 4, 2, Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofMillis(100),
            Duration.ofMillis(50), Duration.ofSeconds(13));

    @Test
    void theChartIsWellFormedSvgWithOnePanelPerShapeEachWithItsLinesAndEvents() throws Exception {
        List<ShapeRun> runs = new ArrayList<>();
        for (LoadShape shape : LoadShape.values()) {
            runs.add(ShapeRun.of(shape, SETTINGS, syntheticTrace(shape)));
        }

        String svg = SvgChart.render(runs, SETTINGS, "Title <with> & \"quotes\"", "line one\nline two");

        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("svg");
        assertThat(root.getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
        List<Element> panels = byClass(root.getElementsByTagName("g"), "panel");
        assertThat(panels).extracting(p -> p.getAttribute("id")).containsExactly("panel-step", "panel-ramp", "panel-sine");
        for (Element panel : panels) {
            List<Element> lines = elements(panel.getElementsByTagName("polyline"));
            assertThat(lines).extracting(l -> l.getAttribute("class"))
                    .containsExactlyInAnyOrder("load", "queue", "busy", "target", "live");
            for (Element line : lines) {
                String[] points = line.getAttribute("points").split(" ");
                assertThat(points.length).as("points of %s", line.getAttribute("class")).isGreaterThanOrEqualTo(100);
                assertThat(points).allMatch(pt -> pt.matches("-?\\d+\\.\\d,-?\\d+\\.\\d"));
            }
            List<Element> events = byClass(panel.getElementsByTagName("line"), "event");
            assertThat(events).hasSize(2);
            assertThat(events.get(0).getTextContent()).contains("0 -> 4", "busy >= 0.80 & rising");
            assertThat(elements(panel.getElementsByTagName("text"))).extracting(Element::getTextContent)
                    .contains("seconds", "workers", "queued tasks");
        }
        assertThat(elements(root.getElementsByTagName("text"))).extracting(Element::getTextContent)
                .contains("Title <with> & \"quotes\"", "line one", "line two");
    }

    @Test
    void axesEndAtARoundNumberAtOrAboveTheLargestValue() {
        assertThat(SvgChart.Axis.of(32)).isEqualTo(new SvgChart.Axis(40, 10));
        assertThat(SvgChart.Axis.of(3_501)).isEqualTo(new SvgChart.Axis(4_000, 1_000));
        assertThat(SvgChart.Axis.of(20)).isEqualTo(new SvgChart.Axis(20, 5));
        assertThat(SvgChart.Axis.of(0)).isEqualTo(new SvgChart.Axis(1, 0.2));
        assertThat(SvgChart.Axis.label(12_000)).isEqualTo("12k");
        assertThat(SvgChart.Axis.label(0.6000000000000001)).isEqualTo("0.6");
        assertThat(SvgChart.escape("a<b & c>\"d'\u0001")).isEqualTo("a&lt;b &amp; c&gt;&quot;d&apos;");
    }

    /** 10 s of samples every 50 ms following the shape, with a queue and two scaling events. */
    static Simulation.Trace syntheticTrace(LoadShape shape) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i <= 200; i++) {
            double t = i * 0.05;
            double rate = SETTINGS.rateAt(shape.levelAt(t / 10));
            int busy = (int) Math.round(rate * SETTINGS.serviceSeconds());
            int live = Math.max(2, (int) Math.ceil(busy / 0.8));
            samples.add(new Sample(t, rate, rate, Math.max(0, 500 - Math.abs(i - 100) * 10), live, busy, live));
        }
        List<Simulation.Event> events = List.of(new Simulation.Event(3.4, 0, 4, "busy >= 0.80 & rising"),
                new Simulation.Event(7.2, 20, 18, "idle < 0.40"));
        Histogram h = new Histogram(3);
        h.recordValue(1_000_000);
        return new Simulation.Trace(10, samples, events, h, h, 1000, 0, 1000, 1000, 1000, 0, true);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> byClass(NodeList nodes, String cls) {
        return elements(nodes).stream().filter(e -> e.getAttribute("class").equals(cls)).toList();
    }

    private static List<Element> elements(NodeList nodes) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }
}
