package dev.corral.cli.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.corral.redis.testing.RedisServerExtension;
import dev.corral.redis.testing.RedisTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The probe's shared connection against a real server: many threads' calls written together must
 * each get their own reply, an error reply fails only its call, and a broken or missing server
 * fails the calls in flight instead of leaving a caller waiting.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScriptPipeTest {

    /** Counts every run, and answers a call with its own argument (or an error for "bad"). */
    private static final String SCRIPT = """
            redis.call('INCR', KEYS[1])
            if ARGV[1] == 'bad' then return redis.error_reply('bad argument') end
            return ARGV[1]
            """;

    @RegisterExtension
    static final RedisServerExtension server = new RedisServerExtension();

    private static String text(Object reply) {
        return new String((byte[]) reply, StandardCharsets.UTF_8);
    }

    @RepeatedTest(5)
    void everyCallerGetsItsOwnReplyWhileManyWriteTogether() throws Exception {
        String counter = "pipe:runs:" + System.nanoTime();
        int threads = 32;
        int calls = 300;
        try (ScriptPipe pipe = new ScriptPipe(server.uri(), SCRIPT, "test-pipe");
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    int wrong = 0;
                    for (int i = 0; i < calls; i++) {
                        String mine = thread + "-" + i;
                        if (!text(pipe.eval(List.of(counter), List.of(mine))).equals(mine)) wrong++;
                    }
                    return wrong;
                }));
            }
            go.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).as("replies handed to the wrong caller").isZero();
            }
        }
        assertThat(server.client().get(counter)).isEqualTo(Integer.toString(threads * calls)); // each call ran once
    }

    /**
     * The interleaving that would strand a call: the writer has taken the last call off the
     * outbox and is flushing; a caller adds its call and, finding the writer busy, only waits; the
     * writer lets go. Unless someone looks at the outbox after letting go, that call is written
     * only when another call comes, and the last call of a burst never is. Rounds of simultaneous
     * single calls, each round bounded, make "the last call of a burst" happen thousands of times.
     */
    @Test
    void theLastCallOfABurstIsAlwaysWritten() throws Exception {
        int threads = 6;
        int rounds = 2_000;
        try (ScriptPipe pipe = new ScriptPipe(server.uri(), SCRIPT, "test-pipe");
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        barrier.await(5, TimeUnit.SECONDS);
                        pipe.eval(List.of("pipe:burst"), List.of("x"));
                    }
                    return rounds;
                }));
            }
            for (Future<Integer> r : results) {
                assertThat(r.get(20, TimeUnit.SECONDS)).as("a call of a burst was never answered").isEqualTo(rounds);
            }
        }
    }

    @Test
    void anErrorReplyFailsOnlyItsOwnCall() throws Exception {
        String counter = "pipe:errors";
        try (ScriptPipe pipe = new ScriptPipe(server.uri(), SCRIPT, "test-pipe");
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String arg = i % 3 == 0 ? "bad" : "ok-" + i;
                results.add(pool.submit(() -> {
                    try {
                        return text(pipe.eval(List.of(counter), List.of(arg)));
                    } catch (JedisDataException e) {
                        return "error: " + e.getMessage();
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                String r = results.get(i).get(30, TimeUnit.SECONDS);
                if (i % 3 == 0) {
                    assertThat(r).as("call " + i).contains("error: ").contains("bad argument");
                } else {
                    assertThat(r).as("call " + i).isEqualTo("ok-" + i);
                }
            }
        }
    }

    @Test
    void callsInFlightFailWhenTheServerDiesAndTheNextConnectionWorks() throws Exception {
        try (RedisTestServer own = RedisTestServer.start();
             ScriptPipe pipe = new ScriptPipe(own.uri(), SCRIPT, "test-pipe");
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            assertThat(text(pipe.eval(List.of("c"), List.of("first")))).isEqualTo("first");
            AtomicInteger succeeded = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                loops.add(pool.submit(() -> {
                    while (true) {
                        try {
                            pipe.eval(List.of("c"), List.of("x"));
                            succeeded.incrementAndGet();
                        } catch (RuntimeException | InterruptedException e) {
                            failures.add(e);
                            return;
                        }
                    }
                }));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> succeeded.get() > 1_000);
            own.kill();
            for (Future<?> loop : loops) {
                loop.get(10, TimeUnit.SECONDS); // every caller was answered: none waits forever
            }
            assertThat(failures).hasSize(8).allMatch(e -> e instanceof JedisConnectionException, "a connection failure");

            own.restart(); // a new server: it knows no script, so the first EVALSHA is answered NOSCRIPT
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(JedisConnectionException.class)
                    .until(() -> text(pipe.eval(List.of("c"), List.of("again"))).equals("again"));
        }
    }

    @Test
    void aReplyThatNeverComesFailsTheCallAfterTheTimeoutAndTheNextCallReconnects() throws Exception {
        try (RedisTestServer own = RedisTestServer.start();
             RedisClient admin = RedisClient.create(own.uri());
             ScriptPipe pipe = new ScriptPipe(own.uri(), SCRIPT, "test-pipe")) {
            assertThat(text(pipe.eval(List.of("c"), List.of("before")))).isEqualTo("before");
            admin.sendCommand(Protocol.Command.CLIENT, "PAUSE", "4000"); // the server holds every client's commands, ours included
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pipe.eval(List.of("c"), List.of("held")))
                    .isInstanceOf(JedisConnectionException.class);
            Duration waited = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(waited).isGreaterThan(Duration.ofMillis(1_500)).isLessThan(Duration.ofMillis(3_900));
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(JedisConnectionException.class)
                    .until(() -> text(pipe.eval(List.of("c"), List.of("after"))).equals("after"));
        }
    }

    @Test
    void anInterruptedCallerGivesUpAndOthersGoOn() throws Exception {
        try (RedisTestServer own = RedisTestServer.start();
             RedisClient admin = RedisClient.create(own.uri());
             ScriptPipe pipe = new ScriptPipe(own.uri(), SCRIPT, "test-pipe")) {
            assertThat(text(pipe.eval(List.of("c"), List.of("warm")))).isEqualTo("warm");
            admin.sendCommand(Protocol.Command.CLIENT, "PAUSE", "1000");
            java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    pipe.eval(List.of("c"), List.of("interrupted"));
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> caller.getState() == Thread.State.WAITING);
            caller.interrupt();
            assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            // The paused reply still arrives and goes to nobody; the next call gets its own.
            assertThat(text(pipe.eval(List.of("c"), List.of("next")))).isEqualTo("next");
        }
    }

    @Test
    void anUnreachableServerFailsTheCallWithinTheTimeout() {
        try (ScriptPipe pipe = new ScriptPipe("redis://127.0.0.1:" + RedisTestServer.freePort(), SCRIPT, "test-pipe")) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pipe.eval(List.of("c"), List.of("x"))).isInstanceOf(JedisConnectionException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void theUrisPasswordAndUserAreUsedAndAWrongOneIsAClearFailureWithoutTheSecret() throws Exception {
        try (RedisTestServer own = RedisTestServer.builder().user("probe", "pr0be-pw").start()) {
            try (ScriptPipe pipe = new ScriptPipe(own.uri(), SCRIPT, "test-pipe")) {
                assertThat(text(pipe.eval(List.of("c"), List.of("in")))).isEqualTo("in");
            }
            String wrong = "redis://probe:wrong-pw@127.0.0.1:" + own.port();
            try (ScriptPipe pipe = new ScriptPipe(wrong, SCRIPT, "test-pipe")) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> pipe.eval(List.of("c"), List.of("x")))
                        .isInstanceOf(JedisConnectionException.class)
                        .satisfies(e -> assertThat(e.toString() + e.getCause()).doesNotContain("wrong-pw"));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aClosedPipeRefusesCallsByName() {
        ScriptPipe pipe = new ScriptPipe(server.uri(), SCRIPT, "test-pipe");
        pipe.close();
        assertThatThrownBy(() -> pipe.eval(List.of("c"), List.of("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("test-pipe is closed");
    }

    @Test
    void aClusterSeedListConnectsToItsFirstHost() throws Exception {
        String seeds = "redis://127.0.0.1:" + server.port() + ",127.0.0.1:" + RedisTestServer.freePort();
        try (ScriptPipe pipe = new ScriptPipe(seeds, SCRIPT, "test-pipe")) {
            assertThat(text(pipe.eval(List.of("c"), List.of("first")))).isEqualTo("first");
        }
    }

    @Test
    void aUriThatIsNotRedisIsRefusedNamingIt() {
        assertThatThrownBy(() -> new ScriptPipe("http://localhost:80", SCRIPT, "test-pipe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://localhost:80");
        assertThatThrownBy(() -> new ScriptPipe("redis://probe:s3cret-pw@", SCRIPT, "test-pipe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no host")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-pw"));
    }
}
