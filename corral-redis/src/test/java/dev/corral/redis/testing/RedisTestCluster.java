package dev.corral.redis.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * A Redis Cluster of three masters on loopback, made of {@link RedisTestServer}s started with
 * {@code --cluster-enabled yes}: slots assigned with {@code CLUSTER ADDSLOTSRANGE}, nodes joined
 * with {@code CLUSTER MEET}, ready once every node reports {@code cluster_state:ok}.
 */
public final class RedisTestCluster implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private final List<RedisTestServer> nodes = new ArrayList<>();

    private RedisTestCluster() {}

    /** Starts three masters and waits until the cluster is ok. */
    public static RedisTestCluster start() {
        RedisTestCluster c = new RedisTestCluster();
        try {
            for (int i = 0; i < 3; i++) {
                c.nodes.add(RedisTestServer.builder()
                        .args("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                "--cluster-node-timeout", "5000")
                        .start());
            }
            int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
            for (int i = 0; i < 3; i++) {
                try (Jedis j = new Jedis(c.nodes.get(i).host(), c.nodes.get(i).port())) {
                    j.sendCommand(redis.clients.jedis.Protocol.Command.CLUSTER, "ADDSLOTSRANGE",
                            Integer.toString(ranges[i][0]), Integer.toString(ranges[i][1]));
                }
            }
            try (Jedis j = new Jedis(c.nodes.get(0).host(), c.nodes.get(0).port())) {
                for (int i = 1; i < 3; i++) j.clusterMeet("127.0.0.1", c.nodes.get(i).port());
            }
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!c.isOk()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster not ok within " + READY_TIMEOUT);
                }
                Thread.sleep(50); // polling three child processes for cluster_state; nothing to wait on
            }
            return c;
        } catch (RuntimeException | InterruptedException e) {
            c.close();
            throw new IllegalStateException("could not start a 3-master cluster", e);
        }
    }

    private boolean isOk() {
        for (RedisTestServer n : nodes) {
            try (Jedis j = new Jedis(n.host(), n.port())) {
                String info = j.clusterInfo();
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:3")) return false;
                // Every node must know every slot's owner, or a client may see a MOVED loop.
                List<Object> slots = j.clusterSlots();
                if (slots.size() < 3) return false;
            }
        }
        return true;
    }

    /** {@code redis://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}: the seeds. */
    public String uri() {
        return "redis://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    public List<RedisTestServer> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        for (RedisTestServer n : nodes) n.close();
    }
}
