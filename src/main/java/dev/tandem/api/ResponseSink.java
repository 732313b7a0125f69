package dev.tandem.api;

/** Where a generation call writes: one JSON response, or a server-sent event stream. Thread-safe. */
interface ResponseSink {
    void json(int status, String body);

    void startEvents();

    /** Writes {@code data: <data>} and a blank line. */
    void event(String data);

    /** Writes {@code event: <name>}, {@code data: <data>} and a blank line (the Responses API names its events). */
    void event(String name, String data);

    void endEvents();
}
