package dev.tandem.server;

/** How the server runs its shards (tandem.shards.mode). */
public enum ShardMode {
    /** Each shard is a supervised worker process on the shared KV segment. */
    PROCESS,
    /** One shard in the server's own process serves both step kinds. */
    IN_PROCESS
}
