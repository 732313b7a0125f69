package dev.tandem.model;

import dev.tandem.kernels.WeightMatrix;

/** One decoder layer's weights; biases and q/k norms are null where the architecture has none. */
record LayerWeights(
        float[] attentionNorm,
        WeightMatrix wq,
        float[] bq,
        WeightMatrix wk,
        float[] bk,
        WeightMatrix wv,
        float[] bv,
        WeightMatrix wo,
        float[] bo,
        float[] qNorm,
        float[] kNorm,
        float[] mlpNorm,
        WeightMatrix gate,
        WeightMatrix up,
        WeightMatrix down) {

    static LayerWeights load(Checkpoint ckpt, ModelConfig c, int i) {
        String p = "model.layers." + i + ".";
        int h = c.hiddenSize();
        return new LayerWeights(
                ckpt.tensor(p + "input_layernorm.weight").toFloats(h),
                ckpt.matrix(p + "self_attn.q_proj.weight", c.qDim(), h),
                bias(ckpt, p + "self_attn.q_proj.bias", c.qDim()),
                ckpt.matrix(p + "self_attn.k_proj.weight", c.kvDim(), h),
                bias(ckpt, p + "self_attn.k_proj.bias", c.kvDim()),
                ckpt.matrix(p + "self_attn.v_proj.weight", c.kvDim(), h),
                bias(ckpt, p + "self_attn.v_proj.bias", c.kvDim()),
                ckpt.matrix(p + "self_attn.o_proj.weight", h, c.qDim()),
                bias(ckpt, p + "self_attn.o_proj.bias", h),
                c.qkNorm() ? ckpt.tensor(p + "self_attn.q_norm.weight").toFloats(c.headDim()) : null,
                c.qkNorm() ? ckpt.tensor(p + "self_attn.k_norm.weight").toFloats(c.headDim()) : null,
                ckpt.tensor(p + "post_attention_layernorm.weight").toFloats(h),
                ckpt.matrix(p + "mlp.gate_proj.weight", c.intermediateSize(), h),
                ckpt.matrix(p + "mlp.up_proj.weight", c.intermediateSize(), h),
                ckpt.matrix(p + "mlp.down_proj.weight", h, c.intermediateSize()));
    }

    private static float[] bias(Checkpoint ckpt, String name, int size) {
        return ckpt.optionalTensor(name).map(t -> t.toFloats(size)).orElse(null);
    }
}
