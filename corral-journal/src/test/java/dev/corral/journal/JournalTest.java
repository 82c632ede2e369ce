package dev.corral.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.Overflow;
import dev.corral.Pool;
import dev.corral.PoolStats;
import dev.corral.TaskEvent;
import dev.corral.TaskEvent.Kind;
import dev.corral.TaskOptions;
import dev.corral.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The JSON-lines journal: exact round trips, a writer that never blocks, replay into statistics. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static final String[] TRICKY = {
        "", "plain", "quote \" and backslash \\ and slash /", "new\nline\r\ttab", "nul \u0000 bell \u0007 esc \u001b",
        "line separators \u2028 \u2029", "emoji \uD83D\uDE00 and CJK \u4E2D\u6587", "</script><!--", "{\"json\":[1,2]}",
        "trailing backslash \\", "\uFFFF non-character", "del \u007f",
    };

    private static ByteArrayOutputStream buffer() {
        return new ByteArrayOutputStream();
    }

    @Test
    void trickyStringsSurviveTheRoundTripAndEveryRecordIsOneLine() throws Exception {
        ByteArrayOutputStream out = buffer();
        List<TaskEvent> written = new ArrayList<>();
        try (JournalWriter w = JournalWriter.to(out, 1024, Ticker.system())) {
            long id = 1;
            for (String s : TRICKY) {
                TaskEvent e = new TaskEvent(Kind.FAILED, "pool " + s, id++, s, 100 + id, 5, 7,
                        new IllegalStateException(s), s);
                written.add(e);
                w.onEvent(e);
            }
            TaskEvent noMessage = new TaskEvent(Kind.FAILED, "p", id, null, 1, -1, -1, new RuntimeException(), null);
            written.add(noMessage);
            w.onEvent(noMessage);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.split("\n", -1)).hasSize(written.size() + 2); // header, events, "" after the last '\n'
        Journal j = JournalReader.read(new StringReader(text));
        assertThat(j.events()).hasSize(written.size());
        for (int i = 0; i < written.size(); i++) {
            TaskEvent a = written.get(i);
            TaskEvent b = j.events().get(i);
            assertThat(b.kind()).isEqualTo(a.kind());
            assertThat(b.poolName()).isEqualTo(a.poolName());
            assertThat(b.taskId()).isEqualTo(a.taskId());
            assertThat(b.taskName()).isEqualTo(a.taskName());
            assertThat(b.nanoTime()).isEqualTo(a.nanoTime());
            assertThat(b.queueWaitNanos()).isEqualTo(a.queueWaitNanos());
            assertThat(b.runNanos()).isEqualTo(a.runNanos());
            assertThat(b.detail()).isEqualTo(a.detail());
            assertThat(b.error()).isInstanceOf(JournaledError.class).hasMessage(a.error().getMessage());
            assertThat(((JournaledError) b.error()).type()).isEqualTo(a.error().getClass().getName());
        }
        assertThat(j.dropped()).isZero();
        assertThat(j.wallMillis()).isPositive();
    }

    @Test
    void aPoolsRunIsJournaledAndTheCountsMatchItsStats() throws Exception {
        Path file = dir.resolve("run.jsonl");
        PoolStats stats;
        try (JournalWriter journal = JournalWriter.open(file)) {
            Pool pool = Pool.builder().name("audited").workers(2).queueCapacity(4).whenFull(Overflow.REJECT)
                    .listener(journal).onTaskFailure((t, e) -> { }).build();
            Random r = new Random(42);
            for (int i = 0; i < 300; i++) {
                String name = "job-" + (i % 3);
                try {
                    switch (r.nextInt(4)) {
                        case 0 -> pool.submit(() -> {
                            throw new IllegalArgumentException("bad input \"" + name + "\"\n");
                        }, TaskOptions.of().name(name));
                        case 1 -> pool.submit(() -> { }, TaskOptions.of().name(name).timeout(Duration.ofNanos(1)));
                        default -> pool.submit(() -> name, TaskOptions.of().name(name));
                    }
                } catch (RejectedExecutionException full) {
                    // counted as rejected, journaled as REJECTED
                }
            }
            pool.close();
            stats = pool.stats();
        }
        Journal j = JournalReader.read(file);
        assertThat(j.dropped()).isZero();
        long submitted = j.events().stream().filter(e -> e.kind() == Kind.SUBMITTED).count();
        assertThat(submitted).isEqualTo(stats.submitted());
        assertThat(count(j, Kind.SUCCEEDED)).isEqualTo(stats.succeeded());
        assertThat(count(j, Kind.FAILED)).isEqualTo(stats.failed());
        assertThat(count(j, Kind.TIMED_OUT)).isEqualTo(stats.timedOut());
        assertThat(count(j, Kind.REJECTED)).isEqualTo(stats.rejected());
        assertThat(j.events().get(j.events().size() - 1).kind()).isEqualTo(Kind.TERMINATED);
        Map<String, TaskNameStats> byName = j.statsByTaskName();
        assertThat(byName).containsOnlyKeys("job-0", "job-1", "job-2");
        long succeeded = byName.values().stream().mapToLong(s -> s.count(Kind.SUCCEEDED)).sum();
        assertThat(succeeded).isEqualTo(stats.succeeded());
        TaskNameStats job0 = byName.get("job-0");
        assertThat(job0.timed()).isEqualTo(job0.count(Kind.SUCCEEDED) + job0.count(Kind.FAILED)
                + job0.count(Kind.TIMED_OUT) - timedOutBeforeStart(j, "job-0"));
        assertThat(job0.p50()).isLessThanOrEqualTo(job0.p99());
        j.events().stream().filter(e -> e.kind() == Kind.FAILED).findFirst().ifPresent(e ->
                assertThat(e.error()).hasMessageStartingWith("bad input \"job-").hasMessageEndingWith("\"\n"));
    }

    private static long count(Journal j, Kind k) {
        return j.events().stream().filter(e -> e.kind() == k).count();
    }

    private static long timedOutBeforeStart(Journal j, String name) {
        return j.events().stream().filter(e -> e.kind() == Kind.TIMED_OUT && name.equals(e.taskName()) && e.runNanos() < 0)
                .count();
    }

    @Test
    void replayGivesCountsAndRunTimePercentilesPerName() throws Exception {
        ByteArrayOutputStream out = buffer();
        try (JournalWriter w = JournalWriter.to(out, 10_000, Ticker.system())) {
            for (int ms = 1; ms <= 100; ms++) {
                w.onEvent(new TaskEvent(Kind.SUCCEEDED, "p", ms, "fetch", ms, 0, ms * 1_000_000L, null, null));
            }
            w.onEvent(new TaskEvent(Kind.FAILED, "p", 101, "fetch", 0, 0, 500_000_000L, new TimeoutException("x"), null));
            w.onEvent(new TaskEvent(Kind.CANCELLED, "p", 102, null, 0, 10, -1, null, null));
            w.onEvent(new TaskEvent(Kind.REJECTED, "p", 103, null, 0, -1, -1, null, "full"));
            w.onEvent(new TaskEvent(Kind.SCALED, "p", TaskEvent.NO_TASK, null, 0, -1, -1, null, "1 -> 2: resize"));
        }
        Map<String, TaskNameStats> s = JournalReader.read(new StringReader(out.toString(StandardCharsets.UTF_8)))
                .statsByTaskName();
        assertThat(s).containsOnlyKeys("fetch", Journal.UNNAMED);
        TaskNameStats fetch = s.get("fetch");
        assertThat(fetch.count(Kind.SUCCEEDED)).isEqualTo(100);
        assertThat(fetch.count(Kind.FAILED)).isEqualTo(1);
        assertThat(fetch.timed()).isEqualTo(101);
        assertThat(fetch.p50().toNanos()).isCloseTo(51_000_000L, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(fetch.p95().toNanos()).isCloseTo(96_000_000L, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(fetch.p99().toNanos()).isCloseTo(100_000_000L, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(fetch.max().toNanos()).isCloseTo(500_000_000L, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(fetch.errorRate()).isCloseTo(1.0 / 101, org.assertj.core.data.Offset.offset(1e-9));
        TaskNameStats unnamed = s.get(Journal.UNNAMED);
        assertThat(unnamed.count(Kind.CANCELLED)).isEqualTo(1);
        assertThat(unnamed.count(Kind.REJECTED)).isEqualTo(1);
        assertThat(unnamed.timed()).isZero();
        assertThat(unnamed.p99()).isEqualTo(Duration.ZERO);
    }

    /** An output that blocks every write until released: a disk that cannot keep up. */
    private static final class StalledOutput extends OutputStream {
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean stall;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (stall) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            synchronized (bytes) {
                bytes.write(b, off, len);
            }
        }
    }

    @RepeatedTest(5)
    void aStalledWriterNeverBlocksTheCallerAndSaysHowManyItDropped() throws Exception {
        StalledOutput out = new StalledOutput();
        JournalWriter w = JournalWriter.to(out, 16, Ticker.system());
        out.stall = true;
        int n = 10_000;
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                w.onEvent(new TaskEvent(Kind.SUCCEEDED, "p", i + 1, "t", i, 0, 1, null, null));
            }
        });
        producer.join(WAIT.toMillis()); // would hang if onEvent waited for the stalled output
        assertThat(producer.isAlive()).isFalse();
        // The writer drained some before its first flush stalled; the rest overflowed the 16 slots.
        assertThat(w.dropped()).isGreaterThan(n / 2);
        out.release.countDown();
        w.close();
        Journal j = JournalReader.read(new StringReader(out.bytes.toString(StandardCharsets.UTF_8)));
        assertThat(j.events().size() + j.dropped()).isEqualTo(n);
        assertThat(j.dropped()).isEqualTo(w.dropped());
        w.onEvent(new TaskEvent(Kind.SUCCEEDED, "p", 1, "late", 0, 0, 1, null, null));
        assertThat(w.dropped()).isEqualTo(j.dropped() + 1); // after close: counted, not written
    }

    @RepeatedTest(5)
    void manyProducersLoseNothingThatWasAcceptedAndFlushWaitsForIt() throws Exception {
        ByteArrayOutputStream out = buffer();
        JournalWriter w = JournalWriter.to(out, 1 << 20, Ticker.system());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int base = t * 10_000;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    w.onEvent(new TaskEvent(Kind.STARTED, "p", base + i + 1, null, i, 0, -1, null, null));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        w.flush();
        String flushed = out.toString(StandardCharsets.UTF_8); // ByteArrayOutputStream is synchronized
        assertThat(flushed.lines().count()).isEqualTo(40_001); // header + every event, before close
        w.close();
        Journal j = JournalReader.read(new StringReader(out.toString(StandardCharsets.UTF_8)));
        assertThat(j.events()).hasSize(40_000);
        assertThat(j.events().stream().mapToLong(TaskEvent::taskId).distinct().count()).isEqualTo(40_000);
    }

    @Test
    void aLastLineCutShortIsSkippedButAGarbledLineInTheMiddleIsNamed() throws Exception {
        String good = "{\"journal\":\"corral\",\"version\":1,\"wallMillis\":5,\"nanoTime\":7}\n"
                + "{\"kind\":\"STARTED\",\"pool\":\"p\",\"task\":1,\"t\":9,\"wait\":2}\n";
        Journal cut = JournalReader.read(new StringReader(good + "{\"kind\":\"SUCC"));
        assertThat(cut.events()).hasSize(1);
        assertThat(cut.wallMillisOf(cut.events().get(0))).isEqualTo(5);
        assertThatThrownBy(() -> JournalReader.read(new StringReader(good + "not json\n" + good)))
                .isInstanceOf(IOException.class).hasMessageContaining("line 3");
        assertThatThrownBy(() -> JournalReader.read(new StringReader("{\"kind\":\"NOPE\",\"pool\":\"p\",\"t\":1}\n{}\n")))
                .isInstanceOf(IOException.class).hasMessageContaining("line 1").hasMessageContaining("NOPE");
        assertThatThrownBy(() -> JournalWriter.to(buffer(), 0, Ticker.system()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity must be > 0 but was 0");
    }

    @Test
    void openCreatesAFileThatCloseCompletes() throws Exception {
        Path file = dir.resolve("x.jsonl");
        try (JournalWriter w = JournalWriter.open(file)) {
            w.onEvent(new TaskEvent(Kind.SHUTDOWN, "p", TaskEvent.NO_TASK, null, 1, -1, -1, null, "shutdown"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo("{\"kind\":\"SHUTDOWN\",\"pool\":\"p\",\"t\":1,\"detail\":\"shutdown\"}");
    }
}
