package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.model.Checkpoint;
import dev.tandem.quant.Baker;
import dev.tandem.quant.QuantScheme;
import dev.tandem.sampling.Sampler;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.tokenizer.TextTokenizer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server on an INT4 checkpoint baked from the demo model (the default process mode: both
 * shard workers load the baked weights): its greedy answer equals a plain greedy loop over the
 * same baked weights, and begins as the bf16 model's answer does.
 */
@QuarkusTest
@TestProfile(BakedModelServerTest.BakedInt4.class)
class BakedModelServerTest {
    static final Path BAKED = Path.of("target/test-baked/demo-llama-6m-int4");

    public static class BakedInt4 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                if (!Files.exists(BAKED)) {
                    Baker.bake(
                            Path.of("models/demo-llama-6m"),
                            BAKED,
                            new QuantScheme(4, 128, false),
                            false,
                            (n, a, d) -> {});
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("tandem.engine.model", BAKED.toString(), "tandem.engine.threads", "1");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @Test
    void servesTheBakedModelAsAPlainGreedyLoopComputesIt() throws Exception {
        JsonNode r = JSON.readTree(Http.post(
                        root + "v1/completions",
                        "{\"model\":\"demo-llama-6m-int4\",\"prompt\":\"The jury said\","
                                + "\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true}")
                .body());
        String served = r.at("/choices/0/text").asText();
        String expected;
        try (Checkpoint ckpt = Checkpoint.open(BAKED);
                TextTokenizer tok = TextTokenizer.load(BAKED);
                ModelRunner runner = new ModelRunner(ckpt, new RunnerSettings(16, 8, 64, 1, 1))) {
            int[] prompt = tok.encode("The jury said", true);
            int[] ids = Arrays.copyOf(prompt, prompt.length + 24);
            int[] table = runner.reversedBlockTable(ids.length);
            float[] logits = runner.feed(table, ids, 0, prompt.length, false);
            for (int i = prompt.length; i < ids.length; i++) {
                ids[i] = Sampler.argmax(logits, 0, ckpt.config().vocabSize());
                logits = runner.feed(table, ids, i, i + 1, false);
            }
            expected = tok.decode(Arrays.copyOfRange(ids, prompt.length, ids.length), true);
        }
        assertEquals(expected, served);
        assertTrue(
                served.startsWith(", \"I don't know what I'm doing."), "begins as the bf16 model's answer: " + served);
        assertEquals(24, r.at("/usage/completion_tokens").asInt());
    }
}
