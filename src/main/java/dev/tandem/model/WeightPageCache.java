package dev.tandem.model;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory-mapped weights in 2 MiB pages, shared by every process that maps them, without a copy.
 * Linux maps a 2 MiB range of a file with one page-table entry when its page cache holds the
 * range as one 2 MiB folio, which recent kernels' readahead builds (ext4 since 6.16, XFS), and
 * MADV_HUGEPAGE asks for on a fault. But a cache filled in small pages (a file just written, or
 * read piecemeal) keeps them, and every process then walks 4 KiB page tables: a shard process
 * that prefills a 1B model once per request finds its page-table entries out of the caches, and
 * its prefill ran 15-20% slower than in-process (shards.md). So the server looks before the
 * shards map the weights, and if the cache holds a file in small pages, drops the file's cached
 * pages and reads them again, once it has seen on one window of the file that the kernel then
 * builds 2 MiB folios (where it does not, dropping would only cost a read from disk).
 */
public final class WeightPageCache {
    static final long HUGE_PAGE = 2L << 20;
    /** Below this share of a file in 2 MiB pages, the cache is rebuilt. */
    private static final double ENOUGH = 0.9;

    private static final int MADV_HUGEPAGE = 14;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final int O_RDONLY = 0;
    private static final MethodHandle MADVISE;
    private static final MethodHandle OPEN;
    private static final MethodHandle FADVISE;
    private static final MethodHandle CLOSE;
    /** The first line of a mapping in smaps, which starts with its address range. */
    private static final Pattern MAPPING = Pattern.compile("([0-9a-f]+)-[0-9a-f]+ ");
    /** Where the faulting reads go, so that the JIT keeps them. */
    private static volatile byte touched;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MADVISE = linker.downcallHandle(
                libc.find("madvise").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        // open is variadic (a mode follows with O_CREAT); called here with none.
        OPEN = linker.downcallHandle(
                libc.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        FADVISE = linker.downcallHandle(
                libc.find("posix_fadvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private WeightPageCache() {}

    /**
     * What {@link #prepare} found and did: of a file's bytes that could be mapped in 2 MiB pages
     * (possible), how many were, before and after; rebuilt when it dropped and read the file again;
     * unsupported when the kernel did not build 2 MiB folios for a window read afresh.
     */
    public record Report(
            Path file,
            long possible,
            long hugeBefore,
            long hugeAfter,
            boolean rebuilt,
            boolean unsupported,
            long millis) {
        public String describe() {
            String share = String.format(
                    "%s: %.2f of %.2f GiB in 2 MiB pages", file.getFileName(), hugeAfter / GIB, possible / GIB);
            if (rebuilt) {
                return share
                        + String.format(
                                " (the page cache held %.2f GiB so: dropped and read again in %d ms)",
                                hugeBefore / GIB, millis);
            }
            return unsupported
                    ? share + " (the kernel does not build 2 MiB page-cache folios for this file system)"
                    : share;
        }

        private static final double GIB = 1 << 30;
    }

    /** Asks the kernel to fault this mapping in 2 MiB pages where it can (best effort). */
    public static void adviseHugePages(MemorySegment mapping) {
        try {
            int ignored = (int) MADVISE.invokeExact(mapping, mapping.byteSize(), MADV_HUGEPAGE);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Makes the page cache hold file in 2 MiB folios if it can (see the class comment); rebuild false only looks. */
    public static Report prepare(Path file, boolean rebuild) throws IOException {
        long size = Files.size(file);
        long[] before = mapAndMeasure(file, 0, size);
        if (!rebuild || before[1] == 0 || before[0] >= ENOUGH * before[1]) {
            return new Report(file, before[1], before[0], before[0], false, false, 0);
        }
        long t0 = System.nanoTime();
        // One window in the middle first: if the kernel rebuilds it in small pages again, it
        // would do so for the whole file, and the re-read would buy nothing.
        long window = Math.min(size / 2 / HUGE_PAGE * HUGE_PAGE, size / HUGE_PAGE * HUGE_PAGE - 2 * HUGE_PAGE);
        if (window >= 0) {
            dropCachedPages(file, window, 2 * HUGE_PAGE);
            long[] probe = mapAndMeasure(file, window, 2 * HUGE_PAGE);
            if (probe[0] < probe[1]) {
                return new Report(
                        file, before[1], before[0], before[0], false, true, (System.nanoTime() - t0) / 1_000_000);
            }
        }
        dropCachedPages(file, 0, size);
        long[] after = mapAndMeasure(file, 0, size);
        return new Report(file, after[1], before[0], after[0], true, false, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Maps [offset, offset + length) of file on its own, faults one byte of each 2 MiB page in, and
     * returns {bytes mapped in 2 MiB pages, bytes that could be}; unmaps it again.
     */
    static long[] mapAndMeasure(Path file, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, offset, length, arena);
            adviseHugePages(mapping);
            long start = mapping.address(), end = start + length;
            long first = (start + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            long possible = 0;
            byte sum = 0;
            for (long page = first; page + HUGE_PAGE <= end; page += HUGE_PAGE) {
                sum ^= mapping.get(JAVA_BYTE, page - start);
                possible += HUGE_PAGE;
            }
            touched = sum;
            // A mapping whose address and file offset disagree modulo 2 MiB can never use them.
            if ((start - offset) % HUGE_PAGE != 0) {
                possible = 0;
            }
            return new long[] {hugeMappedBytes(Files.readAllLines(Path.of("/proc/self/smaps")), start, end), possible};
        }
    }

    /** The FilePmdMapped of the mappings (in the lines of /proc/PID/smaps) that start within [from, to). */
    static long hugeMappedBytes(List<String> smaps, long from, long to) {
        long total = 0;
        boolean inside = false;
        for (String line : smaps) {
            Matcher header = MAPPING.matcher(line);
            if (header.lookingAt()) {
                long start = Long.parseUnsignedLong(header.group(1), 16);
                inside = start >= from && start < to; // its end is rounded up to a page, past the file's
            } else if (inside && line.startsWith("FilePmdMapped:")) {
                total += Long.parseLong(line.substring("FilePmdMapped:".length())
                                .replace("kB", "")
                                .strip())
                        << 10;
            }
        }
        return total;
    }

    static void dropCachedPages(Path file, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd;
            try {
                fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (fd < 0) {
                throw new IOException("cannot open " + file);
            }
            try {
                int ignored = (int) FADVISE.invokeExact(fd, offset, length, POSIX_FADV_DONTNEED);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            } finally {
                try {
                    int ignored = (int) CLOSE.invokeExact(fd);
                } catch (Throwable ignored) {
                    // nothing left to do
                }
            }
        }
    }
}
