package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.TextTokenizer;
import dev.tandem.tools.AnswerParser;
import dev.tandem.tools.ParsedAnswer;
import dev.tandem.tools.ToolFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What the API reads of a real model's tool handling. Mistral's [TOOL_CALLS] and [ARGS] are special
 * tokens, which the detokenizer drops: their ids map back to their text so the parser sees them,
 * and a Mistral answer generated as token ids comes out as its calls. Qwen 3 reasons in think tags.
 */
class ToolStyleTest {
    static ToolStyle style(String name, TextTokenizer tok) {
        return ToolStyle.of(ChatPrompt.forTokenizer(tok), tok, java.util.Optional.empty());
    }

    @Test
    void mistralMarkersAreSpecialTokensWhoseTextReachesTheParser() throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(Path.of("src/test/resources/tokenizers/mistral_nemo"))) {
            ToolStyle style = style("mistral_nemo", tok);
            assertEquals(ToolFormat.MISTRAL, style.format());
            assertTrue(
                    style.markerIds().containsValue("[TOOL_CALLS]"),
                    style.markerIds().toString());
            int[] ids = tok.encode(
                    "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", false);
            assertTrue(style.markerIds().containsKey(ids[0]), "[TOOL_CALLS] is one special token");
            AnswerParser parser = new AnswerParser(style.format(), style.reasoning(), false);
            StringBuilder detokenized = new StringBuilder();
            for (int id : ids) {
                String text = tok.decode(new int[] {id}, true);
                detokenized.append(text);
                parser.feed(style.textOf(id, text));
            }
            parser.finish();
            assertTrue(!detokenized.toString().contains("[TOOL_CALLS]"), "the detokenizer alone drops the marker");
            ParsedAnswer a = parser.answer();
            assertEquals(1, a.calls().size(), a.toString());
            assertEquals("get_weather", a.calls().getFirst().name());
            assertEquals("{\"city\": \"Paris\"}", a.calls().getFirst().arguments());
            assertEquals(9, a.calls().getFirst().id().length(), "Mistral's templates need nine-character ids");
        }
    }

    @Test
    void qwen3IsHermesAndReasons() throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(Path.of("src/test/resources/tokenizers/qwen3"))) {
            ToolStyle style = style("qwen3", tok);
            assertEquals(ToolFormat.HERMES, style.format());
            assertTrue(style.reasoning() && style.templateRendersTools());
        }
    }
}
