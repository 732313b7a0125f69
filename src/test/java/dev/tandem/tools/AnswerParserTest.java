package dev.tandem.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Answers as real models write them, taken apart whole and streamed in pieces of every size: the
 * same content, reasoning and calls either way; no marker in the content; argument fragments that
 * join to the call's arguments.
 */
class AnswerParserTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What a stream of deltas adds up to, checked for the streaming rules on the way. */
    record Streamed(
            String content,
            String reasoning,
            List<String> names,
            List<String> arguments,
            List<List<AnswerDelta>> chunks) {}

    static Streamed stream(ToolFormat format, String answer, List<String> pieces) {
        AnswerParser p = new AnswerParser(format, true, false);
        StringBuilder content = new StringBuilder(), reasoning = new StringBuilder();
        List<String> names = new ArrayList<>(), args = new ArrayList<>();
        List<List<AnswerDelta>> chunks = new ArrayList<>();
        List<List<AnswerDelta>> all = new ArrayList<>();
        for (String piece : pieces) {
            all.add(p.feed(piece));
        }
        all.add(p.finish());
        for (List<AnswerDelta> ds : all) {
            chunks.add(ds);
            for (AnswerDelta d : ds) {
                switch (d) {
                    case AnswerDelta.Content c -> content.append(c.text());
                    case AnswerDelta.Reasoning r -> reasoning.append(r.text());
                    case AnswerDelta.CallStart s -> {
                        assertEquals(names.size(), s.index(), "calls start in order, once each");
                        assertTrue(
                                s.id() != null && !s.id().isEmpty() && s.name() != null,
                                "id and name in the first delta");
                        names.add(s.name());
                        args.add("");
                    }
                    case AnswerDelta.CallArguments a -> {
                        assertTrue(a.index() < names.size(), "arguments only after their call's name");
                        args.set(a.index(), args.get(a.index()) + a.fragment());
                    }
                }
            }
        }
        ParsedAnswer whole = p.answer();
        assertEquals(names, whole.calls().stream().map(ToolCall::name).toList());
        assertEquals(
                args, whole.calls().stream().map(ToolCall::arguments).toList(), "the fragments join to the arguments");
        assertEquals(whole.content() == null ? "" : whole.content(), content.toString());
        return new Streamed(content.toString(), whole.reasoning(), names, args, chunks);
    }

    /** The answer whole, one character at a time, and in random pieces: all give the same parts. */
    static Streamed parse(ToolFormat format, String answer) {
        Streamed whole = stream(format, answer, List.of(answer));
        List<String> chars =
                answer.chars().mapToObj(c -> String.valueOf((char) c)).toList();
        assertSame(whole, stream(format, answer, chars));
        Random r = new Random(answer.hashCode());
        for (int round = 0; round < 20; round++) {
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < answer.length(); ) {
                int n = 1 + r.nextInt(12);
                pieces.add(answer.substring(i, Math.min(answer.length(), i + n)));
                i += n;
            }
            assertSame(whole, stream(format, answer, pieces));
        }
        List<String> markers = format == null
                ? List.of("<think>", "</think>")
                : List.of(
                        "<tool_call>",
                        "</tool_call>",
                        "[TOOL_CALLS]",
                        "[ARGS]",
                        "<|python_tag|>",
                        "<think>",
                        "</think>");
        for (String marker : markers) {
            assertTrue(!whole.content().contains(marker), "no " + marker + " in the content: " + whole.content());
        }
        for (String a : whole.arguments()) {
            assertTrue(isJson(a), "arguments are JSON: " + a);
        }
        return whole;
    }

    static void assertSame(Streamed expected, Streamed got) {
        assertEquals(expected.content(), got.content());
        assertEquals(expected.reasoning(), got.reasoning());
        assertEquals(expected.names(), got.names());
        assertEquals(expected.arguments(), got.arguments());
    }

    static boolean isJson(String s) {
        try {
            JSON.readTree(s);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static String compact(String json) throws Exception {
        return JSON.readTree(json).toString();
    }

    @Test
    void qwen3ThinksThenCallsTwoFunctions() throws Exception {
        String answer =
                "<think>\nThe user wants the weather in Paris and the time there. I will call both tools.\n</think>\n\n"
                        + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\"}}\n</tool_call>\n"
                        + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"timezone\": \"Europe/Paris\"}}\n</tool_call>";
        Streamed s = parse(ToolFormat.HERMES, answer);
        assertEquals(
                "The user wants the weather in Paris and the time there. I will call both tools.",
                s.reasoning().strip());
        assertEquals(List.of("get_weather", "get_time"), s.names());
        assertEquals(
                "{\"city\":\"Paris\",\"unit\":\"celsius\"}",
                compact(s.arguments().get(0)));
        assertEquals("", s.content(), "only calls: no content");
    }

    @Test
    void qwen25TextBeforeACallIsContent() throws Exception {
        String answer =
                "Let me look that up for you.\n<tool_call>\n{\"name\": \"get_current_temperature\", \"arguments\": "
                        + "{\"location\": \"San Francisco, CA, USA\", \"unit\": \"fahrenheit\"}}\n</tool_call>";
        Streamed s = parse(ToolFormat.HERMES, answer);
        assertEquals("Let me look that up for you.", s.content());
        assertEquals(
                "{\"location\":\"San Francisco, CA, USA\",\"unit\":\"fahrenheit\"}",
                compact(s.arguments().getFirst()));
    }

    @Test
    void aPlainAnswerIsAllContentEvenWithTagLikeText() {
        Streamed s = parse(ToolFormat.HERMES, "Use <b>bold</b> or a <tool> tag; x < y and [TOOL] is not a call.\n");
        assertEquals("Use <b>bold</b> or a <tool> tag; x < y and [TOOL] is not a call.\n", s.content());
        assertTrue(s.names().isEmpty());
    }

    /** vllm#9693 and llama.cpp: a call without arguments streams "{}" as its arguments, not nothing. */
    @Test
    void aCallWithoutArgumentsHasEmptyObjectArguments() {
        Streamed s = parse(ToolFormat.HERMES, "<tool_call>\n{\"name\": \"get_time\"}\n</tool_call>");
        assertEquals(List.of("{}"), s.arguments());
        Streamed empty =
                parse(ToolFormat.HERMES, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>");
        assertEquals(List.of("{}"), empty.arguments());
    }

    /** vllm#10395: the chunk that ends the arguments and closes the tag loses or repeats no argument text. */
    @Test
    void theLastChunkOfACallKeepsItsArgumentEnd() {
        String answer = "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"q\": \"tandem\"}}\n</tool_call>";
        int cut = answer.indexOf("dem\"}");
        Streamed s = stream(ToolFormat.HERMES, answer, List.of(answer.substring(0, cut), answer.substring(cut)));
        assertEquals(List.of("{\"q\": \"tandem\"}"), s.arguments());
    }

    /** vllm#47901: several calls, their tags, and text in one chunk. */
    @Test
    void severalCallsInOneChunk() {
        String answer =
                "<tool_call>{\"name\": \"a\", \"arguments\": {\"x\": 1}}</tool_call><tool_call>{\"name\": \"b\", \"arguments\": {\"y\": [1, 2]}}</tool_call>";
        Streamed s = stream(ToolFormat.HERMES, answer, List.of(answer));
        assertEquals(List.of("a", "b"), s.names());
        assertEquals(List.of("{\"x\": 1}", "{\"y\": [1, 2]}"), s.arguments());
        assertEquals(1, s.chunks().stream().filter(c -> !c.isEmpty()).count(), "all of it in the one chunk's deltas");
    }

    /** vllm#21301: the markers never leak into content, whatever the chunk boundaries. */
    @Test
    void markersSplitAcrossChunksNeverReachTheContent() {
        String answer =
                "Sure.<tool_call>\n{\"name\": \"a\", \"arguments\": {\"s\": \"</tool_call> inside a string\"}}\n</tool_call> Done.";
        for (int cut = 1; cut < answer.length(); cut++) {
            Streamed s = stream(ToolFormat.HERMES, answer, List.of(answer.substring(0, cut), answer.substring(cut)));
            assertEquals("Sure. Done.", s.content(), "cut at " + cut);
            assertEquals(List.of("{\"s\": \"</tool_call> inside a string\"}"), s.arguments(), "cut at " + cut);
        }
    }

    @Test
    void nameAndIdComeBeforeAnyArgumentAndArgumentsStreamBeforeTheCallEnds() {
        String answer =
                "<tool_call>\n{\"name\": \"write\", \"arguments\": {\"text\": \"a long text that streams\"}}\n</tool_call>";
        List<String> chars =
                answer.chars().mapToObj(c -> String.valueOf((char) c)).toList();
        Streamed s = stream(ToolFormat.HERMES, answer, chars);
        int start = -1, firstArgs = -1, lastArgs = -1;
        for (int i = 0; i < s.chunks().size(); i++) {
            for (AnswerDelta d : s.chunks().get(i)) {
                if (d instanceof AnswerDelta.CallStart && start < 0) {
                    start = i;
                }
                if (d instanceof AnswerDelta.CallArguments) {
                    firstArgs = firstArgs < 0 ? i : firstArgs;
                    lastArgs = i;
                }
            }
        }
        assertTrue(start >= 0 && start <= firstArgs, "the name first");
        assertTrue(firstArgs < answer.indexOf("streams"), "arguments stream while they are written: " + firstArgs);
        assertTrue(lastArgs < answer.indexOf("</tool_call>"), "and are done when the object closes");
    }

    @Test
    void argumentsGivenAsAJsonStringAreItsValue() {
        Streamed s =
                parse(ToolFormat.HERMES, "<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}</tool_call>");
        assertEquals(List.of("{\"a\": 1}"), s.arguments());
    }

    @Test
    void cutOffMidCallKeepsWhatCame() {
        Streamed s = stream(
                ToolFormat.HERMES,
                "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": \"unfin",
                List.of("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": \"unfin"));
        assertEquals(List.of("f"), s.names());
        assertEquals(
                List.of("{\"a\": \"unfin"), s.arguments(), "max_tokens mid-call: the arguments as far as they came");
    }

    @Test
    void llama31JsonCalls() throws Exception {
        Streamed s = parse(
                ToolFormat.LLAMA3_JSON,
                "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"days\": 3}}");
        assertEquals(List.of("get_weather"), s.names());
        assertEquals("{\"city\":\"Paris\",\"days\":3}", compact(s.arguments().getFirst()));
        Streamed tagged = parse(
                ToolFormat.LLAMA3_JSON,
                "<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"k\": \"v\"}}");
        assertEquals(List.of("a", "b"), tagged.names());
        assertEquals(List.of("{}", "{\"k\": \"v\"}"), tagged.arguments());
        Streamed typed = parse(
                ToolFormat.LLAMA3_JSON, "{\"type\": \"function\", \"name\": \"f\", \"parameters\": {\"x\": true}}");
        assertEquals(List.of("f"), typed.names());
    }

    @Test
    void llamaAnswersThatAreNotCallsAreContent() {
        assertEquals(
                "The weather in Paris is sunny.",
                parse(ToolFormat.LLAMA3_JSON, "The weather in Paris is sunny.").content());
        Streamed json = parse(ToolFormat.LLAMA3_JSON, "{\"answer\": 42, \"unit\": \"none\"}");
        assertTrue(json.names().isEmpty());
        assertEquals("{\"answer\": 42, \"unit\": \"none\"}", json.content());
    }

    @Test
    void llama32PythonicCalls() throws Exception {
        Streamed s = parse(
                ToolFormat.PYTHONIC,
                "[get_weather(city=\"San Francisco\", days=3, metric=True), search(query='tandem \\'server\\'', tags=[\"a\", 'b'], opts={'k': None, 'n': -1.5})]");
        assertEquals(List.of("get_weather", "search"), s.names());
        assertEquals(
                "{\"city\":\"San Francisco\",\"days\":3,\"metric\":true}",
                compact(s.arguments().get(0)));
        assertEquals(
                "{\"query\":\"tandem 'server'\",\"tags\":[\"a\",\"b\"],\"opts\":{\"k\":null,\"n\":-1.5}}",
                compact(s.arguments().get(1)));
        assertEquals(List.of("{}"), parse(ToolFormat.PYTHONIC, "[get_time()]").arguments());
        assertEquals(
                "[1] is a footnote, not a call.",
                parse(ToolFormat.PYTHONIC, "[1] is a footnote, not a call.").content());
    }

    @Test
    void mistralV3JsonListOfCalls() throws Exception {
        Streamed s = parse(
                ToolFormat.MISTRAL,
                "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
                        + "{\"name\": \"get_time\", \"arguments\": {}}]");
        assertEquals(List.of("get_weather", "get_time"), s.names());
        assertEquals(List.of("{\"city\": \"Paris\"}", "{}"), s.arguments());
        assertEquals("", s.content());
    }

    @Test
    void mistralV11NameArgsCalls() {
        Streamed s = parse(
                ToolFormat.MISTRAL,
                "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\", \"unit\": \"c\"}[TOOL_CALLS]get_time[ARGS]{}");
        assertEquals(List.of("get_weather", "get_time"), s.names());
        assertEquals(List.of("{\"city\": \"Paris\", \"unit\": \"c\"}", "{}"), s.arguments());
        Streamed text = parse(ToolFormat.MISTRAL, "Bonjour! I can help.");
        assertEquals("Bonjour! I can help.", text.content());
    }

    @Test
    void withoutToolsOnlyReasoningIsTakenOut() {
        Streamed s = parse(null, "<think>plan</think>\n\nHere is <tool_call>{\"name\": \"x\"}</tool_call> as text.");
        assertEquals("plan", s.reasoning());
        assertEquals("Here is <tool_call>{\"name\": \"x\"}</tool_call> as text.", s.content());
        assertTrue(s.names().isEmpty());
    }

    @Test
    void aPromptThatOpenedThinkingStartsInReasoning() {
        AnswerParser p = new AnswerParser(ToolFormat.HERMES, true, true);
        p.feed("still thinking</think>The answer.");
        p.finish();
        assertEquals("still thinking", p.answer().reasoning());
        assertEquals("The answer.", p.answer().content());
        AnswerParser none = new AnswerParser(ToolFormat.HERMES, false, false);
        none.feed("plain");
        none.finish();
        assertNull(none.answer().reasoning());
    }
}
