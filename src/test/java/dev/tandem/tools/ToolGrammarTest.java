package dev.tandem.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.grammar.GrammarMatcher;
import dev.tandem.grammar.Grammars;
import dev.tandem.grammar.TokenVocabulary;
import dev.tandem.request.OutputGrammar;
import dev.tandem.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The format each real chat template is detected as, and the grammars of forced and strict calls:
 * what they let through is what the parser reads back as the call, and arguments off the schema
 * are refused. A vocabulary of the 256 single bytes stands in for a model's.
 */
class ToolGrammarTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Grammars BYTES = Grammars.of(new TokenVocabulary(byteTokens()));
    static final FunctionTool WEATHER = new FunctionTool("get_weather", "", schema("""
            {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
             "required": ["city", "days"]}"""), true);
    static final FunctionTool TIME = new FunctionTool("get_time", "", null, false);

    static byte[][] byteTokens() {
        byte[][] t = new byte[257][];
        for (int b = 0; b < 256; b++) {
            t[b] = new byte[] {(byte) b};
        }
        return t; // 256: EOS, no bytes
    }

    static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String template(String name) throws Exception {
        JsonNode c = JSON.readTree(Path.of("src/test/resources/tokenizers", name, "tokenizer_config.json")
                .toFile());
        JsonNode t = c.get("chat_template");
        if (t.isArray()) {
            for (JsonNode named : t) {
                if (named.path("name").asText().equals("tool_use")) {
                    return named.path("template").asText();
                }
            }
            return t.get(0).path("template").asText();
        }
        return t.asText();
    }

    @Test
    void realTemplatesAreDetected() throws Exception {
        assertEquals(ToolFormat.HERMES, ToolFormat.detect(template("qwen3")));
        assertEquals(ToolFormat.HERMES, ToolFormat.detect(template("qwen2_5")));
        assertEquals(ToolFormat.LLAMA3_JSON, ToolFormat.detect(template("llama3_2")));
        assertEquals(ToolFormat.MISTRAL, ToolFormat.detect(template("mistral_nemo")));
        String demo = JSON.readTree(Files.readString(Path.of("models/demo-llama-6m/tokenizer_config.json")))
                .path("chat_template")
                .asText();
        assertEquals(ToolFormat.HERMES, ToolFormat.detect(demo), "a template that knows no tools gets Hermes");
        assertEquals(ToolFormat.PYTHONIC, ToolFormat.named("pythonic"));
    }

    /** Whether the grammar takes text whole (every byte allowed where it comes, and complete at the end). */
    static boolean accepts(String gbnf, String text) {
        GrammarMatcher m = BYTES.matcher(gbnf);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            m.accept(b & 0xFF);
            if (!m.alive()) {
                return false;
            }
        }
        return m.mayEnd();
    }

    static ParsedAnswer parsed(ToolFormat format, String text) {
        AnswerParser p = new AnswerParser(format, false, false);
        p.feed(text);
        p.finish();
        return p.answer();
    }

    @Test
    void forcedCallsInEachFormatAreWhatTheParserReads() throws Exception {
        String args = "{\"city\": \"Paris\", \"days\": 3}";
        List<FunctionTool> tools = List.of(WEATHER, TIME);
        String[][] cases = {
            {"HERMES", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + args + "}\n</tool_call>"},
            {"LLAMA3_JSON", "{\"name\": \"get_weather\", \"parameters\": " + args + "}"},
            {"MISTRAL", "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": " + args + "}]"},
            {"PYTHONIC", "[get_weather(city=\"Paris\", days=3)]"}
        };
        for (String[] c : cases) {
            ToolFormat format = ToolFormat.valueOf(c[0]);
            String gbnf = ToolGrammar.forced(format, tools, true).gbnf();
            assertTrue(accepts(gbnf, c[1]), format + " takes " + c[1]);
            ParsedAnswer a = parsed(format, c[1]);
            assertEquals(1, a.calls().size(), format + ": " + a);
            assertEquals("get_weather", a.calls().getFirst().name());
            assertEquals(JSON.readTree(args), JSON.readTree(a.calls().getFirst().arguments()), format.toString());
            assertFalse(accepts(gbnf, c[1].replace("3", "9")), format + " refuses days 9 (maximum 7)");
            assertFalse(
                    accepts(gbnf, c[1].replace("get_weather", "get_wether")), format + " refuses an unknown function");
            assertFalse(accepts(gbnf, "Sure! " + c[1]), format + ": the answer is the call, nothing before it");
        }
        String two = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + args + "}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        assertTrue(accepts(ToolGrammar.forced(ToolFormat.HERMES, tools, true).gbnf(), two), "parallel calls");
        assertFalse(
                accepts(ToolGrammar.forced(ToolFormat.HERMES, tools, false).gbnf(), two),
                "parallel_tool_calls false: one call");
        assertFalse(
                accepts(
                        ToolGrammar.forced(ToolFormat.HERMES, List.of(TIME), true)
                                .gbnf(),
                        cases[0][1]),
                "a named function only");
    }

    /** Feeds text through a constraint, failing where the mask forbids a byte that comes. */
    static boolean allowedThrough(TokenConstraint c, String text) {
        float[] logits = new float[257];
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            Arrays.fill(logits, 0f);
            c.mask(logits, 0, 257, List.of(256));
            if (logits[b & 0xFF] == Float.NEGATIVE_INFINITY) {
                return false;
            }
            c.accept(b & 0xFF);
        }
        return true;
    }

    @Test
    void strictFunctionsHoldOnlyOnceTheModelOpensACall() {
        OutputGrammar lazy = ToolGrammar.strictAfterOpening(ToolFormat.HERMES, List.of(WEATHER, TIME))
                .orElseThrow();
        assertEquals("<tool_call>", lazy.trigger().orElseThrow());
        String good =
                "I'll check. <tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 2}}\n</tool_call>"
                        + " Anything {else} goes after it.";
        assertTrue(allowedThrough(BYTES.constraint(lazy), good), "free text around a strict call");
        assertFalse(
                allowedThrough(
                        BYTES.constraint(lazy),
                        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": 5}}"),
                "inside the call the schema holds");
        assertTrue(
                allowedThrough(
                        BYTES.constraint(lazy),
                        "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"any\": [1]}}\n</tool_call>"),
                "a function that is not strict takes any object");
        assertTrue(
                ToolGrammar.strictAfterOpening(ToolFormat.HERMES, List.of(TIME)).isEmpty(),
                "nothing strict: no grammar");
    }
}
