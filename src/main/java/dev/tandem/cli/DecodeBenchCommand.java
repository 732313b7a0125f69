package dev.tandem.cli;

import dev.tandem.bench.BatchedDecode;
import dev.tandem.kernels.ComputePeak;
import dev.tandem.kernels.KernelPath;
import dev.tandem.kernels.MemoryBandwidth;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.HugePageMemory;
import dev.tandem.model.ModelConfig;
import dev.tandem.sampling.Sampler;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem bench decode}: prefill and single-stream decode speed, next to the decode bound that this
 * machine's memory bandwidth, measured in the same run, sets for the model's weight bytes; prefill and
 * batched decode in multiply-adds per second, next to the arithmetic peak of the kernels' instructions,
 * measured in the same run too.
 */
@Command(
        name = "decode",
        mixinStandardHelpOptions = true,
        description = "Measure memory bandwidth, prefill and decode speed.")
public class DecodeBenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt-tokens", defaultValue = "128")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "32")
    int decodeTokens;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description = "timed rounds of prefill + decode after one warm-up round; medians are printed")
    int rounds;

    @Option(names = "--bandwidth-mib", defaultValue = "1024", description = "buffer for the bandwidth test")
    int bandwidthMib;

    @Option(
            names = "--batch",
            defaultValue = "1",
            description = "also decode this many sequences in one batch per step (forward passes only, no HTTP)")
    int batch;

    @Option(
            names = "--kernels",
            description = "the kernel path to measure: native, avx2 or java (as -Dtandem.kernels; default: native)")
    String kernels;

    @Option(names = "--no-vnni", description = "the plain AVX2 integer kernels on a CPU with AVX-VNNI")
    boolean noVnni;

    @Option(names = "--no-amx", description = "the AVX-512 bf16 kernel on a CPU with AMX")
    boolean noAmx;

    @Override
    public Integer call() throws Exception {
        KernelChoice.apply(kernels, noVnni, noAmx);
        try (Checkpoint ckpt = modelOptions.open()) {
            int context = promptTokens + decodeTokens;
            int blocksPerSequence =
                    (context + RunnerSettings.DEFAULT_BLOCK_SIZE - 1) / RunnerSettings.DEFAULT_BLOCK_SIZE;
            int sequences = Math.max(1, batch);
            RunnerSettings s = new RunnerSettings(
                            RunnerSettings.DEFAULT_BLOCK_SIZE,
                            blocksPerSequence * sequences,
                            Math.max(sequences, Math.min(256, promptTokens)),
                            sequences,
                            modelOptions.threads())
                    .withKvDtype(modelOptions.kvDtype());
            try (ModelRunner runner = new ModelRunner(ckpt, s)) {
                double bandwidth;
                if (modelOptions.hugePages) {
                    // The roofline of the memory the weights are in.
                    try (HugePageMemory buffer = HugePageMemory.allocate((long) bandwidthMib << 20)) {
                        bandwidth = MemoryBandwidth.readBytesPerSecond(runner.threadTeam(), buffer.segment(), 5);
                    }
                } else {
                    bandwidth = MemoryBandwidth.readBytesPerSecond(runner.threadTeam(), (long) bandwidthMib << 20, 5);
                }
                int vocab = ckpt.config().vocabSize();
                int[] ids = new Random(1).ints(context, 0, vocab).toArray();
                int[] table = runner.reversedBlockTable(context);
                double[] prefill = new double[rounds];
                double[] decode = new double[rounds];
                for (int round = -1; round < rounds; round++) { // round -1 warms up the JIT on the real path
                    long t0 = System.nanoTime();
                    float[] logits = runner.feed(table, ids, 0, promptTokens, false);
                    long t1 = System.nanoTime();
                    for (int i = 0; i < decodeTokens; i++) {
                        ids[promptTokens + i] = Sampler.argmax(logits, 0, vocab);
                        logits = runner.feed(table, ids, promptTokens + i, promptTokens + i + 1, false);
                    }
                    long t2 = System.nanoTime();
                    if (round >= 0) {
                        prefill[round] = promptTokens / ((t1 - t0) / 1e9);
                        decode[round] = decodeTokens / ((t2 - t1) / 1e9);
                    }
                }
                double prefillTps = median(prefill);
                double decodeTps = median(decode);
                long bytes = runner.weightBytesPerStep();
                double bound = bandwidth / bytes;
                System.out.printf(
                        "model            %s (%s, %d layers, %.2f GB of weights read per token)%n",
                        modelOptions.model,
                        ckpt.config().architecture(),
                        ckpt.config().numLayers(),
                        bytes / 1e9);
                System.out.printf("threads          %d%n", modelOptions.threads());
                System.out.printf("kernels          %s%n", KernelPath.describe());
                System.out.printf(
                        "read bandwidth   %.1f GB/s%s%n",
                        bandwidth / 1e9, modelOptions.hugePages ? " (huge pages, as the weights)" : "");
                System.out.printf(
                        "prefill          %.1f tokens/s (%d-token prompt, median of %d rounds)%n",
                        prefillTps, promptTokens, rounds);
                System.out.printf(
                        "decode           %.2f tokens/s (%d tokens, concurrency 1, median of %d rounds)%n",
                        decodeTps, decodeTokens, rounds);
                System.out.printf("decode bound     %.2f tokens/s (bandwidth / weight bytes)%n", bound);
                System.out.printf("decode/bound     %.0f%%%n", 100 * decodeTps / bound);
                ComputePeak.Peak peak = runner.layerFormat().isQuantized()
                        ? ComputePeak.int8(runner.threadTeam())
                        : ComputePeak.f32(runner.threadTeam());
                ModelConfig c = ckpt.config();
                long headMacs = (long) c.hiddenSize() * c.vocabSize();
                // Attention: q.k and p.v over every earlier position, per head and layer.
                long attentionPerPosition = 2L * c.numLayers() * c.numHeads() * c.headDim();
                double prefillMacs = (double) promptTokens * runner.layerMacsPerToken()
                        + attentionPerPosition * promptTokens * (promptTokens + 1) / 2.0
                        + headMacs;
                printCompute("prefill", prefillTps / promptTokens * prefillMacs, peak);
                if (batch > 1) {
                    // The same loop at batch 1 first, so that the ratio compares like with like.
                    double singleTps = BatchedDecode.tokensPerSecond(
                            runner, ckpt.config(), 1, blocksPerSequence, promptTokens, decodeTokens);
                    double batchTps = BatchedDecode.tokensPerSecond(
                            runner, ckpt.config(), batch, blocksPerSequence, promptTokens, decodeTokens);
                    System.out.printf("decode batch 1   %.1f tokens/s%n", singleTps);
                    System.out.printf(
                            "decode batch %-3d %.1f tokens/s in all (%.2fx batch 1)%n",
                            batch, batchTps, batchTps / singleTps);
                    double macsPerToken = runner.layerMacsPerToken()
                            + headMacs
                            + attentionPerPosition * (promptTokens + decodeTokens / 2.0);
                    printCompute("batch " + batch, batchTps * macsPerToken, peak);
                }
            }
        }
        return 0;
    }

    /** A phase's multiply-adds per second against the peak of the instructions its kernels use. */
    private static void printCompute(String phase, double macsPerSecond, ComputePeak.Peak peak) {
        if (peak == null) {
            System.out.printf(
                    "%-16s %.1f GMAC/s (no C kernels: no peak measured)%n", phase + " rate", macsPerSecond / 1e9);
            return;
        }
        System.out.printf(
                "%-16s %.1f GMAC/s, %.0f%% of the compute peak (%.1f GMAC/s, %s, measured now)%n",
                phase + " rate",
                macsPerSecond / 1e9,
                100 * macsPerSecond / peak.macsPerSecond(),
                peak.macsPerSecond() / 1e9,
                peak.instructions());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
