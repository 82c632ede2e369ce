package dev.corral.journal;

import dev.corral.TaskEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a journal written by {@link JournalWriter} back into {@link TaskEvent}s. Errors come back
 * as {@link JournaledError}s (class name and message). Blank lines are skipped; a line that is not
 * a journal record fails the read with its line number, except a last line cut short (a process
 * that died mid-write), which is skipped: the journal up to it stands.
 */
public final class JournalReader {

    private JournalReader() {
    }

    /**
     * Reads a journal file.
     *
     * @throws IOException if the file cannot be read, or a line (other than a cut-short last one)
     *         is not a journal record; the message names the line
     */
    public static Journal read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r);
        }
    }

    /** Reads a journal from {@code in} (not closed). */
    public static Journal read(Reader in) throws IOException {
        Objects.requireNonNull(in, "in");
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        List<TaskEvent> events = new ArrayList<>();
        long dropped = 0;
        long wallMillis = 0;
        long nanoTime = 0;
        int number = 0;
        String line = r.readLine();
        while (line != null) {
            number++;
            String next = r.readLine();
            if (!line.isBlank()) {
                JournalFormat.Line parsed;
                try {
                    parsed = JournalFormat.parse(line);
                } catch (IOException e) {
                    if (next == null && !line.endsWith("}")) {
                        break; // the last line, cut short by a crash: the rest of the journal stands
                    }
                    throw new IOException("journal line " + number + " is not a record (" + e.getMessage() + "): "
                            + abbreviate(line), e);
                }
                if (parsed.header()) {
                    wallMillis = parsed.wallMillis();
                    nanoTime = parsed.nanoTime();
                } else if (parsed.event() != null) {
                    events.add(parsed.event());
                } else {
                    dropped += parsed.dropped();
                }
            }
            line = next;
        }
        return new Journal(events, dropped, wallMillis, nanoTime);
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
