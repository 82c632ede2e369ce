package dev.corral.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --cpu} and {@code --io}: the request-like work of {@code corral demo} and {@code corral
 * limits}, a picocli mixin so that both commands read them alike.
 */
final class RequestWorkOptions {

    @Option(names = "--cpu", defaultValue = "200us", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "CPU work per request, a hash loop calibrated at start to take this long on an idle core "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration cpu;

    @Option(names = "--io", defaultValue = "5ms", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "Blocking wait per request after its CPU work, a Thread.sleep standing in for I/O "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration io;
}
