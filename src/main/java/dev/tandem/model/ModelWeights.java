package dev.tandem.model;

import dev.tandem.kernels.WeightMatrix;

/** All weights of a decoder-only transformer, viewed in place in the checkpoint's mapped files. */
record ModelWeights(WeightMatrix embeddings, LayerWeights[] layers, float[] finalNorm, WeightMatrix outputHead) {

    static ModelWeights load(Checkpoint ckpt) {
        ModelConfig c = ckpt.config();
        WeightMatrix embeddings = ckpt.matrix("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize());
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = LayerWeights.load(ckpt, c, i);
        }
        // Tied embeddings: the output head is the embedding matrix itself, read in place.
        WeightMatrix head = c.tieWordEmbeddings()
                ? ckpt.optionalTensor("lm_head.weight")
                        .map(t -> ckpt.matrix("lm_head.weight", c.vocabSize(), c.hiddenSize()))
                        .orElse(embeddings)
                : ckpt.matrix("lm_head.weight", c.vocabSize(), c.hiddenSize());
        return new ModelWeights(
                embeddings, layers, ckpt.tensor("model.norm.weight").toFloats(c.hiddenSize()), head);
    }
}
