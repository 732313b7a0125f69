package dev.tandem.shm;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** Test helper run in a child JVM: creates a shared segment, writes a pattern, reports ready, then waits to be killed. */
public final class SegmentOwnerMain {
    public static void main(String[] args) throws Exception {
        KvArena arena = KvArena.createShared(Path.of(args[0]), args[1], 1 << 20);
        for (int i = 0; i < 1024; i++) {
            arena.segment().setAtIndex(ValueLayout.JAVA_INT, i, i * 7);
        }
        System.out.println("ready " + arena.file());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
