package dev.tandem.shard.openvino;

import dev.tandem.device.openvino.ElementType;
import dev.tandem.device.openvino.OvInferRequest;
import dev.tandem.model.ModelConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The host memory of one infer request's tensors, for `rows` sequences of `tokens` tokens each
 * over `past` past slots: input_ids, attention_mask, position_ids [rows, tokens(+past)], the
 * past_key_values [rows, kv_heads, past, head_dim] per layer, and the outputs logits and present.
 * Allocated off-heap once for the largest step seen and reused; tensors are bound again only when
 * the shape of the step changes (never, for the NPU's static shapes).
 */
final class InferBuffers implements AutoCloseable {
    private final ModelConfig c;
    private Arena arena;
    private int capRows = -1, capTokens, capPast;
    private int rows = -1, tokens, past;
    MemorySegment ids, mask, positions, logits;
    MemorySegment[] pastKey, pastValue, presentKey, presentValue;

    InferBuffers(ModelConfig config) {
        this.c = config;
    }

    /** Makes room for the shape (growing to it if needed) and binds the tensors of that shape to the request. */
    void shape(OvInferRequest request, int rows, int tokens, int past) {
        if (rows > capRows || tokens > capTokens || past > capPast) {
            allocate(Math.max(rows, capRows), Math.max(tokens, capTokens), Math.max(past, capPast));
            this.rows = -1;
        }
        if (rows == this.rows && tokens == this.tokens && past == this.past) {
            return;
        }
        this.rows = rows;
        this.tokens = tokens;
        this.past = past;
        long h = c.numKvHeads(), d = c.headDim();
        request.setTensor("input_ids", ElementType.I64, new long[] {rows, tokens}, ids);
        request.setTensor("attention_mask", ElementType.I64, new long[] {rows, past + tokens}, mask);
        request.setTensor("position_ids", ElementType.I64, new long[] {rows, tokens}, positions);
        request.setTensor("logits", ElementType.F32, new long[] {rows, tokens, c.vocabSize()}, logits);
        for (int l = 0; l < c.numLayers(); l++) {
            request.setTensor(
                    "past_key_values." + l + ".key", ElementType.F32, new long[] {rows, h, past, d}, pastKey[l]);
            request.setTensor(
                    "past_key_values." + l + ".value", ElementType.F32, new long[] {rows, h, past, d}, pastValue[l]);
            request.setTensor(
                    "present." + l + ".key", ElementType.F32, new long[] {rows, h, past + tokens, d}, presentKey[l]);
            request.setTensor(
                    "present." + l + ".value",
                    ElementType.F32,
                    new long[] {rows, h, past + tokens, d},
                    presentValue[l]);
        }
    }

    private void allocate(int rows, int tokens, int past) {
        if (arena != null) {
            arena.close();
        }
        arena = Arena.ofShared();
        capRows = rows;
        capTokens = tokens;
        capPast = past;
        long kvPast = (long) rows * c.numKvHeads() * past * c.headDim() * Float.BYTES;
        long kvPresent = (long) rows * c.numKvHeads() * (past + tokens) * c.headDim() * Float.BYTES;
        // At least one byte each: OpenVINO wants a host pointer even for an empty past.
        ids = arena.allocate(Math.max(8, 8L * rows * tokens), 64);
        positions = arena.allocate(Math.max(8, 8L * rows * tokens), 64);
        mask = arena.allocate(Math.max(8, 8L * rows * (past + tokens)), 64);
        logits = arena.allocate(Math.max(4, 4L * rows * tokens * c.vocabSize()), 64);
        pastKey = new MemorySegment[c.numLayers()];
        pastValue = new MemorySegment[c.numLayers()];
        presentKey = new MemorySegment[c.numLayers()];
        presentValue = new MemorySegment[c.numLayers()];
        for (int l = 0; l < c.numLayers(); l++) {
            pastKey[l] = arena.allocate(Math.max(4, kvPast), 64);
            pastValue[l] = arena.allocate(Math.max(4, kvPast), 64);
            presentKey[l] = arena.allocate(kvPresent, 64);
            presentValue[l] = arena.allocate(kvPresent, 64);
        }
    }

    void setToken(int row, int i, long id, long position) {
        ids.setAtIndex(ValueLayout.JAVA_LONG, (long) row * tokens + i, id);
        positions.setAtIndex(ValueLayout.JAVA_LONG, (long) row * tokens + i, position);
    }

    /** attention_mask of a row: its first pastLen past slots and first realTokens tokens count, the rest is padding. */
    void setMask(int row, int pastLen, int realTokens) {
        long base = (long) row * (past + tokens);
        for (int j = 0; j < past + tokens; j++) {
            boolean on = j < past ? j < pastLen : j - past < realTokens;
            mask.setAtIndex(ValueLayout.JAVA_LONG, base + j, on ? 1L : 0L);
        }
    }

    int rows() {
        return rows;
    }

    int tokens() {
        return tokens;
    }

    int past() {
        return past;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
