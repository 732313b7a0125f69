package dev.tandem.shard;

import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.shm.KvArena;
import java.nio.file.Path;

/** Test helper run as its own JVM: plays the server, starts a decode shard, prints its pid, waits to be killed. */
public final class ShardParentMain {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PagedKvLayout layout = new PagedKvLayout(6, 4, 32, 16, ProcessShardTest.BLOCKS);
        KvArena arena = KvArena.createShared(Path.of("/dev/shm"), args[1], layout.totalBytes());
        ProcessShard shard = new ProcessShard(
                ProcessShardTest.options("decode", arena.file(), dir.resolve("d.sock")), ProcessShardTest.STARTUP);
        System.out.println("shard " + shard.pid() + " " + arena.file());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
