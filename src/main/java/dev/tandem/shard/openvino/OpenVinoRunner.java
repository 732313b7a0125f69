package dev.tandem.shard.openvino;

import dev.tandem.device.openvino.OpenVinoRuntime;
import dev.tandem.device.openvino.OvCompiledModel;
import dev.tandem.device.openvino.OvCore;
import dev.tandem.device.openvino.OvInferRequest;
import dev.tandem.device.openvino.OvModel;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;
import dev.tandem.shard.OpenVinoOptions;
import dev.tandem.shard.StepRunner;
import dev.tandem.shm.KvArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs forward steps through OpenVINO on one device, over the shared paged KV arena.
 * <ul>
 * <li>NPU (static shapes): the IR is reshaped once to [1, chunk] tokens over a fixed past of
 * maxContext slots; a sequence's new tokens go through chunk by chunk, the last chunk padded and
 * masked. Before each chunk the sequence's past is gathered from its blocks; after it the chunk's
 * new KV is scattered back, so the decode shard continues from the arena.</li>
 * <li>GPU (dynamic shapes): one infer per step for all sequences with the same number of new tokens
 * when the IR's batch is dynamic, else one infer per sequence; the request is reused, never recompiled.</li>
 * </ul>
 */
public final class OpenVinoRunner implements StepRunner {
    private static final int PAST_BUCKET = 64;
    private final ModelConfig config;
    private final String device;
    private final boolean staticShapes;
    private final boolean batchable;
    private final int chunk, maxContext, maxBatchTokens, maxLogitTokens;
    private final KvArena arena;
    private final KvTransfer transfer;
    private final OvCore core;
    private final OvCompiledModel compiled;
    private final OvInferRequest request;
    private final InferBuffers buffers;
    private final String description;
    private final float[] logits;
    // Per-step scratch, sized once for the largest step: a row is one sequence's part of an infer.
    private final int[] logitRowOfToken, runFirst, rowStart, rowCount, rowFirst;
    private final boolean[] runDone;
    private final int[][] rowTable;
    private long infers, tokens;

    public OpenVinoRunner(
            ModelConfig config,
            OpenVinoOptions options,
            String device,
            KvArena arena,
            PagedKvLayout layout,
            int maxBatchTokens,
            int maxLogitTokens) {
        this.config = config;
        this.device = device;
        this.arena = arena;
        this.staticShapes = device.startsWith("NPU");
        this.chunk = options.prefillChunk();
        if (layout.dtype() != dev.tandem.kernels.KvDtype.F32) {
            throw new IllegalArgumentException("backend openvino reads an f32 KV cache; int8 KV needs backend cpu");
        }
        this.maxContext = Math.min(config.maxPositions(), layout.numBlocks() * layout.blockSize());
        this.maxBatchTokens = maxBatchTokens;
        this.maxLogitTokens = maxLogitTokens;
        this.transfer = new KvTransfer(layout);
        this.logits = new float[maxLogitTokens * config.vocabSize()];
        this.logitRowOfToken = new int[maxBatchTokens];
        this.runFirst = new int[maxBatchTokens + 1];
        this.runDone = new boolean[maxBatchTokens];
        this.rowStart = new int[maxBatchTokens];
        this.rowCount = new int[maxBatchTokens];
        this.rowFirst = new int[maxBatchTokens];
        this.rowTable = new int[maxBatchTokens][];
        OpenVinoRuntime ov = OpenVinoRuntime.load(options.library());
        this.core = ov.createCore();
        OvCompiledModel compiledModel = null;
        OvInferRequest inferRequest = null;
        try {
            if (!core.availableDevices().contains(device)) {
                throw new IllegalStateException("OpenVINO (" + ov.library() + ") has no device " + device + "; it has "
                        + core.availableDevices());
            }
            boolean dynamicBatch;
            try (OvModel model = core.readModel(options.ir(), null)) {
                dynamicBatch = StatelessLlm.check(model.inputs(), model.outputs(), config);
                if (staticShapes) {
                    model.reshape(staticShapes(config, chunk, maxContext));
                }
                compiledModel = core.compile(model, device, CompileProperties.forDevice(device, options, maxContext));
            }
            inferRequest = compiledModel.createInferRequest();
            this.batchable = dynamicBatch && !staticShapes;
            this.description = "backend openvino " + ov.version() + " on " + device + " ("
                    + core.deviceProperty(device, "FULL_DEVICE_NAME")
                    + (staticShapes
                            ? "), static prefill chunk " + chunk + " over " + maxContext + " past slots"
                            : "), dynamic shapes")
                    + (batchable ? ", batched" : "") + ", compiled model "
                    + (compiledModel.loadedFromCache() ? "loaded from " : "stored in ")
                    + options.cacheDir();
        } catch (RuntimeException e) {
            // Nothing half-made stays behind: a refused IR or device must not leak OpenVINO objects.
            if (inferRequest != null) {
                inferRequest.close();
            }
            if (compiledModel != null) {
                compiledModel.close();
            }
            core.close();
            throw e;
        }
        this.compiled = compiledModel;
        this.request = inferRequest;
        this.buffers = new InferBuffers(config);
    }

