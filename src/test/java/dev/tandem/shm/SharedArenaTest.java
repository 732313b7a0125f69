package dev.tandem.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The KV arena as a /dev/shm segment: shared between processes without a copy, and never left behind. */
class SharedArenaTest {
    static final Path SHM = Path.of("/dev/shm");

    @Test
    void anotherMappingSeesWhatTheCreatorWroteAndCloseRemovesTheSegment() {
        String name = "test-" + UUID.randomUUID();
        Path file;
        try (KvArena created = KvArena.createShared(SHM, name, 4096)) {
            file = created.file();
            created.segment().set(ValueLayout.JAVA_LONG, 128, 0x1234_5678_9abcL);
            try (KvArena attached = KvArena.attach(file)) {
                assertEquals(0x1234_5678_9abcL, attached.segment().get(ValueLayout.JAVA_LONG, 128));
                attached.segment().set(ValueLayout.JAVA_INT, 0, 42);
            }
            assertEquals(42, created.segment().get(ValueLayout.JAVA_INT, 0), "writes go both ways");
            assertTrue(Files.exists(file));
        }
        assertFalse(Files.exists(file), "the creator removes its segment on close");
    }

    @Test
    void aKilledOwnersSegmentIsReclaimedAtTheNextStart() throws Exception {
        String name = "crash-" + UUID.randomUUID();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SegmentOwnerMain.class.getName(),
                        SHM.toString(),
                        name)
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("ready "), "child said: " + line);
            Path file = Path.of(line.substring(6));
            try (KvArena attached = KvArena.attach(file)) {
                for (int i = 0; i < 1024; i++) {
                    assertEquals(
                            i * 7,
                            attached.segment().getAtIndex(ValueLayout.JAVA_INT, i),
                            "written by the other process");
                }
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(file), "kill -9 leaves the segment behind");
            List<Path> removed = StaleSegments.reclaim(SHM);
            assertTrue(removed.contains(file), "reclaimed: " + removed);
            try (Stream<Path> left = Files.list(SHM)) {
                assertEquals(
                        0,
                        left.filter(p -> p.getFileName().toString().contains(name))
                                .count(),
                        "nothing of it is left");
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void liveOwnersAndForeignFilesAreLeftAlone() throws Exception {
        Path dir = Files.createTempDirectory("shm");
        try (KvArena mine = KvArena.createShared(dir, "live", 4096)) {
            Files.createFile(dir.resolve("tandem-not-a-pid"));
            Files.createFile(dir.resolve("other-file-1"));
            assertEquals(List.of(), StaleSegments.reclaim(dir));
            assertTrue(Files.exists(mine.file()));
            Files.createFile(dir.resolve("tandem-old-999999999"));
            assertEquals(List.of(dir.resolve("tandem-old-999999999")), StaleSegments.reclaim(dir));
        }
        assertEquals(-1, StaleSegments.ownerPid("tandem-x-abc"));
        assertEquals(12, StaleSegments.ownerPid("tandem-kv-12"));
    }
}
