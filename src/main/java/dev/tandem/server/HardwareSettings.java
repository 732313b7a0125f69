package dev.tandem.server;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How to treat hardware that was asked for and is missing. */
@ConfigMapping(prefix = "tandem.hardware")
public interface HardwareSettings {
    /** true: refuse to start when a shard's requested device (or backend) is missing, naming it; false: fall back to the CPU. */
    @WithDefault("false")
    boolean strict();
}
