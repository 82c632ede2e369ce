package dev.corral.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.corral.Overflow;
import dev.corral.Pool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A live web page of pools: workers, queue depth, throughput, p50/p99 latency, rejections and
 * failures, charted as they happen, served on this machine's loopback address.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.builder().port(8080).pool(api).pool(batch).start()) {
 *     System.out.println("charts at " + dashboard.uri());
 *     ...
 * }
 * }</pre>
 *
 * <h2>What it serves</h2>
 * <ul>
 *   <li>{@code /}: the page. Its charts (uPlot, served from the jar: it works offline) fill from
 *       the history, then follow the server-sent events; where those cannot be had it polls.</li>
 *   <li>{@code /events}: server-sent events, one {@code sample} event per sampling round.</li>
 *   <li>{@code /api/pools}: every source and its newest point, as JSON.</li>
 *   <li>{@code /api/pools/{name}/history}: the points kept of one source, as JSON columns.</li>
 * </ul>
 * The documents are described in {@code docs/dashboard.md}; other tools may read them.
 *
 * <h2>Sampling</h2>
 * Every {@link Builder#interval interval} (default 1 s) the dashboard reads each
 * {@link DashboardSource} once, on its scheduler, and keeps the last {@link Builder#history
 * history} points of each (default 600: ten minutes). Time stamps and rates come from the injected
 * {@link Dashboard.Builder#clock(java.time.InstantSource) clock}. {@link Builder#start()} takes the first round before it returns, so the
 * page has something to show at once. Sources may be {@link #add added} and {@link #remove
 * removed} while it runs.
 *
 * <h2>Threads and bounds</h2>
 * The HTTP exchanges run on a Corral {@link Pool} of virtual threads; each open event stream
 * holds one of its workers, and at most {@link Builder#maxStreams maxStreams} streams are open at
 * once (past that a page is told 503 and polls instead). The server listens on 127.0.0.1 only:
 * the page has no authentication, so it must not be reachable from other machines; and it answers
 * only requests addressed to 127.0.0.1, localhost or [::1] by their Host header, so that a web page
 * from elsewhere cannot read it through a name of its own pointed at this machine.
 */
public final class Dashboard implements AutoCloseable {

    private static final int HTTP_BACKLOG = 64;

    private final InstantSource clock;
    private final Duration interval;
    private final int historyPoints;
    private final int maxStreams;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final HttpServer server;
    private final Pool httpPool;
    private final EventStream events;
    /** Guards changes to tracks and serialises sampling rounds. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Copy on write under lock; read freely. */
    private volatile List<Track> tracks;
    private final ScheduledFuture<?> sampling;
    /** The Host headers this server answers to: its own loopback names, with its port. */
    private final Set<String> hosts;

    private Dashboard(Builder b) throws IOException {
        this.clock = b.clock;
        this.interval = b.interval;
        this.historyPoints = b.history;
        this.maxStreams = b.maxStreams;
        List<Track> initial = new ArrayList<>();
        for (DashboardSource s : b.sources) {
            initial.add(new Track(s, historyPoints));
        }
        this.tracks = List.copyOf(initial);
        this.events = new EventStream(maxStreams);
        this.httpPool = Pool.builder().name("dashboard-http").virtualThreads()
                .workers(maxStreams + 16).queueCapacity(256).whenFull(Overflow.BLOCK).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), HTTP_BACKLOG);
        server.setExecutor(httpPool);
        server.createContext("/", this::handle);
        int port = server.getAddress().getPort();
        this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port);
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-sampler");
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
        try {
            server.start();
            sampleNow();
            long every = interval.toNanos();
            this.sampling = scheduler.scheduleAtFixedRate(this::sampleQuietly, every, every, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            server.stop(0);
            httpPool.shutdownNow();
            if (ownsScheduler) {
                scheduler.shutdownNow();
            }
            throw e;
        }
    }

    /** A builder for a dashboard on a free port, sampling every second. */
    public static Builder builder() {
        return new Builder();
    }

    /** The page's address, {@code http://127.0.0.1:port/}. */
    public URI uri() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + "/");
    }

    /** The port the server listens on (the one chosen, when the builder asked for any free one). */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Starts charting {@code source} from the next sampling round.
     *
     * @throws IllegalArgumentException if a source of the same name is already charted
     */
    public void add(DashboardSource source) {
        Objects.requireNonNull(source, "source");
        Checks.name(source.name());
        lock.lock();
        try {
            if (find(source.name()) != null) {
                throw new IllegalArgumentException("a source named '" + source.name() + "' is already on the dashboard");
            }
            List<Track> next = new ArrayList<>(tracks);
            next.add(new Track(source, historyPoints));
            tracks = List.copyOf(next);
        } finally {
            lock.unlock();
        }
    }

    /** Starts charting {@code pool}; the same as {@code add(DashboardSource.of(pool))}. */
    public void add(Pool pool) {
        add(DashboardSource.of(pool));
    }

    /**
     * Stops charting the source named {@code name} and forgets its history.
     *
     * @return whether there was one
     */
    public boolean remove(String name) {
        Objects.requireNonNull(name, "name");
        lock.lock();
        try {
            Track t = find(name);
            if (t == null) {
                return false;
            }
            List<Track> next = new ArrayList<>(tracks);
            next.remove(t);
            tracks = List.copyOf(next);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The names of the sources charted now, in the order they were added. */
    public List<String> sourceNames() {
        return tracks.stream().map(t -> t.source.name()).toList();
    }

    /** Stops sampling, ends the event streams and stops the server. */
    @Override
    public void close() {
        sampling.cancel(false);
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        events.close();
        server.stop(0);
        httpPool.shutdownNow();
    }

    /** One sampling round: reads every source, then tells the event streams. Package-private for tests. */
    void sampleNow() {
        lock.lock();
        try {
            long now = clock.millis();
            List<Track> current = tracks;
            for (Track t : current) {
                t.sample(now);
            }
            events.publish(Json.write(Json.pools(now, interval.toMillis(), current)));
        } finally {
            lock.unlock();
        }
    }

    /** A round that throws would cancel the schedule: never let one. */
    private void sampleQuietly() {
        try {
            sampleNow();
        } catch (RuntimeException e) {
            // Each source's failure is already caught and counted by its track; what is left is a
            // bug in the dashboard itself, and charts that stop moving show it.
            System.getLogger(Dashboard.class.getName()).log(System.Logger.Level.WARNING, "dashboard sampling failed", e);
        }
    }

    private Track find(String name) {
        for (Track t : tracks) {
            if (t.source.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            // A web page elsewhere could point a name of its own at 127.0.0.1 (DNS rebinding) and read
            // these documents as same-origin; its requests carry its own name in Host, so refuse them.
            String host = exchange.getRequestHeaders().getFirst("Host");
            if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
                Http.send(exchange, 403, "application/json", Json.write(Json.error(
                        "this dashboard answers only to " + hosts.stream().sorted().toList() + ", not to Host " + host)));
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                Http.send(exchange, 405, "application/json", Json.write(Json.error("only GET and HEAD are served")));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/") || path.equals("/index.html")) {
                asset(exchange, "index.html");
            } else if (path.startsWith("/assets/")) {
                asset(exchange, path.substring("/assets/".length()));
            } else if (path.equals("/events")) {
                events.serve(exchange);
            } else if (path.equals("/api/pools")) {
                json(exchange, 200, Json.pools(clock.millis(), interval.toMillis(), tracks));
            } else if (path.startsWith("/api/pools/") && path.endsWith("/history")) {
                String name = path.substring("/api/pools/".length(), path.length() - "/history".length());
                Track t = find(name);
                if (t == null) {
                    json(exchange, 404, Json.error("no source named '" + name + "'; /api/pools lists them"));
                } else {
                    json(exchange, 200, Json.history(t, interval.toMillis()));
                }
            } else {
                json(exchange, 404, Json.error("nothing at " + path + "; try /, /api/pools or /events"));
            }
        }
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        Assets.Asset a = Assets.SERVED.get(name);
        if (a == null) {
            Http.send(exchange, 404, "application/json", Json.write(Json.error("no asset named " + name)));
            return;
        }
        Http.send(exchange, 200, a.contentType(), a.bytes());
    }

    private static void json(HttpExchange exchange, int status, Object document) throws IOException {
        Http.send(exchange, status, "application/json", Json.write(document));
    }

    /**
     * Configures and starts a {@link Dashboard}. Every setting is checked when it is given, and the
     * message names it.
     */
    public static final class Builder {

        private int port;
        private Duration interval = Duration.ofSeconds(1);
        private int history = 600;
        private int maxStreams = 16;
        private InstantSource clock = InstantSource.system();
        private ScheduledExecutorService scheduler;
        private final List<DashboardSource> sources = new ArrayList<>();

        private Builder() {
        }

        /** The TCP port on 127.0.0.1; 0 (the default) takes any free one, which {@link #port()} then tells. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** How often every source is read (default 1 s); at least 10 ms. */
        public Builder interval(Duration interval) {
            Checks.positive("interval", interval);
            if (interval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("interval must be at least 10ms, was " + interval);
            }
            this.interval = interval;
            return this;
        }

        /** How many points of each source are kept and served as its history (default 600). */
        public Builder history(int points) {
            this.history = Checks.atLeast("history", 2, points);
            return this;
        }

        /** The most event streams open at once (default 16); more pages poll instead. */
        public Builder maxStreams(int streams) {
            this.maxStreams = Checks.atLeast("maxStreams", 1, streams);
            return this;
        }

        /** Where time stamps and the intervals behind rates come from (default the system clock). */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Runs the sampling rounds on {@code scheduler} instead of a thread of the dashboard's own;
         * the dashboard cancels its rounds when it closes but leaves the scheduler running.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Charts {@code source}. */
        public Builder source(DashboardSource source) {
            Objects.requireNonNull(source, "source");
            Checks.name(source.name());
            for (DashboardSource s : sources) {
                if (s.name().equals(source.name())) {
                    throw new IllegalArgumentException("a source named '" + source.name() + "' was already given");
                }
            }
            sources.add(source);
            return this;
        }

        /** Charts {@code pool}, under its name. */
        public Builder pool(Pool pool) {
            return source(DashboardSource.of(pool));
        }

        /**
         * Binds the server, takes the first sampling round and starts sampling.
         *
         * @throws IOException if the port cannot be bound (in use, or not allowed)
         */
        public Dashboard start() throws IOException {
            return new Dashboard(this);
        }
    }
}
