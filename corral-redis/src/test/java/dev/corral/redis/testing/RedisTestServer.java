package dev.corral.redis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis server on loopback, started by the test that needs it: no mocks, no Docker.
 *
 * <p>The binary is {@code redis-server} from the PATH (Debian's package, which {@code .ci/run}
 * installs), else the Linux binary shipped inside the {@code embedded-redis} test dependency,
 * extracted once per JVM. Each server gets a free port and its own data directory, so tests can run
 * side by side, restart a server on the same port and data (AOF survives), or kill it with SIGKILL.
 *
 * <pre>{@code
 * try (RedisTestServer redis = RedisTestServer.builder().appendOnly().start()) {
 *     String uri = redis.uri();          // redis://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class RedisTestServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static volatile Path extractedBinary;

    private final Builder settings;
    private final int port;
    private final Path dir;
    private Process process;

    private RedisTestServer(Builder settings, int port, Path dir) {
        this.settings = settings;
        this.port = port;
        this.dir = dir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A plain server: no persistence, no password. */
    public static RedisTestServer start() {
        return builder().start();
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:PORT}, with the password in it when one was set. */
    public String uri() {
        if (settings.password == null) return "redis://127.0.0.1:" + port;
        String user = settings.user == null ? "" : settings.user;
        return "redis://" + user + ":" + settings.password + "@127.0.0.1:" + port;
    }

    /** The server's own directory (AOF and RDB files, the log). */
    public Path directory() {
        return dir;
    }

    /** The binary that runs (useful in failure messages). */
    public static Path binary() {
        return findBinary();
    }

    /** Whether the server process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server with SIGKILL, as a crash would: nothing is flushed beyond what AOF fsync'd. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        waitFor(process);
        process = null;
    }

    /** Stops the server with SIGTERM (Redis saves per its configuration and exits). */
    public synchronized void stop() {
        if (process == null) return;
        process.destroy();
        waitFor(process);
        process = null;
    }

    /** Starts it again on the same port and directory (an AOF written before is replayed). */
    public synchronized RedisTestServer restart() {
        stop();
        launch();
        return this;
    }

    @Override
    public synchronized void close() {
        kill();
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(findBinary().toString());
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--daemonize", "no",
                "--logfile", dir.resolve("redis.log").toString()));
        if (settings.appendOnly) cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        if (settings.password != null) {
            if (settings.user == null) {
                cmd.addAll(List.of("--requirepass", settings.password));
            } else {
                // One argv element per ACL rule: redis-server quotes an element with spaces as one token.
                cmd.addAll(List.of("--user", settings.user, "on", ">" + settings.password, "~*", "&*", "+@all",
                        "--user", "default", "off"));
            }
        }
        cmd.addAll(settings.extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile());
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + cmd.get(0), e);
        }
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        awaitListening(started);
    }

    private void awaitListening(Process started) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("redis-server exited at start (status " + started.exitValue()
                        + "); log: " + readLog());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                // A TCP accept is not enough while an AOF is loading: ask for PONG or an auth error.
                s.setSoTimeout(1000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[64];
                int n = s.getInputStream().read(buf);
                String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
                if (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH") || reply.startsWith("-AUTH")) return;
            } catch (IOException notYet) {
                // not listening yet, or TLS-only: retry
                if (settings.extraArgs.contains("--tls-port") && settings.extraArgs.contains("--port")) return;
            }
            try {
                Thread.sleep(20); // polling a child process for readiness; there is nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
                + START_TIMEOUT + "; log: " + readLog());
    }

    private String readLog() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : Files.readString(dir.resolve("stdout.log"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** A free TCP port on loopback (best effort: another process may take it before Redis does). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path findBinary() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(d, "redis-server");
                if (Files.isExecutable(p)) return p;
            }
        }
        if (extractedBinary != null) return extractedBinary;
        String arch = System.getProperty("os.arch");
        String resource = switch (arch) {
            case "amd64", "x86_64" -> "/redis-server-6.2.6-v5-linux-amd64";
            case "aarch64" -> "/redis-server-6.2.7-linux-arm64";
            default -> throw new IllegalStateException("no redis-server on the PATH and no embedded binary for "
                    + arch + ": install Debian's redis-server");
        };
        try (InputStream in = RedisTestServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on the PATH and " + resource
                        + " is missing from the embedded-redis jar");
            }
            Path tmp = Files.createTempFile("corral-redis-server", "");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            tmp.toFile().deleteOnExit();
            extractedBinary = tmp;
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the embedded redis-server", e);
        }
    }

    /** What the next server looks like. */
    public static final class Builder {
        private boolean appendOnly;
        private String user;
        private String password;
        private int port;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {}

        /** AOF on, fsync always: every acknowledged write survives a kill. */
        public Builder appendOnly() {
            this.appendOnly = true;
            return this;
        }

        /** {@code requirepass}: clients must AUTH with this password. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** An ACL user (the default user is switched off). */
        public Builder user(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** A fixed port instead of a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Any further {@code redis-server} arguments, e.g. {@code "--cluster-enabled", "yes"}. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        public RedisTestServer start() {
            try {
                Path dir = Files.createTempDirectory("corral-redis-test");
                RedisTestServer server = new RedisTestServer(this, port == 0 ? freePort() : port, dir);
                server.launch();
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
