package dev.corral.redis;

import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The heartbeat text a worker stores under its id: {@code name=value} lines (host names hold no
 * newline). The heartbeat script prepends {@code seen=<server ms>}. Unknown names are ignored, so
 * older and newer workers can share a queue.
 */
final class Heartbeats {

    private Heartbeats() {}

    static String encode(String host, long pid, int inFlight, long processed, long failed, double rate, long startedMillis) {
        return "host=" + host.replace('\n', ' ') + "\npid=" + pid + "\ninflight=" + inFlight + "\nprocessed=" + processed
                + "\nfailed=" + failed + "\nrate=" + String.format(Locale.ROOT, "%.1f", rate) + "\nstarted=" + startedMillis;
    }

    /** The worker described by {@code text}, or null if it is unreadable. */
    static WorkerInfo decode(String id, String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        try {
            return new WorkerInfo(id, m.getOrDefault("host", "?"), Long.parseLong(m.getOrDefault("pid", "0")),
                    Integer.parseInt(m.getOrDefault("inflight", "0")), Long.parseLong(m.getOrDefault("processed", "0")),
                    Long.parseLong(m.getOrDefault("failed", "0")), Double.parseDouble(m.getOrDefault("rate", "0")),
                    Instant.ofEpochMilli(Long.parseLong(m.getOrDefault("started", "0"))),
                    Instant.ofEpochMilli(Long.parseLong(m.getOrDefault("seen", "0"))));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
