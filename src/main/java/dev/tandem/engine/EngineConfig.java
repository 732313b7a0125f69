package dev.tandem.engine;

import dev.tandem.request.Pooling;
import java.util.List;

/**
 * Engine settings: the model name the API reports, its vocabulary size, the tokens that end a generation (EOS),
 * how many requests may wait before new ones are refused (429), and how embedding requests pool.
 */
public record EngineConfig(
        String modelName, int vocabSize, List<Integer> eosTokenIds, int maxWaitingRequests, Pooling pooling) {
    public EngineConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    public EngineConfig(String modelName, int vocabSize, List<Integer> eosTokenIds, int maxWaitingRequests) {
        this(modelName, vocabSize, eosTokenIds, maxWaitingRequests, Pooling.LAST);
    }
}
