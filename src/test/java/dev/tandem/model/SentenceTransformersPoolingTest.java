package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentenceTransformersPoolingTest {
    static void write(Path dir, String poolingFlags) throws Exception {
        Files.writeString(
                dir.resolve("modules.json"),
                "[{\"idx\":0,\"name\":\"0\",\"path\":\"\",\"type\":\"sentence_transformers.models.Transformer\"},"
                        + "{\"idx\":1,\"name\":\"1\",\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"},"
                        + "{\"idx\":2,\"name\":\"2\",\"path\":\"2_Normalize\",\"type\":\"sentence_transformers.models.Normalize\"}]");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(
                dir.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\":64," + poolingFlags + "}");
    }

    @Test
    void readsTheModeThePoolingModuleSets(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), SentenceTransformersPooling.read(dir), "a plain causal LM declares none");
        write(
                dir,
                "\"pooling_mode_cls_token\":false,\"pooling_mode_mean_tokens\":true,\"pooling_mode_lasttoken\":false");
        assertEquals(Optional.of("mean"), SentenceTransformersPooling.read(dir));
        write(dir, "\"pooling_mode_mean_tokens\":false,\"pooling_mode_lasttoken\":true");
        assertEquals(Optional.of("last"), SentenceTransformersPooling.read(dir));
        write(dir, "\"pooling_mode_cls_token\":true");
        assertEquals(Optional.of("cls"), SentenceTransformersPooling.read(dir), "reported, for the server to refuse");
    }
}
