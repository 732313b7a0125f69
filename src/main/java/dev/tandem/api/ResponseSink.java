package dev.tandem.api;

/** Where a generation call writes: one JSON response, or a server-sent event stream. Thread-safe. */
interface ResponseSink {
    void json(int status, String body);

    void startEvents();

    /** Writes {@code data: <data>} and a blank line. */
    void event(String data);

    void endEvents();
}
