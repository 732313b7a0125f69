package dev.tandem.model;

import dev.tandem.kernels.Activations;
import dev.tandem.kernels.Matmul;
import dev.tandem.kernels.PagedAttention;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kernels.RmsNorm;
import dev.tandem.kernels.Rope;
import dev.tandem.kernels.TensorFormat;
import dev.tandem.kernels.ThreadTeam;
import dev.tandem.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;

/**
 * The decoder-only transformer of Llama, Mistral, Qwen2 and Qwen3, parameterised by the config:
 * embed, then per layer RMSNorm, q/k/v projections (+bias), optional per-head q/k RMSNorm, RoPE,
 * K/V written to the paged cache, paged attention, output projection, RMSNorm, SwiGLU MLP; then
 * the final norm and the output head for the tokens that need logits. Buffers are sized once for
 * {@code maxBatchTokens}; a forward pass allocates nothing. Not thread-safe: one step at a time.
 */
public final class Transformer {
    private final ModelConfig config;
    private final ModelWeights weights;
    private final PagedKvLayout kvLayout;
    private final int maxBatchTokens;
    private final int maxLogitTokens;
    private final Matmul matmul;
    private final PagedAttention attention;
    private final Rope rope;
    private final float[] x, xb, q, k, v, att, gate, up, finalRows;
    // Per layer, the matrices that read the same input, for one parallel loop each (see Matmul).
    private final WeightMatrix[][] qkv, gateUp;
    private final float[][][] qkvBiases;
    private final float[][] qkvOut, gateUpOut;
    private final ThreadTeam team;
    private final ThreadTeam.Body positionTokens = this::positionTokens;
    // The step that positionTokens works on (set before its parallel loop; no allocation per step).
    private int stepLayer, tokensPerChunk;
    private ForwardBatch stepBatch;
    private MemorySegment stepArena;

