package dev.tandem.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
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

    private Checkpoint(Path directory, ModelConfig config, Arena arena, Map<String, Tensor> tensors) {
        this.directory = directory;
        this.config = config;
        this.arena = arena;
        this.tensors = tensors;
    }

    public static Checkpoint open(Path directory) throws IOException {
        Path configFile = directory.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IOException("no config.json in " + directory.toAbsolutePath());
        }
        ModelConfig config = ModelConfig.parse(JSON.readTree(configFile.toFile()));
        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = new HashMap<>();
            for (Path file : weightFiles(directory)) {
                tensors.putAll(SafeTensorsFile.map(file, arena).tensors());
            }
            return new Checkpoint(directory, config, arena, tensors);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** As transformers looks for weights: the sharded index if present, else model.safetensors. */
    private static TreeSet<Path> weightFiles(Path directory) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        Path index = directory.resolve("model.safetensors.index.json");
        Path single = directory.resolve("model.safetensors");
        if (Files.isRegularFile(index)) {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            map.properties().forEach(e -> files.add(directory.resolve(e.getValue().asText())));
        } else if (Files.isRegularFile(single)) {
            files.add(single);
        }
        if (files.isEmpty()) {
            throw new IOException("no model.safetensors or model.safetensors.index.json in " + directory.toAbsolutePath());
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

    public long totalWeightBytes() {
        return tensors.values().stream().mapToLong(t -> t.data().byteSize()).sum();
    }

    @Override
    public void close() {
        arena.close();
    }
}
