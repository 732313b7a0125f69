package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class WeightPageCacheTest {
    private static final int MIB = 1 << 20;

    @Test
    void countsTheHugePagesOfTheMappingsThatStartInTheRangeOnly() {
        List<String> smaps = List.of(
                "7f0000000000-7f0000400000 r--s 00000000 fe:00 1234                       /models/a/model.safetensors",
                "Size:               4096 kB",
                "FilePmdMapped:      4096 kB",
                "VmFlags: rd sh mr mw me ms hg",
                "7f0000400000-7f0000800000 r--s 00400000 fe:00 1234                       /models/a/model.safetensors",
                "FilePmdMapped:      2048 kB",
                "7f0000800000-7f0000a00000 r--s 00000000 fe:00 99                         /other",
                "FilePmdMapped:      2048 kB");
        assertEquals(6144L << 10, WeightPageCache.hugeMappedBytes(smaps, 0x7f0000000000L, 0x7f0000800000L));
        // A file's mapping ends at the page after its last byte: the range of the file's bytes ends before it.
        assertEquals(2048L << 10, WeightPageCache.hugeMappedBytes(smaps, 0x7f0000400000L, 0x7f00007ff123L));
        assertEquals(
                0,
                WeightPageCache.hugeMappedBytes(smaps, 0x7f0000100000L, 0x7f0000400000L),
                "no mapping starts inside");
    }

    /**
     * A file whose cached pages are 4 KiB ones (read back to front, 4 KiB at a time, so that
     * readahead never builds a large folio) is dropped and read again in 2 MiB folios; looking
     * without rebuilding changes nothing. Where the kernel builds no 2 MiB page-cache folios for
     * the build directory's file system, there is nothing to test.
     */
    @Test
    void rebuildsAPageCacheOfSmallPagesInHugePages() throws IOException {
        Path file = Files.createTempFile(Path.of("target"), "weights", ".bin");
        try {
            writeInSmallPages(file, 32 * MIB);
            WeightPageCache.Report looked = WeightPageCache.prepare(file, false);
            assertFalse(looked.rebuilt());
            assertTrue(looked.hugeBefore() < 0.5 * looked.possible(), "the setup left small pages: " + looked);
            assertEquals(looked.hugeBefore(), looked.hugeAfter());

            WeightPageCache.Report report = WeightPageCache.prepare(file, true);
            Assumptions.assumeFalse(report.unsupported(), "no 2 MiB page-cache folios here: " + report.describe());
            assertTrue(report.rebuilt(), report.describe());
            assertTrue(report.possible() >= 28L * MIB, report.describe());
            assertTrue(report.hugeAfter() >= 0.9 * report.possible(), report.describe());

            WeightPageCache.Report again = WeightPageCache.prepare(file, true);
            assertFalse(again.rebuilt(), "a cache in huge pages is left alone: " + again.describe());
            assertTrue(again.hugeBefore() >= 0.9 * again.possible(), again.describe());
        } finally {
            Files.delete(file);
        }
    }

    private static void writeInSmallPages(Path file, int bytes) throws IOException {
        ByteBuffer page = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            for (int at = 0; at < bytes; at += 4096) {
                page.clear();
                page.putInt(0, at);
                ch.write(page, at);
            }
            ch.write(ByteBuffer.allocate(100), bytes); // and a last page that the file ends inside, as weight files do
            ch.force(true); // written back, so that the cache can drop the pages
        }
        WeightPageCache.dropCachedPages(file, 0, bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int at = bytes - 4096; at >= 0; at -= 4096) {
                page.clear();
                ch.read(page, at);
            }
        }
    }
}
