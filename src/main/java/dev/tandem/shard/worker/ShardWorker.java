package dev.tandem.shard.worker;

import dev.tandem.device.Backend;
import dev.tandem.grammar.Grammars;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelConfig;
import dev.tandem.shard.DecodeInterrupt;
import dev.tandem.shard.KernelWarmUp;
import dev.tandem.shard.LocalShard;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.StepBatch;
import dev.tandem.shard.StepCodec;
import dev.tandem.shard.StepRunner;
import dev.tandem.shard.ThreadPriority;
import dev.tandem.shard.WorkerOptions;
import dev.tandem.shard.openvino.OpenVinoRunner;
import dev.tandem.shm.KvArena;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A shard process: maps the server's KV segment, loads the model (memory-mapped: the page cache
 * holds the weights once for all processes), listens on a Unix domain socket, prints "ready",
 * then executes the step batches the server sends until the connection closes. It exits when its
 * parent is gone, so a killed server leaves no shard behind.
 * <p>Arguments: the {@link WorkerOptions} as {@code key=value} pairs.
 */
public final class ShardWorker {
    private ShardWorker() {}

    public static void main(String[] args) throws Exception {
        WorkerOptions o = WorkerOptions.parse(args);
        // Before the kernel threads exist: Linux keeps nice per thread, and new threads inherit it.
        String priority = o.nice() == 0
                ? ""
                : ThreadPriority.lowerBy(o.nice())
                        ? ", priority lowered by " + o.nice()
                        : ", priority not lowered (setpriority failed)";
        watchParent();
        boolean cpu = o.backend() == Backend.CPU;
        if (cpu && !o.device().equals("CPU")) {
            System.out.println("the cpu backend runs on the CPU only, not on the " + o.device());
            System.exit(2);
        }
        Path socket = o.socket();
        RunnerSettings settings = new RunnerSettings(
                        o.blockSize(), o.numBlocks(), o.maxBatchTokens(), o.maxSequences(), o.threads())
                .withKvDtype(o.kvDtype());
        Checkpoint checkpoint = cpu ? Checkpoint.open(o.model(), o.hugePages()) : null;
        try (checkpoint;
                KvArena arena = KvArena.attach(o.segment());
                StepRunner runner = cpu ? new ModelRunner(checkpoint, settings, arena) : openVinoRunner(o, arena);
                LocalShard shard = new LocalShard(
                        o.role() + " (process " + ProcessHandle.current().pid() + ") on " + o.device(),
                        runner,
                        o.eosTokenIds(),
                        DecodeInterrupt.of(arena),
                        Grammars.forModel(o.model(), runner.config().vocabSize()));
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.deleteIfExists(socket);
            server.bind(UnixDomainSocketAddress.of(socket));
            String warmUp = "";
            if (cpu) {
                long start = System.nanoTime();
                int passes = KernelWarmUp.run(checkpoint, o.blockSize(), o.threads(), o.warmUp());
                warmUp = ", kernels warmed up by " + passes + " passes in " + (System.nanoTime() - start) / 1_000_000
                        + " ms";
            }
            System.out.println("ready " + shard.describe() + warmUp + priority);
            System.out.flush();
            try (SocketChannel channel = server.accept()) {
                DataInputStream in =
                        new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
                DataOutputStream out =
                        new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
                while (true) {
                    StepBatch batch;
                    try {
                        batch = StepCodec.readBatch(in);
                    } catch (EOFException closed) {
                        return;
                    }
                    List<SampledToken> tokens = shard.execute(batch);
                    // The next step is at least a round trip away: spinning kernel threads would
                    // take the cores that the server needs to produce it.
                    runner.rest();
                    StepCodec.writeTokens(out, tokens);
                }
            } finally {
                Files.deleteIfExists(socket);
            }
        }
    }

    private static StepRunner openVinoRunner(WorkerOptions o, KvArena arena) throws java.io.IOException {
        ModelConfig c = Checkpoint.readConfig(o.model());
        PagedKvLayout layout = new PagedKvLayout(
                c.numLayers(), c.numKvHeads(), c.headDim(), o.blockSize(), o.numBlocks(), o.kvDtype());
        return new OpenVinoRunner(c, o.openvino(), o.deviceName(), arena, layout, o.maxBatchTokens(), o.maxSequences());
    }

    /** Exits the process when the parent (the server) is gone, however it died. */
    private static void watchParent() {
        ProcessHandle.current()
                .parent()
                .ifPresent(parent -> Thread.ofPlatform()
                        .daemon()
                        .name("tandem-parent-watch")
                        .start(() -> {
                            while (parent.isAlive()) {
                                try {
                                    Thread.sleep(500);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                            Runtime.getRuntime().halt(3);
                        }));
    }
}
