package dev.tandem.shard;

import dev.tandem.device.Backend;
import dev.tandem.device.DeviceKind;
import dev.tandem.device.Placement;
import dev.tandem.device.ShardRole;
import dev.tandem.grammar.Grammars;
import dev.tandem.kernels.KvDtype;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelConfig;
import dev.tandem.shm.KvArena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The server's two shards and what they run on. In process mode the server holds only the KV
 * arena (a /dev/shm segment) and two supervised worker processes that map it and the weights; in
 * in-process mode one runner in the server serves both step kinds.
 */
public final class ShardSet implements AutoCloseable {
    public final Shard prefill;
    public final Shard decode;
    /** The flag in the KV arena that cuts the decode shard's multi-step decodes short. */
    public final DecodeInterrupt interrupt;
    /** Whether the two shards' steps may run at once (in one process they cannot). */
    public final boolean overlapSteps;

    private final AutoCloseable memory;
    private final Path kvSegment;

    private ShardSet(
            Shard prefill,
            Shard decode,
            DecodeInterrupt interrupt,
            boolean overlapSteps,
            AutoCloseable memory,
            Path kvSegment) {
        this.overlapSteps = overlapSteps;
        this.prefill = prefill;
        this.decode = decode;
        this.interrupt = interrupt;
        this.memory = memory;
        this.kvSegment = kvSegment;
    }

    /** What both modes need to know. */
    public record Sizes(
            Path model,
            boolean hugePages,
            int blockSize,
            int numBlocks,
            int maxBatchTokens,
            int maxSequences,
            int threads,
            List<Integer> eosTokenIds,
            java.time.Duration warmUp,
            KvDtype kvDtype) {}

    /**
     * The decode worker's nice increment: decodeNiceOnSharedCpu when both shards run on the CPU
     * (their steps compete for its cores), else 0.
     */
    public static int decodeNice(Placement prefill, Placement decode, int decodeNiceOnSharedCpu) {
        if (decodeNiceOnSharedCpu < 0 || decodeNiceOnSharedCpu > 19) {
            throw new IllegalArgumentException(
                    "tandem.shards.decode-nice-on-shared-cpu must be 0 to 19, got " + decodeNiceOnSharedCpu);
        }
        return sharedCpu(prefill, decode) ? decodeNiceOnSharedCpu : 0;
    }

    /** Whether the shards' steps run at once: always on devices of their own, on the shared CPU when asked to. */
    public static boolean overlapSteps(Placement prefill, Placement decode, boolean overlapOnSharedCpu) {
        return !sharedCpu(prefill, decode) || overlapOnSharedCpu;
    }

    private static boolean sharedCpu(Placement prefill, Placement decode) {
        return prefill.device() == DeviceKind.CPU && decode.device() == DeviceKind.CPU;
    }

    public static ShardSet inProcess(Checkpoint checkpoint, Sizes z, Path sharedMemoryDir, String segmentName) {
        ModelRunner runner = new ModelRunner(
                checkpoint,
                new RunnerSettings(
                        z.blockSize(),
                        z.numBlocks(),
                        z.maxBatchTokens(),
                        z.maxSequences(),
                        z.threads(),
                        sharedMemoryDir,
                        segmentName,
                        z.kvDtype()));
        KernelWarmUp.run(checkpoint, z.blockSize(), z.threads(), z.warmUp());
        DecodeInterrupt interrupt = DecodeInterrupt.of(runner.kvArena());
        LocalShard shard = new LocalShard(
                "prefill+decode (in-process) on CPU",
                runner,
                z.eosTokenIds(),
                interrupt,
                Grammars.forModel(checkpoint.directory(), checkpoint.config().vocabSize()));
        return new ShardSet(shard, shard, interrupt, false, runner, runner.kvSegment());
    }

    /** openvino: the OpenVINO options of each role that runs on backend openvino. */
    public static ShardSet processes(
            ModelConfig c,
            Sizes z,
            Path sharedMemoryDir,
            String segmentName,
            Placement prefillPlace,
            Placement decodePlace,
            int decodeNice,
            boolean overlapSteps,
            Map<ShardRole, OpenVinoOptions> openvino,
            SupervisedShard.Policy policy,
            ShardListener listener) {
        if (sharedMemoryDir == null) {
            throw new IllegalStateException("tandem.shards.mode=process needs the KV arena in shared memory"
                    + " (tandem.engine.kv-shared-memory-dir)");
        }
        long bytes = new PagedKvLayout(
                        c.numLayers(), c.numKvHeads(), c.headDim(), z.blockSize(), z.numBlocks(), z.kvDtype())
                .totalBytes();
        KvArena arena = KvArena.createShared(sharedMemoryDir, segmentName, bytes);
        // Both workers load at once; they map the same weight files, so the page cache holds them once.
        CompletableFuture<SupervisedShard> prefillStart = CompletableFuture.supplyAsync(
                () -> new SupervisedShard(options(prefillPlace, z, 0, arena.file(), openvino), policy, listener));
        SupervisedShard decode;
        try {
            decode = new SupervisedShard(options(decodePlace, z, decodeNice, arena.file(), openvino), policy, listener);
        } catch (RuntimeException e) {
            prefillStart.thenAccept(SupervisedShard::close);
            arena.close();
            throw e;
        }
        try {
            return new ShardSet(
                    prefillStart.join(), decode, DecodeInterrupt.of(arena), overlapSteps, arena, arena.file());
        } catch (CompletionException e) {
            decode.close();
            arena.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** A worker for one role on the server's KV segment; its socket goes in the temporary directory. */
    private static WorkerOptions options(
            Placement place, Sizes z, int nice, Path segment, Map<ShardRole, OpenVinoOptions> openvino) {
        Path socket =
                Path.of(System.getProperty("java.io.tmpdir"), segment.getFileName() + "-" + place.role() + ".sock");
        return new WorkerOptions(
                place.role().toString(),
                place.device().name(),
                place.backend(),
                place.deviceName(),
                z.model(),
                z.hugePages(),
                segment,
                socket,
                z.blockSize(),
                z.numBlocks(),
                z.maxBatchTokens(),
                z.maxSequences(),
                z.threads(),
                nice,
                z.eosTokenIds(),
                z.warmUp(),
                place.backend() == Backend.OPENVINO ? openvino.get(place.role()) : null,
                z.kvDtype());
    }

    /** The shared-memory segment of the KV arena, or null when it is private memory. */
    public Path kvSegment() {
        return kvSegment;
    }

    public String describe() {
        return prefill == decode ? prefill.describe() : prefill.describe() + " + " + decode.describe();
    }

    /** Stops the shards (the workers exit), then frees the arena and removes its segment. */
    @Override
    public void close() {
        prefill.close();
        if (decode != prefill) {
            decode.close();
        }
        try {
            memory.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
