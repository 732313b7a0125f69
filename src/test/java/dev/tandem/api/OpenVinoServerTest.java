package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelConfig;
import dev.tandem.testsupport.OpenVinoDouble;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The whole request path with prefill on the "NPU" and decode on the "GPU" through the OpenVINO
 * backend, each shard its own process loading the OpenVINO C API contract double: a model folder
 * with no safetensors, only config, tokenizer and a stateless IR. The answers are the toy model's
 * greedy continuations, which need every KV entry the NPU shard scattered into the shared arena to
 * reach the GPU shard intact; three requests at once decode in one batch.
 */
@QuarkusTest
@TestProfile(OpenVinoServerTest.NpuAndGpu.class)
class OpenVinoServerTest {
    static final Path MODEL = Path.of("target/test-openvino/model");

    public static class NpuAndGpu implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(MODEL);
                for (String f :
                        List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
                    Files.copy(
                            Path.of("models/demo-llama-6m", f), MODEL.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
                OpenVinoDouble.writeIr(MODEL, Checkpoint.readConfig(MODEL), true, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.ofEntries(
                    Map.entry("tandem.engine.model", MODEL.toString()),
                    Map.entry("tandem.shards.mode", "process"),
                    Map.entry("tandem.shards.prefill.device", "NPU"),
                    Map.entry("tandem.shards.prefill.backend", "openvino"),
                    Map.entry("tandem.shards.decode.device", "GPU"),
                    Map.entry("tandem.shards.decode.backend", "openvino"),
                    Map.entry("tandem.hardware.strict", "true"),
                    Map.entry("tandem.openvino.library", OpenVinoDouble.library()),
                    Map.entry("tandem.openvino.prefill-chunk", "16"),
                    Map.entry("tandem.openvino.cache-dir", "target/test-openvino/cache"),
                    Map.entry("tandem.engine.max-num-batched-tokens", "64"),
                    Map.entry("tandem.engine.threads", "1"));
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    private String expected(TextTokenizer tok, ModelConfig c, String prompt, int n) {
        List<Integer> ids = OpenVinoDouble.continuation(tok.encode(prompt, true), n, c.vocabSize(), List.of());
        return tok.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
    }

    @Test
    void answersComeFromPrefillOnTheNpuAndDecodeOnTheGpu() throws Exception {
        JsonNode devices = JSON.readTree(Http.get(root + "v1/devices").body());
        String prefill = devices.at("/shards/prefill").asText(),
                decode = devices.at("/shards/decode").asText();
        assertTrue(
                prefill.contains("backend openvino")
                        && prefill.contains("on NPU (Contract double NPU), static prefill chunk 16"),
                prefill);
        assertTrue(
                decode.contains("backend openvino")
                        && decode.contains("on GPU (Contract double GPU), dynamic shapes, batched"),
                decode);
        ModelConfig c = Checkpoint.readConfig(MODEL);
        String[] prompts = {
            "The jury said that the city's election was conducted with a great deal of care, and that the report of the"
                    + " grand jury would be read",
            "Once upon a time",
            "Tell me about the weather in a small town by the sea"
        };
        try (TextTokenizer tok = TextTokenizer.load(MODEL)) {
            assertTrue(tok.encode(prompts[0], true).length > 32, "the first prompt spans several NPU chunks");
            List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
            for (String p : prompts) {
                answers.add(CompletableFuture.supplyAsync(() -> complete(p, 24)));
            }
            for (int i = 0; i < prompts.length; i++) {
                JsonNode r = answers.get(i).join();
                assertEquals(
                        expected(tok, c, prompts[i], 24),
                        r.at("/choices/0/text").asText(),
                        "prompt " + i);
                assertEquals(24, r.at("/usage/completion_tokens").asInt());
            }
            // Streaming and a second round on the same prefix (prefix cache: the NPU gathers the cached blocks).
            IntStream.range(0, 2)
                    .forEach(k -> assertEquals(
                            expected(tok, c, prompts[0], 8),
                            complete(prompts[0], 8).at("/choices/0/text").asText()));
        }
        assertEquals(200, Http.get(root + "q/health/ready").statusCode());
    }

    private JsonNode complete(String prompt, int n) {
        try {
            return JSON.readTree(Http.post(
                            root + "v1/completions",
                            JSON.writeValueAsString(Map.of(
                                    "model",
                                    "model",
                                    "prompt",
                                    prompt,
                                    "max_tokens",
                                    n,
                                    "temperature",
                                    0,
                                    "ignore_eos",
                                    true)))
                    .body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
