package dev.tandem.engine;

import java.util.List;

/**
 * Engine settings: the model name the API reports, its vocabulary size, the tokens that end a generation (EOS),
 * and how many requests may wait before new ones are refused (429).
 */
public record EngineConfig(String modelName, int vocabSize, List<Integer> eosTokenIds, int maxWaitingRequests) {
    public EngineConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }
}
