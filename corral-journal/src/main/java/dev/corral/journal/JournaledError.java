package dev.corral.journal;

/**
 * A task's error as read back from a journal: the journal keeps the class name and the message of
 * what was thrown, not the object (no Java serialization anywhere), so a replayed
 * {@link dev.corral.TaskEvent#error()} is one of these.
 */
public final class JournaledError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String type;

    /**
     * @param type    the class name of the original throwable
     * @param message its message, or null
     */
    public JournaledError(String type, String message) {
        super(message, null, false, false); // no stack: the original one was not journaled
        this.type = java.util.Objects.requireNonNull(type, "type");
    }

    /** The class name of the original throwable. */
    public String type() {
        return type;
    }

    @Override
    public String toString() {
        String m = getMessage();
        return m == null ? type : type + ": " + m;
    }
}