    private static Map<String, long[]> staticShapes(ModelConfig c, int chunk, int past) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("input_ids", new long[] {1, chunk});
        shapes.put("attention_mask", new long[] {1, past + chunk});
        shapes.put("position_ids", new long[] {1, chunk});
        for (int l = 0; l < c.numLayers(); l++) {
            shapes.put("past_key_values." + l + ".key", new long[] {1, c.numKvHeads(), past, c.headDim()});
            shapes.put("past_key_values." + l + ".value", new long[] {1, c.numKvHeads(), past, c.headDim()});
        }
        return shapes;
    }

    @Override
    public float[] forward(ForwardBatch batch) {
        int n = batch.numTokens();
        if (n > maxBatchTokens) {
            throw new IllegalArgumentException("step of " + n + " tokens exceeds " + maxBatchTokens);
        }
        Arrays.fill(logitRowOfToken, 0, n, -1);
        for (int r = 0; r < batch.numLogitTokens(); r++) {
            logitRowOfToken[batch.logitTokens()[r]] = r;
        }
        // Runs of consecutive tokens of one sequence: [runFirst[r], runFirst[r + 1]).
        int runs = 0;
        for (int t = 0; t < n; t++) {
            if (t == 0 || batch.sequenceOfToken()[t] != batch.sequenceOfToken()[t - 1]) {
                runFirst[runs++] = t;
            }
        }
        runFirst[runs] = n;
        if (staticShapes) {
            for (int r = 0; r < runs; r++) {
                chunked(batch, runFirst[r], runFirst[r + 1]);
            }
        } else {
            dynamic(batch, runs);
        }
        tokens += n;
        return logits;
    }

    /** NPU: one sequence's tokens [first, end) in static chunks, the last one padded. */
    private void chunked(ForwardBatch batch, int first, int end) {
        for (int k = first; k < end; k += chunk) {
            setRow(batch, 0, k, Math.min(chunk, end - k));
            if (rowStart[0] > maxContext) {
                throw new IllegalArgumentException("position " + rowStart[0] + " is beyond the " + maxContext
                        + " past slots compiled for the " + device);
            }
            buffers.shape(request, 1, chunk, maxContext);
            fillRow(batch, 0);
            infer(1);
        }
    }

    /** GPU: sequences with the same number of new tokens share one infer when the batch is dynamic. */
    private void dynamic(ForwardBatch batch, int runs) {
        Arrays.fill(runDone, 0, runs, false);
        for (int r = 0; r < runs; r++) {
            if (runDone[r]) {
                continue;
            }
            int count = runFirst[r + 1] - runFirst[r];
            int rows = 0, past = 0;
            for (int q = r; q < runs && (batchable || rows == 0); q++) {
                if (!runDone[q] && runFirst[q + 1] - runFirst[q] == count) {
                    runDone[q] = true;
                    setRow(batch, rows, runFirst[q], count);
                    past = Math.max(past, rowStart[rows++]);
                }
            }
            // The past grows by one slot per decode step; rounding it up (the extra slots are masked)
            // keeps the tensors bound for PAST_BUCKET steps instead of re-binding them every step.
            buffers.shape(request, rows, count, (past + PAST_BUCKET - 1) / PAST_BUCKET * PAST_BUCKET);
            for (int row = 0; row < rows; row++) {
                fillRow(batch, row);
            }
            infer(rows);
        }
    }

    /** Row `row` of the next infer: `count` tokens of one sequence from batch token `first`. */
    private void setRow(ForwardBatch batch, int row, int first, int count) {
        rowTable[row] = batch.blockTables()[batch.sequenceOfToken()[first]];
        rowStart[row] = batch.positions()[first];
        rowCount[row] = count;
        rowFirst[row] = first;
    }

    /** Writes a row's token ids, positions and mask into the shaped buffers; tokens past rowCount are padding. */
    private void fillRow(ForwardBatch batch, int row) {
        for (int i = 0; i < buffers.tokens(); i++) {
            buffers.setToken(row, i, i < rowCount[row] ? batch.tokens()[rowFirst[row] + i] : 0, rowStart[row] + i);
        }
        buffers.setMask(row, rowStart[row], rowCount[row]);
    }

    /** Gathers each row's past, infers, scatters each row's new KV and copies the logits asked for. */
    private void infer(int rows) {
        MemorySegment kv = arena.segment();
        int past = buffers.past(), width = buffers.tokens(), vocab = config.vocabSize();
        for (int row = 0; row < rows; row++) {
            for (int l = 0; l < config.numLayers(); l++) {
                transfer.gather(
                        kv, l, rowTable[row], rowStart[row], buffers.pastKey[l], buffers.pastValue[l], row, past);
            }
        }
        request.infer();
        infers++;
        for (int row = 0; row < rows; row++) {
            for (int l = 0; l < config.numLayers(); l++) {
                transfer.scatter(
                        kv,
                        l,
                        rowTable[row],
                        rowStart[row],
                        rowCount[row],
                        buffers.presentKey[l],
                        buffers.presentValue[l],
                        row,
                        past + width,
                        past);
            }
            for (int i = 0; i < rowCount[row]; i++) {
                int r = logitRowOfToken[rowFirst[row] + i];
                if (r >= 0) {
                    MemorySegment.copy(
                            buffers.logits,
                            ValueLayout.JAVA_FLOAT,
                            ((long) row * width + i) * vocab * Float.BYTES,
                            logits,
                            r * vocab,
                            vocab);
                }
            }
        }
    }

    /** KV moved through the arena and work done so far: the cost of handing KV between devices. */
    public record Traffic(long bytesGathered, long bytesScattered, long tokens, long infers) {}

    public Traffic traffic() {
        return new Traffic(transfer.bytesGathered(), transfer.bytesScattered(), tokens, infers);
    }

    public boolean loadedFromCache() {
        return compiled.loadedFromCache();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    @Override
    public int maxLogitTokens() {
        return maxLogitTokens;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        request.close();
        buffers.close();
        compiled.close();
        core.close();
    }
}
