package dev.corral.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text scrape, read back sample line by sample line (the tests' one parser of it). */
final class PrometheusScrape {

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    final String text;

    PrometheusScrape(String text) {
        this.text = text;
    }

    /** The one sample of {@code metric} whose label set is exactly {@code labels}. */
    double value(String metric, Map<String, String> labels) {
        List<Double> found = text.lines().map(LINE::matcher).filter(Matcher::matches)
                .filter(m -> m.group(1).equals(metric))
                .filter(m -> labelsOf(m.group(3)).equals(labels))
                .map(m -> Double.parseDouble(m.group(4)))
                .toList();
        assertThat(found).as("%s%s in:%n%s", metric, labels, text).hasSize(1);
        return found.get(0);
    }

    /**
     * The one sample of {@code metric} whose labels include every one of {@code labels}, leaving out
     * histogram buckets ({@code le}) unless {@code labels} names one.
     */
    double valueMatching(String metric, Map<String, String> labels) {
        List<String> found = lines(metric, labels).stream()
                .filter(l -> labels.containsKey("le") || !l.contains("le=\""))
                .toList();
        assertThat(found).as("%s%s in:%n%s", metric, labels, text).hasSize(1);
        Matcher m = LINE.matcher(found.get(0));
        assertThat(m.matches()).isTrue();
        return Double.parseDouble(m.group(4));
    }

    /** Sample lines of {@code metric} whose labels include every one of {@code labels}. */
    List<String> lines(String metric, Map<String, String> labels) {
        List<String> found = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches() && m.group(1).equals(metric)
                    && labelsOf(m.group(3)).entrySet().containsAll(labels.entrySet())) {
                found.add(line);
            }
        }
        return found;
    }

    private static Map<String, String> labelsOf(String text) {
        Map<String, String> have = new LinkedHashMap<>();
        if (text != null) {
            Matcher l = LABEL.matcher(text);
            while (l.find()) {
                have.put(l.group(1), l.group(2));
            }
        }
        return have;
    }
}
