package dev.tandem.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.tokenizer.jinja.TemplateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real chat templates rendered byte for byte as transformers' apply_chat_template renders them. */
class ChatPromptTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path TOKENIZERS = Path.of("src/test/resources/tokenizers");

    static Stream<Arguments> renders() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode r : JSON.readTree(TOKENIZERS.resolve("chat-renders.json").toFile())) {
            if (!r.get("case").asText().equals("encode")) {
                out.add(Arguments.of(
                        r.get("template").asText() + " case " + r.get("case").asText(), r));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    @SuppressWarnings("unchecked")
    void rendersLikeTransformers(String name, JsonNode r) throws Exception {
        TokenizerConfig config =
                TokenizerConfig.read(TOKENIZERS.resolve(r.get("template").asText()));
        ChatPrompt prompt = new ChatPrompt(config.chatTemplate().orElseThrow(), config.specialTokens());
        List<Map<String, Object>> messages = JSON.convertValue(r.get("messages"), List.class);
        List<Object> tools = r.get("tools").isNull() ? null : JSON.convertValue(r.get("tools"), List.class);
        Map<String, Object> kwargs = JSON.convertValue(r.get("kwargs"), Map.class);
        boolean generationPrompt = r.get("add_generation_prompt").asBoolean();
        if (r.get("rendered").isNull()) {
            TemplateException e = assertThrows(
                    TemplateException.class, () -> prompt.render(messages, tools, generationPrompt, kwargs));
            assertEquals(r.get("error").asText(), e.getMessage());
        } else {
            assertEquals(r.get("rendered").asText(), prompt.render(messages, tools, generationPrompt, kwargs));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void demoTemplateMatchesItsFixtures() throws Exception {
        JsonNode fixtures =
                JSON.readTree(Path.of("models/demo-llama-6m/text-fixtures.json").toFile());
        try (TextTokenizer tok = TextTokenizer.load(Path.of("models/demo-llama-6m"))) {
            ChatPrompt prompt = ChatPrompt.forTokenizer(tok);
            for (JsonNode c : fixtures.get("chat")) {
                List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), List.class);
                assertEquals(c.get("rendered").asText(), prompt.render(messages, true));
            }
        }
    }

    @Test
    void mistralRefusesNonAlternatingRolesWithTheTemplatesMessage() throws Exception {
        TokenizerConfig config = TokenizerConfig.read(TOKENIZERS.resolve("mistral_nemo"));
        ChatPrompt prompt = new ChatPrompt(config.chatTemplate().orElseThrow(), config.specialTokens());
        TemplateException e = assertThrows(
                TemplateException.class,
                () -> prompt.render(
                        List.of(Map.of("role", "user", "content", "a"), Map.of("role", "user", "content", "b")), true));
        assertTrue(e.getMessage().contains("alternate"), e.getMessage());
    }
}
