package dev.tandem.shard.openvino;

import dev.tandem.device.openvino.OpenVinoRuntime;
import dev.tandem.device.openvino.OvCompiledModel;
import dev.tandem.device.openvino.OvCore;
import dev.tandem.device.openvino.OvInferRequest;
import dev.tandem.device.openvino.OvModel;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kvcache.KvArena;
import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;
import dev.tandem.shard.StepRunner;
import java.lang.foreign.MemorySegment;
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
    private int[] logitRowOfToken = new int[0];
    private long infers, tokens;

    public OpenVinoRunner(ModelConfig config, OpenVinoOptions options, String device, KvArena arena, PagedKvLayout layout,
                          int maxBatchTokens, int maxLogitTokens) {
        this.config = config;
        this.device = device;
        this.arena = arena;
        this.staticShapes = device.startsWith("NPU");
        this.chunk = options.prefillChunk();
        this.maxContext = Math.min(config.maxPositions(), layout.numBlocks() * layout.blockSize());
        this.maxBatchTokens = maxBatchTokens;
        this.maxLogitTokens = maxLogitTokens;
        this.transfer = new KvTransfer(layout);
        this.logits = new float[maxLogitTokens * config.vocabSize()];
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
            this.description = "backend openvino " + ov.version() + " on " + device + " (" + core.deviceProperty(device, "FULL_DEVICE_NAME")
                    + (staticShapes ? "), static prefill chunk " + chunk + " over " + maxContext + " past slots" : "), dynamic shapes")
                    + (batchable ? ", batched" : "") + ", compiled model " + (compiledModel.loadedFromCache() ? "loaded from " : "stored in ")
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
        if (logitRowOfToken.length < n) {
            logitRowOfToken = new int[Math.max(n, maxBatchTokens)];
        }
        Arrays.fill(logitRowOfToken, 0, n, -1);
        for (int r = 0; r < batch.numLogitTokens(); r++) {
            logitRowOfToken[batch.logitTokens()[r]] = r;
        }
        // Runs of consecutive tokens of one sequence: [first, end).
        int[] firsts = new int[n + 1];
        int runs = 0;
        for (int t = 0; t < n; t++) {
            if (t == 0 || batch.sequenceOfToken()[t] != batch.sequenceOfToken()[t - 1]) {
                firsts[runs++] = t;
            }
        }
        firsts[runs] = n;
        if (staticShapes) {
            for (int r = 0; r < runs; r++) {
                chunked(batch, firsts[r], firsts[r + 1]);
            }
        } else {
            dynamic(batch, firsts, runs);
        }
        tokens += n;
        return logits;
    }

    /** NPU: one sequence's tokens [first, end) in static chunks, the last one padded. */
    private void chunked(ForwardBatch batch, int first, int end) {
        int[] table = batch.blockTables()[batch.sequenceOfToken()[first]];
        for (int k = first; k < end; k += chunk) {
            int count = Math.min(chunk, end - k);
            int start = batch.positions()[k];
            if (start > maxContext) {
                throw new IllegalArgumentException("position " + start + " is beyond the " + maxContext + " past slots compiled for the " + device);
            }
            buffers.shape(request, 1, chunk, maxContext);
            for (int i = 0; i < chunk; i++) {
                buffers.setToken(0, i, i < count ? batch.tokens()[k + i] : 0, start + i);
            }
            buffers.setMask(0, start, count);
            infer(new int[][] {table}, new int[] {start}, new int[] {count}, new int[] {k});
        }
    }

    /** GPU: sequences with the same number of new tokens share one infer when the batch is dynamic. */
    private void dynamic(ForwardBatch batch, int[] firsts, int runs) {
        boolean[] done = new boolean[runs];
        for (int r = 0; r < runs; r++) {
            if (done[r]) {
                continue;
            }
            int count = firsts[r + 1] - firsts[r];
            int[] group = new int[runs];
            int size = 0;
            for (int q = r; q < runs && (batchable || size == 0); q++) {
                if (!done[q] && firsts[q + 1] - firsts[q] == count) {
                    group[size++] = q;
                    done[q] = true;
                }
            }
            int[][] tables = new int[size][];
            int[] starts = new int[size], counts = new int[size], firstTokens = new int[size];
            int past = 0;
            for (int g = 0; g < size; g++) {
                int first = firsts[group[g]];
                tables[g] = batch.blockTables()[batch.sequenceOfToken()[first]];
                starts[g] = batch.positions()[first];
                counts[g] = count;
                firstTokens[g] = first;
                past = Math.max(past, starts[g]);
            }
            buffers.shape(request, size, count, past);
            for (int g = 0; g < size; g++) {
                for (int i = 0; i < count; i++) {
                    buffers.setToken(g, i, batch.tokens()[firstTokens[g] + i], starts[g] + i);
                }
                buffers.setMask(g, starts[g], count);
            }
            infer(tables, starts, counts, firstTokens);
        }
    }

    /** Gathers each row's past, infers, scatters each row's new KV and copies the logits asked for. */
    private void infer(int[][] tables, int[] starts, int[] counts, int[] firstTokens) {
        MemorySegment kv = arena.segment();
        int past = buffers.past(), width = buffers.tokens(), vocab = config.vocabSize();
        for (int row = 0; row < tables.length; row++) {
            for (int l = 0; l < config.numLayers(); l++) {
                transfer.gather(kv, l, tables[row], starts[row], buffers.pastKey[l], buffers.pastValue[l], row, past);
            }
        }
        request.infer();
        infers++;
        for (int row = 0; row < tables.length; row++) {
            for (int l = 0; l < config.numLayers(); l++) {
                transfer.scatter(kv, l, tables[row], starts[row], counts[row], buffers.presentKey[l], buffers.presentValue[l], row,
                        past + width, past);
            }
            for (int i = 0; i < counts[row]; i++) {
                int r = logitRowOfToken[firstTokens[row] + i];
                if (r >= 0) {
                    MemorySegment.copy(buffers.logits, java.lang.foreign.ValueLayout.JAVA_FLOAT, ((long) row * width + i) * vocab * Float.BYTES,
                            logits, r * vocab, vocab);
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
