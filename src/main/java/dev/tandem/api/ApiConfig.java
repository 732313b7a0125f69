package dev.tandem.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** The HTTP API's settings. */
@ConfigMapping(prefix = "tandem.api")
public interface ApiConfig {
    /** When set, every request must carry {@code Authorization: Bearer <key>}; others get 401. */
    Optional<String> key();

    /**
     * How the model writes tool calls: auto (read from the chat template), hermes, llama3_json,
     * pythonic or mistral.
     */
    @WithDefault("auto")
    String toolCallParser();

    /** The largest request body accepted, in bytes; larger ones get 413. */
    @WithDefault("4194304")
    long maxBodyBytes();
}
