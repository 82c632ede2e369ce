package dev.corral.redis;

/**
 * A verdict on a delivery, queued by whoever decided it ({@link HandOff#decide}) and written to
 * Redis by the {@link Settler}. The action bytes are the settle script's verdict codes; they are
 * compared by identity, so use the constants.
 */
record Outcome(Delivery delivery, byte[] action, long delayMillis, String reason, String error) {

    static final byte[] ACK = {'a'}, RETRY = {'r'}, DEAD = {'d'}, BACK = {'h'};

    static Outcome ack(Delivery d) {
        return new Outcome(d, ACK, 0, null, null);
    }

    static Outcome retry(Delivery d, long delayMillis, String error) {
        return new Outcome(d, RETRY, delayMillis, null, error);
    }

    static Outcome dead(Delivery d, String reason, String error) {
        return new Outcome(d, DEAD, 0, reason, error);
    }

    static Outcome handBack(Delivery d) {
        return new Outcome(d, BACK, 0, null, null);
    }
}
