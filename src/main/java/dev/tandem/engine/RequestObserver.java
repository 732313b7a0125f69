package dev.tandem.engine;

/**
 * Receives one request's output, on the engine's thread: implementations must not block.
 * Every request ends with exactly one {@link #onFinish}.
 */
public interface RequestObserver {
    void onToken(GeneratedToken token);

    void onFinish(RequestSummary summary);
}
