package dev.tandem.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTokenizerTest {
    static final Path DEMO = Path.of("models/demo-llama-6m");
    static final Path TOKENIZERS = Path.of("src/test/resources/tokenizers");

    @Test
    void demoEncodesMatchTransformers() throws Exception {
        JsonNode fixtures =
                new ObjectMapper().readTree(DEMO.resolve("text-fixtures.json").toFile());
        try (TextTokenizer tok = TextTokenizer.load(DEMO)) {
            for (JsonNode e : fixtures.get("encode")) {
                int[] expected = ints(e.get("ids"));
                assertArrayEquals(
                        expected,
                        tok.encode(e.get("text").asText(), false),
                        e.get("text").asText());
                assertEquals(e.get("text").asText(), tok.decode(expected, false));
            }
            // The demo tokenizer adds no BOS (add_bos_token false, no post-processor).
            assertArrayEquals(tok.encode("Hello world", false), tok.encode("Hello world", true));
        }
    }

    @Test
    void addBosTokenFromTokenizerConfigPrependsBosOnce(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.copy(DEMO.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        String config = java.nio.file.Files.readString(DEMO.resolve("tokenizer_config.json"))
                .replace("\"add_bos_token\": false", "\"add_bos_token\": true");
        java.nio.file.Files.writeString(dir.resolve("tokenizer_config.json"), config);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertArrayEquals(
                    new int[] {0, 42, 593, 81, 814}, tok.encode("Hello world", true), "BOS <|endoftext|> = 0 first");
            assertArrayEquals(new int[] {42, 593, 81, 814}, tok.encode("Hello world", false), "no specials asked for");
            assertArrayEquals(
                    new int[] {0, 42, 593, 81, 814}, tok.encode("<|endoftext|>Hello world", true), "never twice");
        }
    }

    /** Real Llama 3.2, Qwen2.5, Qwen3 and Mistral Nemo tokenizers against transformers' encode (with specials). */
    @ParameterizedTest
    @ValueSource(strings = {"llama3_2", "qwen2_5", "qwen3", "mistral_nemo"})
    void realTokenizersMatchTransformers(String name) throws Exception {
        JsonNode renders = new ObjectMapper()
                .readTree(TOKENIZERS.resolve("chat-renders.json").toFile());
        try (TextTokenizer tok = TextTokenizer.load(TOKENIZERS.resolve(name))) {
            for (JsonNode r : renders) {
                if (r.get("template").asText().equals(name)
                        && r.get("case").asText().equals("encode")) {
                    for (int i = 0; i < r.get("texts").size(); i++) {
                        String text = r.get("texts").get(i).asText();
                        assertArrayEquals(ints(r.get("ids").get(i)), tok.encode(text, true), name + ": " + text);
                    }
                }
            }
        }
    }

    @Test
    void incrementalDetokenizingNeverEmitsBrokenUtf8AndEqualsOneDecode() throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(DEMO)) {
            String text = "Unicode: café naïve über 中文 😀 and more 😀😀 ✓ text";
            int[] ids = tok.encode(text, false);
            assertDeltasEqualWholeDecode(tok, ids);
            Random random = new Random(42);
            for (int trial = 0; trial < 50; trial++) {
                int[] randomIds = random.ints(40, 0, 4096).toArray();
                assertDeltasEqualWholeDecode(tok, randomIds);
            }
        }
    }

    static void assertDeltasEqualWholeDecode(TextTokenizer tok, int[] ids) {
        IncrementalDetokenizer d = new IncrementalDetokenizer(tok, true);
        StringBuilder out = new StringBuilder();
        String whole = tok.decode(ids, true);
        for (int id : ids) {
            String delta = d.add(id);
            if (!whole.contains("\uFFFD")) {
                assertFalse(delta.contains("\uFFFD"), "delta with a broken character: " + delta);
            }
            out.append(delta);
        }
        out.append(d.finish());
        assertEquals(whole, out.toString());
        assertEquals(whole, d.text());
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
