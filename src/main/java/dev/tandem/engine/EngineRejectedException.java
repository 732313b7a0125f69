package dev.tandem.engine;

/** The engine cannot take a request now: its queue is full, or it is shutting down. */
public final class EngineRejectedException extends RuntimeException {
    public enum Why {
        QUEUE_FULL,
        SHUTTING_DOWN
    }

    private final Why why;

    public EngineRejectedException(Why why, String message) {
        super(message);
        this.why = why;
    }

    public Why why() {
        return why;
    }
}
