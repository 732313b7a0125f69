package dev.tandem.shard;

import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kvcache.KvArena;
import dev.tandem.grammar.Grammars;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelConfig;
import dev.tandem.shard.openvino.OpenVinoOptions;
import dev.tandem.shard.openvino.OpenVinoRunner;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard process: maps the server's KV segment, loads the model (memory-mapped: the page cache
 * holds the weights once for all processes), listens on a Unix domain socket, prints "ready",
 * then executes the step batches the server sends until the connection closes. It exits when its
 * parent is gone, so a killed server leaves no shard behind.
 * <p>Arguments: the {@link Options} as {@code key=value} pairs.
 */
public final class ShardWorker {
    private ShardWorker() {}

    /**
     * What a worker needs; written as key=value arguments by the server, parsed back by the worker.
     * backend cpu runs the model here on the CPU; backend openvino runs it through OpenVINO on
     * deviceName (an OpenVINO device: NPU, GPU, GPU.1, ...) with the openvino options. nice lowers
     * the worker's CPU priority by that much (0: unchanged).
     */
    public record Options(String role, String device, String backend, String deviceName, Path model, boolean hugePages, Path segment,
                          Path socket, int blockSize, int numBlocks, int maxBatchTokens, int maxSequences, int threads, int nice,
                          List<Integer> eosTokenIds, Duration warmUp, OpenVinoOptions openvino) {
        public Options {
            eosTokenIds = List.copyOf(eosTokenIds);
            if (backend.equals("openvino") && openvino == null) {
                throw new IllegalArgumentException("backend openvino needs its options");
            }
        }

        List<String> arguments() {
            List<String> out = new ArrayList<>(List.of("role=" + role, "device=" + device, "backend=" + backend, "device-name=" + deviceName,
                    "model=" + model.toAbsolutePath(), "huge-pages=" + hugePages, "segment=" + segment, "socket=" + socket,
                    "block-size=" + blockSize, "num-blocks=" + numBlocks, "max-batch-tokens=" + maxBatchTokens,
                    "max-seqs=" + maxSequences, "threads=" + threads, "nice=" + nice,
                    "eos=" + String.join(",", eosTokenIds.stream().map(String::valueOf).toList()), "warm-up-ms=" + warmUp.toMillis()));
            if (openvino != null) {
                out.addAll(openvino.arguments());
            }
            return out;
        }

        static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            for (String arg : args) {
                String[] kv = arg.split("=", 2);
                a.put(kv[0], kv.length == 2 ? kv[1] : "");
            }
            List<Integer> eos = new ArrayList<>();
            for (String id : a.getOrDefault("eos", "").split(",")) {
                if (!id.isBlank()) {
                    eos.add(Integer.parseInt(id.trim()));
                }
            }
            return new Options(a.get("role"), a.getOrDefault("device", "CPU"), a.getOrDefault("backend", "cpu"),
                    a.getOrDefault("device-name", "cpu"), Path.of(a.get("model")),
                    Boolean.parseBoolean(a.getOrDefault("huge-pages", "false")), Path.of(a.get("segment")), Path.of(a.get("socket")),
                    Integer.parseInt(a.get("block-size")), Integer.parseInt(a.get("num-blocks")),
                    Integer.parseInt(a.get("max-batch-tokens")), Integer.parseInt(a.get("max-seqs")),
                    Integer.parseInt(a.get("threads")), Integer.parseInt(a.getOrDefault("nice", "0")), eos, Duration.ofMillis(Long.parseLong(a.getOrDefault("warm-up-ms", "0"))),
                    OpenVinoOptions.parse(a));
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        // Before the kernel threads exist: Linux keeps nice per thread, and new threads inherit it.
        String priority = o.nice() == 0 ? "" : ThreadPriority.lowerBy(o.nice()) ? ", priority lowered by " + o.nice()
                : ", priority not lowered (setpriority failed)";
        watchParent();
        boolean cpu = o.backend().equals("cpu");
        if (cpu && !o.device().equals("CPU")) {
            System.out.println("the cpu backend runs on the CPU only, not on the " + o.device());
            System.exit(2);
        }
        Path socket = o.socket();
        RunnerSettings settings = new RunnerSettings(o.blockSize(), o.numBlocks(), o.maxBatchTokens(), o.maxSequences(), o.threads());
        Checkpoint checkpoint = cpu ? Checkpoint.open(o.model(), o.hugePages()) : null;
        try (checkpoint; KvArena arena = KvArena.attach(o.segment());
             StepRunner runner = cpu ? new ModelRunner(checkpoint, settings, arena) : openVinoRunner(o, arena);
             LocalShard shard = new LocalShard(o.role() + " (process " + ProcessHandle.current().pid() + ") on " + o.device(), runner,
                     o.eosTokenIds(), DecodeInterrupt.of(arena), Grammars.forModel(o.model(), runner.config().vocabSize()));
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.deleteIfExists(socket);
            server.bind(UnixDomainSocketAddress.of(socket));
            String warmUp = "";
            if (cpu) {
                long start = System.nanoTime();
                int passes = KernelWarmUp.run(checkpoint, o.blockSize(), o.threads(), o.warmUp());
                warmUp = ", kernels warmed up by " + passes + " passes in " + (System.nanoTime() - start) / 1_000_000 + " ms";
            }
            System.out.println("ready " + shard.describe() + warmUp + priority);
            System.out.flush();
            try (SocketChannel channel = server.accept()) {
                DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
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

    private static StepRunner openVinoRunner(Options o, KvArena arena) throws java.io.IOException {
        ModelConfig c = Checkpoint.readConfig(o.model());
        PagedKvLayout layout = new PagedKvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), o.blockSize(), o.numBlocks());
        return new OpenVinoRunner(c, o.openvino(), o.deviceName(), arena, layout, o.maxBatchTokens(), o.maxSequences());
    }

    /** Exits the process when the parent (the server) is gone, however it died. */
    private static void watchParent() {
        ProcessHandle.current().parent().ifPresent(parent -> Thread.ofPlatform().daemon().name("tandem-parent-watch").start(() -> {
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
