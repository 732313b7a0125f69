package dev.tandem.shard;

import dev.tandem.kvcache.KvArena;
import dev.tandem.model.Checkpoint;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard process: maps the server's KV segment, loads the model (memory-mapped: the page cache
 * holds the weights once for all processes), listens on a Unix domain socket, prints "ready",
 * then executes the step batches the server sends until the connection closes. It exits when its
 * parent is gone, so a killed server leaves no shard behind.
 * <p>Arguments: {@code key=value} pairs: role, model, segment, socket, block-size, num-blocks,
 * max-batch-tokens, max-seqs, threads, eos (comma-separated ids).
 */
public final class ShardWorker {
    private ShardWorker() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv[1]);
        }
        watchParent();
        Path socket = Path.of(a.get("socket"));
        List<Integer> eos = new ArrayList<>();
        for (String id : a.getOrDefault("eos", "").split(",")) {
            if (!id.isBlank()) {
                eos.add(Integer.parseInt(id.trim()));
            }
        }
        RunnerSettings settings = new RunnerSettings(Integer.parseInt(a.get("block-size")), Integer.parseInt(a.get("num-blocks")),
                Integer.parseInt(a.get("max-batch-tokens")), Integer.parseInt(a.get("max-seqs")), Integer.parseInt(a.get("threads")));
        try (KvArena arena = KvArena.attach(Path.of(a.get("segment")));
             Checkpoint checkpoint = Checkpoint.open(Path.of(a.get("model")));
             ModelRunner runner = new ModelRunner(checkpoint, settings, arena);
             LocalShard shard = new LocalShard(a.get("role") + " (process " + ProcessHandle.current().pid() + ")", runner, eos);
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.deleteIfExists(socket);
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("ready " + shard.describe());
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
                    StepCodec.writeTokens(out, shard.execute(batch));
                }
            } finally {
                Files.deleteIfExists(socket);
            }
        }
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
