package dev.corral.cli.demo;

/**
 * What an executor of the demo is doing at one moment, read for a live view.
 *
 * @param workers threads alive to run requests
 * @param busy    of those, the ones running a request
 * @param queued  requests accepted and waiting for a thread
 */
public record ExecutorGauges(int workers, int busy, int queued) {
}
