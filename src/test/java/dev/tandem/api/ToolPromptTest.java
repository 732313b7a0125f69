package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.TokenizerConfig;
import dev.tandem.tools.FunctionTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A whole agent turn (user, assistant with a call, tool result) through the real Qwen 3, Llama 3.2
 * and Mistral Nemo templates: each writes the call in its own form with the arguments as an object
 * (not a JSON string inside JSON), and the result where the model expects it. The demo template,
 * which knows no tools, gets them described and the call written in the Hermes form.
 */
class ToolPromptTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<FunctionTool> TOOLS = List.of(new FunctionTool(
            "get_weather",
            "The forecast",
            JSON.createObjectNode()
                    .put("type", "object")
                    .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                            "properties",
                            JSON.createObjectNode()
                                    .set("city", JSON.createObjectNode().put("type", "string")))
                    .set("required", JSON.createArrayNode().add("city")),
            false));

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> conversation() throws Exception {
        return JSON.readValue("""
                [{"role": "user", "content": "Weather in Paris?"},
                 {"role": "assistant", "content": null, "tool_calls": [{"id": "abc123XYZ", "type": "function",
                   "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]},
                 {"role": "tool", "tool_call_id": "abc123XYZ", "content": "sunny, 21 C"}]""", List.class);
    }

    static String render(String model, boolean templateRendersTools) throws Exception {
        TokenizerConfig config = TokenizerConfig.read(Path.of(model));
        ChatPrompt prompt = new ChatPrompt(config.chatTemplate().orElseThrow(), config.specialTokens());
        assertEquals(templateRendersTools, prompt.source().contains("tools"));
        try {
            return prompt.render(
                    ToolPrompt.messages(conversation(), TOOLS, templateRendersTools),
                    templateRendersTools ? ToolPrompt.forTemplate(TOOLS) : null,
                    true,
                    Map.of());
        } catch (RuntimeException e) {
            throw new AssertionError(model + ": " + e.getMessage(), e);
        }
    }

    @Test
    void realTemplatesRenderTheCallAndItsResult() throws Exception {
        String qwen = render("src/test/resources/tokenizers/qwen3", true);
        assertTrue(
                qwen.contains(
                        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"),
                qwen);
        assertTrue(qwen.contains("<tool_response>\nsunny, 21 C\n</tool_response>"), qwen);
        assertTrue(
                qwen.contains("\"name\": \"get_weather\"") && qwen.contains("<tools>"),
                "the tools are listed: " + qwen);

        String llama = render("src/test/resources/tokenizers/llama3_2", true);
        assertTrue(llama.contains("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}"), llama);
        assertTrue(
                llama.contains("ipython<|end_header_id|>\n\n\"sunny, 21 C\"")
                        || llama.contains("ipython<|end_header_id|>\n\nsunny, 21 C"),
                llama);

        String mistral = render("src/test/resources/tokenizers/mistral_nemo", true);
        assertTrue(
                mistral.contains(
                        "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abc123XYZ\"}]"),
                mistral);
        assertTrue(mistral.contains("[TOOL_RESULTS]") && mistral.contains("sunny, 21 C"), mistral);
        for (String r : List.of(qwen, llama, mistral)) {
            assertTrue(!r.contains("\"{\\\"city"), "arguments are an object, not a string of JSON: " + r);
        }
    }

    @Test
    void aTemplateWithoutToolsGetsThemDescribedAndTheCallAsHermesText() throws Exception {
        String demo = render("models/demo-llama-6m", false);
        assertTrue(demo.startsWith("<|im_start|>system\nYou may call one or more functions"), demo);
        assertTrue(demo.contains("\"name\":\"get_weather\""), "the function's JSON: " + demo);
        assertTrue(
                demo.contains(
                        "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"),
                demo);
        assertTrue(demo.contains("<|im_start|>tool\nsunny, 21 C<|im_end|>"), demo);
    }
}
