package dev.tandem.shard.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.device.openvino.OpenVinoRuntime;
import dev.tandem.device.openvino.OvCore;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;
import dev.tandem.sampling.Sampler;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.OpenVinoOptions;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.shm.KvArena;
import dev.tandem.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test on an Intel Core Ultra PC with a real OpenVINO runtime (skipped elsewhere):
 * prefill on the NPU, decode on the GPU, KV handed over through the paged arena, and, where the
 * Hugging Face checkpoint of the same model is given, the same greedy tokens as the CPU backend.
 * documentation/openvino.md says how to export the IR and run it:
 * <pre>
 * TANDEM_OPENVINO_MODEL=~/models/qwen3-0.6b-ov TANDEM_OPENVINO_REFERENCE=~/models/Qwen3-0.6B \
 *   ./mvnw verify -Dtest=OpenVinoHardwareTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class OpenVinoHardwareTest {
    private static final int NEW_TOKENS = 16;

    @Test
    void prefillOnTheNpuDecodeOnTheGpuMatchesTheCpuBackend() throws Exception {
        String model = System.getenv("TANDEM_OPENVINO_MODEL");
        Assumptions.assumeTrue(
                model != null && !model.isBlank(),
                "skipped: needs a real OpenVINO runtime, an NPU and a GPU; set"
                        + " TANDEM_OPENVINO_MODEL to a stateless IR export (documentation/openvino.md) to run this acceptance test");
        Path dir = Path.of(model);
        OpenVinoRuntime ov = OpenVinoRuntime.load(Optional.ofNullable(System.getenv("TANDEM_OPENVINO_LIBRARY")));
        assertFalse(
                ov.version().contains("contract-double"),
                "this test is for a real OpenVINO runtime, not the contract double");
        try (OvCore core = ov.createCore()) {
            assertTrue(
                    core.availableDevices().contains("NPU")
                            && core.availableDevices().contains("GPU"),
                    "OpenVINO must see an NPU and a GPU (drivers, render group): " + core.availableDevices());
        }
        ModelConfig c = Checkpoint.readConfig(dir);
        PagedKvLayout layout = new PagedKvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), 16, 256);
        Path cache = Files.createDirectories(Path.of(System.getProperty("user.home"), ".cache", "tandem", "openvino"));
        OpenVinoOptions options = new OpenVinoOptions(
                Optional.of(ov.library().toString()),
                dir.resolve(OpenVinoOptions.IR_FILE),
                128,
                cache,
                java.util.Map.of());
        int[] ids;
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] prompt = tok.encode("The capital of France is Paris. The capital of Germany is", true);
            ids = Arrays.copyOf(prompt, prompt.length + NEW_TOKENS);
            int[] table = new int[(ids.length + 15) / 16];
            Arrays.setAll(table, i -> i);
            try (KvArena arena = KvArena.anonymous(layout.totalBytes());
                    OpenVinoRunner npu = new OpenVinoRunner(c, options, "NPU", arena, layout, 512, 4);
                    OpenVinoRunner gpu = new OpenVinoRunner(c, options, "GPU", arena, layout, 512, 4)) {
                long t0 = System.nanoTime();
                float[] logits = npu.forward(batch(ids, 0, prompt.length, table));
                long t1 = System.nanoTime();
                for (int i = prompt.length; i < ids.length; i++) {
                    ids[i] = Sampler.argmax(logits, 0, c.vocabSize());
                    if (i + 1 < ids.length) {
                        logits = gpu.forward(batch(ids, i, i + 1, table));
                    }
                }
                long t2 = System.nanoTime();
                System.out.printf(
                        "NPU prefill %d tokens in %.1f ms; GPU decode %.1f tokens/s; KV moved: %s / %s%n",
                        prompt.length,
                        (t1 - t0) / 1e6,
                        (NEW_TOKENS - 1) / ((t2 - t1) / 1e9),
                        npu.traffic(),
                        gpu.traffic());
                System.out.println("answer: " + tok.decode(Arrays.copyOfRange(ids, prompt.length, ids.length), true));
            }
            String reference = System.getenv("TANDEM_OPENVINO_REFERENCE");
            if (reference != null && !reference.isBlank()) {
                int[] cpu = Arrays.copyOf(prompt, ids.length);
                try (Checkpoint ckpt = Checkpoint.open(Path.of(reference));
                        ModelRunner runner = new ModelRunner(
                                ckpt,
                                new RunnerSettings(
                                        16, 256, 512, 1, Runtime.getRuntime().availableProcessors()))) {
                    int[] cpuTable = runner.reversedBlockTable(cpu.length);
                    float[] logits = runner.feed(cpuTable, cpu, 0, prompt.length, false);
                    for (int i = prompt.length; i < cpu.length; i++) {
                        cpu[i] = Sampler.argmax(logits, 0, c.vocabSize());
                        logits = runner.feed(cpuTable, cpu, i, i + 1, false);
                    }
                }
                assertEquals(
                        cpu[prompt.length],
                        ids[prompt.length],
                        "the first token after the NPU prefill is the CPU backend's");
                long same = java.util.stream.IntStream.range(prompt.length, ids.length)
                        .filter(i -> cpu[i] == ids[i])
                        .count();
                assertTrue(
                        same >= NEW_TOKENS * 3 / 4,
                        "greedy tokens agree with the CPU backend at " + same + " of " + NEW_TOKENS
                                + " positions (fp16/int4 exports drift; a large gap means the KV handover is wrong)");
            }
        }
    }

    private static ForwardBatch batch(int[] ids, int from, int to, int[] table) {
        int n = to - from;
        int[] tokens = Arrays.copyOfRange(ids, from, to), positions = new int[n];
        Arrays.setAll(positions, i -> from + i);
        return new ForwardBatch(n, tokens, positions, new int[n], new int[][] {table}, 1, new int[] {n - 1});
    }
}