    public Transformer(
            Checkpoint checkpoint, PagedKvLayout kvLayout, ThreadTeam team, int maxBatchTokens, int maxLogitTokens) {
        this.config = checkpoint.config();
        this.weights = ModelWeights.load(checkpoint);
        this.kvLayout = kvLayout;
        this.maxBatchTokens = maxBatchTokens;
        this.maxLogitTokens = maxLogitTokens;
        ModelConfig c = config;
        if (kvLayout.numLayers() != c.numLayers()
                || kvLayout.numKvHeads() != c.numKvHeads()
                || kvLayout.headDim() != c.headDim()) {
            throw new IllegalArgumentException("KV layout " + kvLayout + " does not match the model config");
        }
        this.team = team;
        this.matmul = new Matmul(team);
        this.attention = new PagedAttention(team, kvLayout, c.numHeads(), c.maxPositions());
        this.rope = new Rope(
                c.headDim(), c.ropeScaling().inverseFrequencies(c.ropeTheta(), c.headDim()), c.maxPositions(), 1.0);
        int t = maxBatchTokens;
        x = new float[t * c.hiddenSize()];
        xb = new float[t * c.hiddenSize()];
        q = new float[t * c.qDim()];
        k = new float[t * c.kvDim()];
        v = new float[t * c.kvDim()];
        att = new float[t * c.qDim()];
        gate = new float[t * c.intermediateSize()];
        up = new float[t * c.intermediateSize()];
        finalRows = new float[maxLogitTokens * c.hiddenSize()];
        LayerWeights[] layers = weights.layers();
        qkv = new WeightMatrix[layers.length][];
        gateUp = new WeightMatrix[layers.length][];
        qkvBiases = new float[layers.length][][];
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = layers[l];
            qkv[l] = new WeightMatrix[] {w.wq(), w.wk(), w.wv()};
            qkvBiases[l] = new float[][] {w.bq(), w.bk(), w.bv()};
            gateUp[l] = new WeightMatrix[] {w.gate(), w.up()};
        }
        qkvOut = new float[][] {q, k, v};
        gateUpOut = new float[][] {gate, up};
    }

    public ModelConfig config() {
        return config;
    }

    /** Bytes of weights one forward step reads: every layer matrix and the output head (embeddings: one row). */
    public long weightBytesPerStep() {
        long bytes = weights.outputHead().byteSize();
        for (LayerWeights w : weights.layers()) {
            for (WeightMatrix m : matrices(w)) {
                bytes += m.byteSize();
            }
        }
        return bytes;
    }

    /** Multiply-adds of the layers' matrices for one token (the output head and attention not included). */
    public long layerMacsPerToken() {
        long macs = 0;
        for (LayerWeights w : weights.layers()) {
            for (WeightMatrix m : matrices(w)) {
                macs += (long) m.rows() * m.cols();
            }
        }
        return macs;
    }

    /** The format of the layers' matrices (the MLP's, where a checkpoint mixes formats). */
    public TensorFormat layerFormat() {
        return weights.layers()[0].gate().format();
    }

    private static WeightMatrix[] matrices(LayerWeights w) {
        return new WeightMatrix[] {w.wq(), w.wk(), w.wv(), w.wo(), w.gate(), w.up(), w.down()};
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    public int maxLogitTokens() {
        return maxLogitTokens;
    }

    /** Runs one step; logits of batch.logitTokens()[i] land at logits[i * vocabSize ..]. */
    public void forward(ForwardBatch batch, MemorySegment kvArena, float[] logits) {
        ModelConfig c = config;
        int n = batch.numTokens();
        check(batch, logits);
        int h = c.hiddenSize();
        for (int t = 0; t < n; t++) {
            weights.embeddings().copyRow(batch.tokens()[t], x, t * h);
        }
        for (int l = 0; l < c.numLayers(); l++) {
            layer(l, weights.layers()[l], batch, kvArena);
        }
        int numLogits = batch.numLogitTokens();
        for (int i = 0; i < numLogits; i++) {
            RmsNorm.apply(x, batch.logitTokens()[i] * h, finalRows, i * h, weights.finalNorm(), h, 1, c.rmsNormEps());
        }
        if (numLogits > 0) {
            matmul.apply(weights.outputHead(), null, finalRows, numLogits, logits);
        }
    }

    /**
     * The last hidden state of token t of the step just run, after the final norm (what Hugging
     * Face's base model returns as last_hidden_state), into out[off ..]: for embeddings.
     */
    public void finalHidden(int t, float[] out, int off) {
        int h = config.hiddenSize();
        RmsNorm.apply(x, t * h, out, off, weights.finalNorm(), h, 1, config.rmsNormEps());
    }

    private void layer(int l, LayerWeights w, ForwardBatch b, MemorySegment kvArena) {
        ModelConfig c = config;
        int n = b.numTokens();
        int h = c.hiddenSize();
        RmsNorm.apply(x, 0, xb, 0, w.attentionNorm(), h, n, c.rmsNormEps());
        matmul.apply(qkv[l], qkvBiases[l], xb, n, qkvOut);
        if (w.qNorm() != null) {
            RmsNorm.apply(q, 0, q, 0, w.qNorm(), c.headDim(), n * c.numHeads(), c.rmsNormEps());
            RmsNorm.apply(k, 0, k, 0, w.kNorm(), c.headDim(), n * c.numKvHeads(), c.rmsNormEps());
        }
        stepLayer = l;
        stepBatch = b;
        stepArena = kvArena;
        // Per token and independent: shared out like the matmuls (a batch of 16 spent ~120 us here on
        // one thread). A prompt's consecutive tokens share KV blocks, whose keys are stored position-
        // minor: chunks of whole blocks keep two threads off the same cache lines.
        int perChunk = (n + 2 * team.size() - 1) / (2 * team.size());
        int block = kvLayout.blockSize();
        tokensPerChunk = n > block ? (perChunk + block - 1) / block * block : Math.max(1, perChunk);
        team.run((n + tokensPerChunk - 1) / tokensPerChunk, positionTokens);
        attention.attend(kvArena, l, q, att, n, b.positions(), b.sequenceOfToken(), b.blockTables(), c.slidingWindow());
        matmul.applyAdd(w.wo(), w.bo(), att, n, x);
        RmsNorm.apply(x, 0, xb, 0, w.mlpNorm(), h, n, c.rmsNormEps());
        matmul.apply(gateUp[l], null, xb, n, gateUpOut);
        Activations.swiglu(gate, up, n * c.intermediateSize());
        matmul.applyAdd(w.down(), null, gate, n, x);
    }

    /** RoPE on the chunk's queries and keys, and their keys and values into the paged cache. */
    private void positionTokens(int chunk, int worker) {
        ModelConfig c = config;
        ForwardBatch b = stepBatch;
        int end = Math.min(b.numTokens(), (chunk + 1) * tokensPerChunk);
        for (int t = chunk * tokensPerChunk; t < end; t++) {
            int pos = b.positions()[t];
            rope.apply(q, t * c.qDim(), c.numHeads(), pos);
            rope.apply(k, t * c.kvDim(), c.numKvHeads(), pos);
            kvLayout.store(
                    stepArena,
                    stepLayer,
                    b.blockTables()[b.sequenceOfToken()[t]],
                    pos,
                    k,
                    t * c.kvDim(),
                    v,
                    t * c.kvDim());
        }
    }

    private void check(ForwardBatch b, float[] logits) {
        if (b.numTokens() > maxBatchTokens) {
            throw new IllegalArgumentException("batch of " + b.numTokens() + " tokens exceeds max " + maxBatchTokens);
        }
        if (b.numLogitTokens() > maxLogitTokens || logits.length < b.numLogitTokens() * config.vocabSize()) {
            throw new IllegalArgumentException("logits for " + b.numLogitTokens() + " tokens do not fit");
        }
        for (int t = 0; t < b.numTokens(); t++) {
            int token = b.tokens()[t];
            int pos = b.positions()[t];
            if (token < 0 || token >= config.vocabSize()) {
                throw new IllegalArgumentException(
                        "token id " + token + " outside vocabulary [0, " + config.vocabSize() + ")");
            }
            if (pos < 0 || pos >= config.maxPositions()) {
                throw new IllegalArgumentException(
                        "position " + pos + " outside context [0, " + config.maxPositions() + ")");
            }
            int[] table = b.blockTables()[b.sequenceOfToken()[t]];
            if (pos / kvLayout.blockSize() >= table.length) {
                throw new IllegalArgumentException("position " + pos + " has no KV block in its block table");
            }
        }
        for (int i = 0; i < b.numLogitTokens(); i++) {
            if (b.logitTokens()[i] < 0 || b.logitTokens()[i] >= b.numTokens()) {
                throw new IllegalArgumentException("logit token index " + b.logitTokens()[i] + " outside the batch");
            }
        }
    }
}
