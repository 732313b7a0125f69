package dev.tandem.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.kernels.Quantization;
import dev.tandem.kernels.TensorFormat;
import dev.tandem.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Hugging Face checkpoint folder: {@code config.json} and one or several memory-mapped
 * {@code *.safetensors} files (listed by {@code model.safetensors.index.json} when sharded).
 * Closing it unmaps the files.
 */
public final class Checkpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final ModelConfig config;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final HugePageMemory hugePages;

    private Checkpoint(
            Path directory, ModelConfig config, Arena arena, Map<String, Tensor> tensors, HugePageMemory hugePages) {
        this.directory = directory;
        this.config = config;
        this.arena = arena;
        this.tensors = tensors;
        this.hugePages = hugePages;
    }

    /**
     * With hugePages, the weights are copied from the mapped files into anonymous memory in
     * transparent huge pages, which decode streams faster (see {@link HugePageMemory}); the price
     * is a private copy of the weights per process instead of the shared page cache.
     */
    public static Checkpoint open(Path directory, boolean hugePages) throws IOException {
        Checkpoint mapped = open(directory);
        if (!hugePages) {
            return mapped;
        }
        long total = 0;
        for (Tensor t : mapped.tensors.values()) {
            total += (t.data().byteSize() + 63) / 64 * 64;
        }
        HugePageMemory memory = HugePageMemory.allocate(Math.max(64, total));
        Map<String, Tensor> copied = new HashMap<>();
        long at = 0;
        for (Tensor t : mapped.tensors.values()) {
            MemorySegment slice = memory.segment().asSlice(at, t.data().byteSize());
            slice.copyFrom(t.data());
            copied.put(t.name(), new Tensor(t.name(), t.dtype(), t.shape(), slice));
            at += (t.data().byteSize() + 63) / 64 * 64;
        }
        mapped.arena.close(); // the files are no longer needed: unmap them
        return new Checkpoint(directory, mapped.config, Arena.ofShared(), copied, memory);
    }

    /** The model's config.json alone, for processes that do not run the CPU backend (the server, OpenVINO shards). */
    public static ModelConfig readConfig(Path directory) throws IOException {
        Path configFile = directory.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IOException("no config.json in " + directory.toAbsolutePath());
        }
        return ModelConfig.parse(JSON.readTree(configFile.toFile()));
    }

    public static Checkpoint open(Path directory) throws IOException {
        ModelConfig config = readConfig(directory);
        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = new HashMap<>();
            for (Path file : weightFiles(directory)) {
                tensors.putAll(SafeTensorsFile.map(file, arena).tensors());
            }
            return new Checkpoint(directory, config, arena, tensors, null);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** As transformers looks for weights: the sharded index if present, else model.safetensors. */
    public static TreeSet<Path> weightFiles(Path directory) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        Path index = directory.resolve("model.safetensors.index.json");
        Path single = directory.resolve("model.safetensors");
        if (Files.isRegularFile(index)) {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            map.properties()
                    .forEach(e -> files.add(directory.resolve(e.getValue().asText())));
        } else if (Files.isRegularFile(single)) {
            files.add(single);
        }
        if (files.isEmpty()) {
            throw new IOException(
                    "no model.safetensors or model.safetensors.index.json in " + directory.toAbsolutePath());
        }
        return files;
    }

    public ModelConfig config() {
        return config;
    }

    public Path directory() {
        return directory;
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint " + directory + " has no tensor '" + name + "'");
        }
        return t;
    }

    public Optional<Tensor> optionalTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * A linear layer's weight as a matrix: a float tensor, or a tensor baked by {@code tandem
     * bake} (codes in I8 for Q8 or packed U8 for Q4, with {@code NAME_scale} and, for asymmetric
     * schemes, {@code NAME_zero_point} beside it).
     */
    public WeightMatrix matrix(String name, int rows, int cols) {
        Optional<Tensor> scale = optionalTensor(name + "_scale");
        if (scale.isEmpty()) {
            return tensor(name).asMatrix(rows, cols);
        }
        Tensor codes = tensor(name);
        TensorFormat format = switch (codes.dtype()) {
            case I8 -> TensorFormat.Q8;
            case U8 -> TensorFormat.Q4;
            default ->
                throw new IllegalArgumentException(
                        name + ": quantized codes must be I8 (int8) or U8 (int4), got " + codes.dtype());
        };
        codes.expectShape(rows, format == TensorFormat.Q4 ? cols / 2 : cols);
        Tensor scales = scale.get();
        if (scales.shape().length != 2
                || scales.shape()[0] != rows
                || scales.shape()[1] < 1
                || cols % scales.shape()[1] != 0
                || scales.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + "_scale: expected F32 [" + rows + ", groups dividing " + cols
                    + "], got " + scales.dtype() + " " + java.util.Arrays.toString(scales.shape()));
        }
        int groups = (int) scales.shape()[1];
        MemorySegment zeros = optionalTensor(name + "_zero_point")
                .map(z -> {
                    z.expectShape(rows, groups);
                    return z.data();
                })
                .orElse(null);
        return new WeightMatrix(
                codes.data(),
                format,
                rows,
                cols,
                new Quantization(scales.data(), zeros, cols / groups, format == TensorFormat.Q4 ? 8 : 0));
    }

    /** Every tensor's name, sorted. */
    public java.util.SortedSet<String> tensorNames() {
        return new TreeSet<>(tensors.keySet());
    }

    public long totalWeightBytes() {
        return tensors.values().stream().mapToLong(t -> t.data().byteSize()).sum();
    }

    @Override
    public void close() {
        arena.close();
        if (hugePages != null) {
            hugePages.close();
        }
    }
}
