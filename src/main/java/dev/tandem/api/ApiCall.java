package dev.tandem.api;

/** A validated generation request on its way: started once, aborted when the client goes away. */
interface ApiCall {
    /** Submits to the engine and, for a stream, opens it; throws (nothing written) if the engine refuses. */
    void start();

    void abort();
}
