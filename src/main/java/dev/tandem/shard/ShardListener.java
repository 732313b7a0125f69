package dev.tandem.shard;

/** What a supervisor reports about its shard (losses reach the scheduler as failed steps). */
public interface ShardListener {
    /** A replacement shard is ready; restarts counts them since the server started. */
    void onShardRestarted(String role, int restarts);
}
