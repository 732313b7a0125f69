package dev.tandem.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one region that holds every KV block: anonymous memory for a single process, or a POSIX
 * shared-memory segment (a file under /dev/shm) that the server creates and the shards map, so
 * KV written by one process is read by another without a copy. A segment's file name carries its
 * creator's pid, so that segments of dead processes can be found and removed
 * ({@link StaleSegments}); the creator removes its own on close and at normal JVM exit.
 *
 * <p>Behind the blocks, the region keeps a few bytes of signals: words that the server writes and
 * the shards read while they compute, with no message and no extra segment to clean up.
 */
public final class KvArena implements AutoCloseable {
    /** Bytes of signals after the KV blocks: one cache line. */
    public static final long SIGNAL_BYTES = 64;

    private final Arena arena;
    private final MemorySegment whole;
    private final MemorySegment segment;
    private final Path file;
    private final boolean owner;
    private final Thread cleanup;

    private KvArena(Arena arena, MemorySegment whole, Path file, boolean owner) {
        this.arena = arena;
        this.whole = whole;
        this.segment = whole.asSlice(0, whole.byteSize() - SIGNAL_BYTES);
        this.file = file;
        this.owner = owner;
        this.cleanup = owner && file != null ? new Thread(this::deleteFile, "tandem-shm-cleanup") : null;
        if (cleanup != null) {
            Runtime.getRuntime().addShutdownHook(cleanup);
        }
    }

    /** Process-private memory (in-process shards, tests). */
    public static KvArena anonymous(long bytes) {
        Arena arena = Arena.ofShared();
        return new KvArena(arena, arena.allocate(bytes + SIGNAL_BYTES, 64), null, false);
    }

    /** Creates the segment {@code <dir>/tandem-<name>-<pid>} for the given bytes of KV, zero-filled, and maps it. */
    public static KvArena createShared(Path dir, String name, long kvBytes) {
        long bytes = kvBytes + SIGNAL_BYTES;
        Path file = dir.resolve(
                StaleSegments.PREFIX + name + "-" + ProcessHandle.current().pid());
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.truncate(bytes);
            ch.position(bytes - 1);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]));
            return new KvArena(arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena), file, true);
        } catch (IOException e) {
            arena.close();
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the original failure is the one worth reporting
            }
            throw new UncheckedIOException("cannot create shared KV segment " + file + ": " + e.getMessage(), e);
        }
    }

    /** Maps an existing segment created by another process (a shard attaching to the server's arena). */
    public static KvArena attach(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new KvArena(arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena), file, false);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot attach shared KV segment " + file + ": " + e.getMessage(), e);
        }
    }

    /** The KV blocks. */
    public MemorySegment segment() {
        return segment;
    }

    /** The signal words behind the blocks (zero at creation), shared like the blocks. */
    public MemorySegment signals() {
        return whole.asSlice(segment.byteSize(), SIGNAL_BYTES);
    }

    /** The segment's file, or null for process-private memory. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        arena.close();
        if (cleanup != null) {
            deleteFile();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private void deleteFile() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort at exit; StaleSegments reclaims it at the next start
        }
    }
}
