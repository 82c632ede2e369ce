package dev.corral.cli;

import picocli.CommandLine.Option;

/** {@code --redis} and {@code --queue}, shared by the worker, enqueue, stats and dead commands. */
final class RedisOptions {

    @Option(names = "--redis", required = true, paramLabel = "<uri>",
            description = "The Redis server: redis://[user:password@]host:port[/db], or rediss:// for TLS.")
    String uri;

    @Option(names = "--queue", required = true, paramLabel = "<name>",
            description = "The queue's name (its keys share the hash tag {name}).")
    String queue;
}
