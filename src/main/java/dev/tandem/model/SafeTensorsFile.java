package dev.tandem.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One memory-mapped {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw data. Tensors are slices of the
 * mapping; nothing is read onto the heap.
 */
public final class SafeTensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private final Path path;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private SafeTensorsFile(Path path) {
        this.path = path;
    }

    /** Maps the file into arena; the tensors stay valid until the arena closes. */
    public static SafeTensorsFile map(Path path, Arena arena) throws IOException {
        SafeTensorsFile file = new SafeTensorsFile(path);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            // Pages the kernel reads for this mapping from now on come in 2 MiB folios where it can.
            WeightPageCache.adviseHugePages(all);
            file.parse(all);
        }
        return file;
    }

    private void parse(MemorySegment all) throws IOException {
        if (all.byteSize() < 8) {
            throw new IOException(path + ": too short to be a safetensors file");
        }
        long headerLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > all.byteSize()) {
            throw new IOException(path + ": invalid safetensors header length " + headerLength);
        }
        byte[] headerBytes = all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        long dataStart = 8 + headerLength;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode node = e.getValue();
            DType dtype = DType.parse(node.path("dtype").asText(), path + ": tensor " + e.getKey());
            JsonNode shapeNode = node.path("shape");
            long[] shape = new long[shapeNode.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
                count *= shape[i];
            }
            long begin = node.path("data_offsets").get(0).asLong();
            long end = node.path("data_offsets").get(1).asLong();
            if (end - begin != count * dtype.bytes() || dataStart + end > all.byteSize()) {
                throw new IOException(path + ": tensor " + e.getKey() + " has inconsistent data_offsets");
            }
            tensors.put(e.getKey(), new Tensor(e.getKey(), dtype, shape, all.asSlice(dataStart + begin, end - begin)));
        }
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }
}
