package dev.tandem.cli;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the prefill and decode shards run. */
@ConfigMapping(prefix = "tandem.shards")
public interface ShardSettings {
    /**
     * {@code process}: each shard is a worker process on the shared KV segment; {@code in-process}:
     * one in-process shard serves both step kinds. In-process stays the default until the
     * supervisor (restart with backoff, requeue) lands; a dead process shard fails its requests.
     */
    @WithDefault("in-process")
    String mode();
}
