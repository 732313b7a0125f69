package dev.tandem.shard;

/** What a supervisor reports about its shard; metrics and logs listen. */
public interface ShardListener {
    /** The shard died or hung (and was killed); its sequences will be recomputed. */
    void onShardDown(String role, String reason);

    /** A replacement shard is ready; restarts counts them since the server started. */
    void onShardRestarted(String role, int restarts);
}
