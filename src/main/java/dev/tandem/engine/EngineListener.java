package dev.tandem.engine;

import dev.tandem.request.FinishReason;

/** Request-level events for the metrics (called on the engine thread). Times are in seconds. */
public interface EngineListener {
    EngineListener NONE = new EngineListener() {};

    /** A request was handed to the scheduler. */
    default void onRequestQueued(int priority) {}

    default void onFirstToken(double timeToFirstTokenSeconds, int priority) {}

    default void onRequestFinished(
            FinishReason reason,
            int promptTokens,
            int generationTokens,
            double e2eSeconds,
            double meanTimePerOutputTokenSeconds) {}
}
