package dev.tandem.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: the header is laid out first from the tensor list, then each
 * tensor's bytes are filled in place through a memory mapping, so files of any size stream out.
 */
public final class SafeTensorsWriter {
    /** A tensor to write; fill receives its slice of the mapped file. */
    public record Entry(String name, DType dtype, long[] shape, java.util.function.Consumer<MemorySegment> fill) {
        long bytes() {
            long n = dtype.bytes();
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private SafeTensorsWriter() {}

    public static void write(Path file, List<Entry> entries) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Entry e : entries) {
            header.put(
                    e.name(),
                    Map.of(
                            "dtype",
                            e.dtype().name(),
                            "shape",
                            e.shape(),
                            "data_offsets",
                            List.of(offset, offset + e.bytes())));
            offset += e.bytes();
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        try (FileChannel ch = FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            long total = 8 + padded + offset;
            MemorySegment all = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
            all.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded);
            MemorySegment.copy(headerBytes, 0, all, ValueLayout.JAVA_BYTE, 8, padded);
            long at = 8 + padded;
            for (Entry e : entries) {
                e.fill().accept(all.asSlice(at, e.bytes()));
                at += e.bytes();
            }
            all.force();
        }
    }
}
