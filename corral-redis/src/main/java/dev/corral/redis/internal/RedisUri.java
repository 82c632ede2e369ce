package dev.corral.redis.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.HostAndPort;

/**
 * A parsed Redis address: {@code redis://[user[:password]@]host[:port][,host[:port]...][/db]} or
 * {@code rediss://...} for TLS. Several hosts mean a Redis Cluster (the hosts are seeds).
 *
 * <p>Not API. The password never leaves this class except towards the client library:
 * {@link #toString()} and {@link #redacted()} print {@code ***} in its place, so a URI can be put
 * in any message or log line.
 */
public final class RedisUri {

    private final boolean tls;
    private final String user;
    private final String password;
    private final List<HostAndPort> hosts;
    private final int database;

    private RedisUri(boolean tls, String user, String password, List<HostAndPort> hosts, int database) {
        this.tls = tls;
        this.user = user;
        this.password = password;
        this.hosts = List.copyOf(hosts);
        this.database = database;
    }

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException naming the (redacted) uri and what is wrong with it
     */
    public static RedisUri parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        String rest;
        boolean tls;
        if (uri.startsWith("redis://")) {
            tls = false;
            rest = uri.substring("redis://".length());
        } else if (uri.startsWith("rediss://")) {
            tls = true;
            rest = uri.substring("rediss://".length());
        } else {
            throw new IllegalArgumentException("uri must start with redis:// or rediss:// but was '"
                    + redactRaw(uri) + "'");
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon < 0) {
                // redis://secret@host is how many tools spell a password with no user.
                password = decode(info);
            } else {
                String u = decode(info.substring(0, colon));
                user = u.isEmpty() ? null : u;
                password = decode(info.substring(colon + 1));
            }
        }
        int query = rest.indexOf('?');
        if (query >= 0) rest = rest.substring(0, query);
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("uri's database must be a number but was '" + db + "' in '"
                            + redactRaw(uri) + "'");
                }
            }
        }
        List<HostAndPort> hosts = new ArrayList<>();
        for (String h : rest.split(",")) {
            if (h.isBlank()) {
                throw new IllegalArgumentException("uri names no host in '" + redactRaw(uri) + "'");
            }
            hosts.add(hostAndPort(h.trim(), uri));
        }
        if (database != 0 && hosts.size() > 1) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0 but uri '" + redactRaw(uri)
                    + "' names database " + database);
        }
        return new RedisUri(tls, user, password, hosts, database);
    }

    private static HostAndPort hostAndPort(String h, String uri) {
        String host = h;
        int port = 6379;
        int colon = h.lastIndexOf(':');
        if (h.startsWith("[")) { // [::1]:6379
            int close = h.indexOf(']');
            host = h.substring(1, close);
            colon = h.indexOf(':', close);
        }
        if (colon >= 0) {
            if (!h.startsWith("[")) host = h.substring(0, colon);
            try {
                port = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("uri's port must be a number but was '" + h.substring(colon + 1)
                        + "' in '" + redactRaw(uri) + "'");
            }
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("uri names a bad host or port '" + h + "' in '" + redactRaw(uri) + "'");
        }
        return new HostAndPort(host, port);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Best-effort redaction of a string that may not even parse: everything between :// and @. */
    public static String redactRaw(String uri) {
        if (uri == null) return "null";
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) return uri;
        String info = uri.substring(scheme + 3, at);
        int colon = info.indexOf(':');
        String shown = colon < 0 ? "***" : info.substring(0, colon) + ":***";
        return uri.substring(0, scheme + 3) + shown + uri.substring(at);
    }

    /** Whether the scheme is {@code rediss://}. */
    public boolean tls() {
        return tls;
    }

    /** The ACL user, or null for the default user. */
    public String user() {
        return user;
    }

    /** The password, or null. Only for handing to the client library. */
    public String password() {
        return password;
    }

    /** The hosts, in the order given (cluster seeds when several). */
    public List<HostAndPort> hosts() {
        return hosts;
    }

    /** The database number (0 unless the path names one). */
    public int database() {
        return database;
    }

    /** Whether this names several hosts, i.e. a Redis Cluster. */
    public boolean isCluster() {
        return hosts.size() > 1;
    }

    /** The URI with the password replaced by {@code ***}: safe for messages and logs. */
    public String redacted() {
        StringBuilder b = new StringBuilder(tls ? "rediss://" : "redis://");
        if (user != null || password != null) {
            if (user != null) b.append(user);
            if (password != null) b.append(user != null ? ":***" : "***");
            b.append('@');
        }
        for (int i = 0; i < hosts.size(); i++) {
            if (i > 0) b.append(',');
            b.append(hosts.get(i).getHost()).append(':').append(hosts.get(i).getPort());
        }
        if (database != 0) b.append('/').append(database);
        return b.toString();
    }

    @Override
    public String toString() {
        return redacted();
    }
}
