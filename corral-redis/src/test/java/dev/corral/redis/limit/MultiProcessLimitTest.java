package dev.corral.redis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.corral.limit.Permit;
import dev.corral.redis.testing.RedisServerExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster-wide limits hold across separate JVMs sharing one Redis. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiProcessLimitTest {

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process spawn(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), LimitProcessMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    private static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("process ended without printing " + prefix + ":\n" + seen);
    }

    private void runAll(String name, List<Process> ps) throws Exception {
        for (Process p : ps) {
            awaitLine(p, "READY");
        }
        server.client().set(name + ":go", "1");
        for (Process p : ps) {
            awaitLine(p, "DONE");
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
    }

    @Test
    void threeProcessesTogetherNeverExceedRateTimesWindowPlusBurst() throws Exception {
        String name = "rate3";
        double rate = 200;
        int burst = 10;
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ps.add(spawn("rate", server.uri(), name, Double.toString(rate), Integer.toString(burst), "1500", "3"));
        }
        runAll(name, ps);

        List<Long> due = server.client().lrange(name + ":grants", 0, -1).stream().map(Long::parseLong).sorted().toList();
        // Every window [due_i, due_j] of w µs holds j - i + 1 grants; at most rate * w + burst
        // (w widened by the 1 µs the server-side rounding can take away).
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < due.size(); i++) {
            for (int j = i; j < due.size(); j++) {
                double window = (due.get(j) - due.get(i) + 1) / 1e6;
                worst = Math.max(worst, (j - i + 1) - rate * window);
            }
        }
        assertThat(worst).as("grants beyond rate x window in the worst window").isLessThanOrEqualTo(burst);
        // The three processes were really contending: together they used most of the rate.
        assertThat(due.size()).isGreaterThan((int) (rate * 1.5 * 0.6));
    }

    @Test
    void threeProcessesTogetherNeverHoldMoreThanTheLimit() throws Exception {
        String name = "lease3";
        int limit = 4;
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ps.add(spawn("lease", server.uri(), name, Integer.toString(limit), "1500", "3"));
        }
        runAll(name, ps);

        assertThat(Integer.parseInt(server.client().get(name + ":max"))).isBetween(1, limit);
        assertThat(server.client().get(name + ":inuse")).isEqualTo("0");
        List<Long> taken = server.client().lrange(name + ":taken", 0, -1).stream().map(Long::parseLong).toList();
        assertThat(taken).hasSize(3).allSatisfy(n -> assertThat(n).isPositive());
        assertThat(server.client().zcard(RedisConcurrencyLimiter.key(name))).as("every lease released").isZero();
    }

    @Test
    void aKilledHoldersLeaseReturnsAfterItsExpiry() throws Exception {
        String name = "killed";
        Process holder = spawn("hold", server.uri(), name, "1000");
        assertThat(awaitLine(holder, "HELD")).isEqualTo("HELD true");
        try (RedisConcurrencyLimiter limiter = RedisConcurrencyLimiter.builder(server.client(), name).limit(1)
                .leaseTime(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).build()) {
            // Renewed by the holder's renewer: still taken well past one lease time.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
            while (System.nanoTime() < until) {
                assertThat(limiter.tryAcquire(Duration.ofMillis(200))).as("the holder's lease").isEmpty();
            }
            holder.destroyForcibly();   // SIGKILL: no release, no more renewals
            assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            Optional<Permit> p = limiter.tryAcquire(Duration.ofSeconds(20));
            long waited = System.nanoTime() - t0;
            assertThat(p).as("the slot returns once the lease expires").isPresent();
            assertThat(waited).isLessThan(TimeUnit.SECONDS.toNanos(8));
            p.get().close();
        }
    }
}
