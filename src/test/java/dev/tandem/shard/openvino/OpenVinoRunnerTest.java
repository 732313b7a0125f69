package dev.tandem.shard.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;
import dev.tandem.shard.OpenVinoOptions;
import dev.tandem.shm.KvArena;
import dev.tandem.testsupport.OpenVinoDouble;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenVINO backend's plumbing through the contract double: prefill on the "NPU" in static
 * chunks (padded, masked), decode on the "GPU" in dynamic batches, both over one paged arena, KV
 * handed from one to the other only through gather and scatter. The toy model's tokens depend on
 * every past KV entry, so any lost, misplaced or padded-in entry changes them or fails the infer.
 */
class OpenVinoRunnerTest {
    static ModelConfig config;
    static final int BLOCK = 16, BLOCKS = 96, CHUNK = 32;

    @TempDir
    Path dir;

    @BeforeAll
    static void demoConfig() throws Exception {
        config = ModelConfig.parse(new ObjectMapper()
                .readTree(Path.of("models/demo-llama-6m/config.json").toFile()));
    }

    private OpenVinoOptions options(Path ir, Map<String, String> properties) {
        return new OpenVinoOptions(Optional.of(OpenVinoDouble.library()), ir, CHUNK, dir.resolve("cache"), properties);
    }

    private static PagedKvLayout layout() {
        return new PagedKvLayout(config.numLayers(), config.numKvHeads(), config.headDim(), BLOCK, BLOCKS);
    }

    /** One sequence's tokens [from, to) at positions from.., logits of the last one. */
    private static ForwardBatch one(int[] table, int[] tokens, int from, int to) {
        int n = to - from;
        int[] ids = new int[n], pos = new int[n], seq = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = tokens[from + i];
            pos[i] = from + i;
        }
        return new ForwardBatch(n, ids, pos, seq, new int[][] {table}, 1, new int[] {n - 1});
    }

    private static int argmax(float[] logits, int row, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (logits[row * vocab + v] > logits[row * vocab + best]) {
                best = v;
            }
        }
        return best;
    }

    private static int[] table(int first, int blocks) {
        int[] t = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            t[i] = first + (i * 7) % blocks; // scattered, not in order, so a wrong table lookup shows
        }
        return t;
    }

    @Test
    void prefillOnTheNpuInStaticChunksThenBatchedDecodeOnTheGpuThroughTheArena() throws Throwable {
        Path ir = OpenVinoDouble.writeIr(dir.resolve("ir"), config, true, false);
        long liveBefore = OpenVinoDouble.liveObjects(), allocationsBefore = OpenVinoDouble.liveAllocations();
        int violationsBefore = OpenVinoDouble.violations();
        int vocab = config.vocabSize();
        // Prompts of 75 (two full chunks and a padded one), 5 (one padded chunk) and 32 (exactly one) tokens.
        int[][] prompts = {new int[75], new int[5], new int[32]};
        for (int s = 0; s < prompts.length; s++) {
            for (int i = 0; i < prompts[s].length; i++) {
                prompts[s][i] = 5 + (i * 37 + s * 11) % (vocab - 5);
            }
        }
        int[][] tables = {table(0, 32), table(32, 32), table(64, 32)};
        List<List<Integer>> generated = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (KvArena arena = KvArena.anonymous(layout().totalBytes());
                OpenVinoRunner npu = new OpenVinoRunner(config, options(ir, Map.of()), "NPU", arena, layout(), 256, 8);
                OpenVinoRunner gpu =
                        new OpenVinoRunner(config, options(ir, Map.of()), "GPU", arena, layout(), 256, 8)) {
            assertTrue(npu.describe().contains("static prefill chunk 32"), npu.describe());
            assertTrue(gpu.describe().contains("batched"), gpu.describe());
            int[] lengths = new int[prompts.length];
            for (int s = 0; s < prompts.length; s++) {
                // The first prompt arrives in two steps (chunked prefill by the scheduler): 40, then 35 tokens.
                float[] logits;
                if (s == 0) {
                    npu.forward(one(tables[s], prompts[s], 0, 40));
                    logits = npu.forward(one(tables[s], prompts[s], 40, 75));
                } else {
                    logits = npu.forward(one(tables[s], prompts[s], 0, prompts[s].length));
                }
                generated.get(s).add(argmax(logits, 0, vocab));
                lengths[s] = prompts[s].length;
            }
            OpenVinoRunner.Traffic prefill = npu.traffic();
            // 40 tokens = chunks of 32 + 8 (padded), 35 = 32 + 3, 5 = one padded chunk, 32 = one full chunk.
            long kvBytesPerToken = 2L * config.numLayers() * config.numKvHeads() * config.headDim() * Float.BYTES;
            assertEquals(6, prefill.infers());
            assertEquals(
                    (75 + 5 + 32) * kvBytesPerToken,
                    prefill.bytesScattered(),
                    "only real tokens are scattered, never padding");
            assertEquals(
                    (32 + 40 + 72) * kvBytesPerToken, prefill.bytesGathered(), "each chunk gathers the past before it");
            for (int step = 0; step < 12; step++) {
                int n = prompts.length;
                int[] ids = new int[n], pos = new int[n], seq = new int[n], logitTokens = new int[n];
                for (int s = 0; s < n; s++) {
                    ids[s] = generated.get(s).getLast();
                    pos[s] = lengths[s]++;
                    seq[s] = s;
                    logitTokens[s] = s;
                }
                float[] logits = gpu.forward(new ForwardBatch(n, ids, pos, seq, tables, n, logitTokens));
                for (int s = 0; s < n; s++) {
                    generated.get(s).add(argmax(logits, s, vocab));
                }
            }
            OpenVinoRunner.Traffic decode = gpu.traffic();
            assertEquals(12, decode.infers(), "one infer per decode step for all three sequences (dynamic batch)");
            assertEquals(36 * kvBytesPerToken, decode.bytesScattered());
            System.out.printf(
                    "KV through the arena: prefill gathered %.1f and scattered %.1f KiB for %d tokens (%d infers); decode gathered %.1f KiB"
                            + " for %d tokens (%.1f KiB per token, %d bytes of KV per position)%n",
                    prefill.bytesGathered() / 1024.0,
                    prefill.bytesScattered() / 1024.0,
                    prefill.tokens(),
                    prefill.infers(),
                    decode.bytesGathered() / 1024.0,
                    decode.tokens(),
                    decode.bytesGathered() / 1024.0 / decode.tokens(),
                    kvBytesPerToken);
        }
        for (int s = 0; s < prompts.length; s++) {
            assertEquals(
                    OpenVinoDouble.continuation(prompts[s], 13, vocab, List.of()), generated.get(s), "sequence " + s);
        }
        assertEquals(
                violationsBefore, OpenVinoDouble.violations(), () -> "contract violation: " + lastViolationOrNone());
        assertEquals(liveBefore, OpenVinoDouble.liveObjects(), "every handle the runners made is released");
        assertEquals(
                allocationsBefore,
                OpenVinoDouble.liveAllocations(),
                "every string and shape OpenVINO handed out is freed");
    }

    private static String lastViolationOrNone() {
        try {
            return OpenVinoDouble.lastViolation();
        } catch (Throwable t) {
            return t.toString();
        }
    }
}
