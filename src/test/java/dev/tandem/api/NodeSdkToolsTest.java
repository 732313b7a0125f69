package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.Engine;
import dev.tandem.testsupport.NodeSdkScript;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tool calls and the Responses API through the official OpenAI Node SDK (src/test/e2e/tools.mjs),
 * with the demo model, which has never seen a tool: forced calls whose arguments validate against
 * the function's schema, streamed and not; an agent loop through chat completions and responses;
 * the Responses event stream; 400s with param for bad tool input.
 */
@QuarkusTest
class NodeSdkToolsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WEATHER = """
            {"type": "object", "properties": {"city": {"type": "string", "minLength": 2, "maxLength": 16},
             "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"], "additionalProperties": false}""";
    static final String TIME = """
            {"type": "object", "properties": {"timezone": {"type": "string", "enum": ["UTC", "Europe/Paris"]}}, "required": ["timezone"]}""";

    @TestHTTPResource("/v1")
    URL v1;

    @Inject
    Engine engine;

    static void assertCallValid(String name, String arguments) throws Exception {
        assertTrue(name.equals("get_weather") || name.equals("get_time"), name);
        StructuredOutputTest.assertValid(JSON.readTree(name.equals("get_weather") ? WEATHER : TIME), arguments, name);
    }

    @Test
    void forcedCallsAgentLoopsAndResponsesThroughTheSdk() throws Exception {
        JsonNode seen = NodeSdkScript.run("tools.mjs", v1.toString());

        JsonNode required = seen.path("required");
        assertEquals("tool_calls", required.path("finish").asText(), required.toString());
        assertTrue(required.path("content").isNull(), "a forced answer is only calls: " + required);
        assertTrue(required.path("calls").size() >= 1, required.toString());
        for (JsonNode c : required.path("calls")) {
            assertTrue(
                    c.path("id").asText().startsWith("call_")
                            && c.path("type").asText().equals("function"),
                    c.toString());
            assertCallValid(c.path("name").asText(), c.path("arguments").asText());
        }

        JsonNode named = seen.path("named");
        assertEquals("tool_calls", named.path("finish").asText(), named.toString());
        assertEquals(1, named.path("calls").size(), named.toString());
        assertEquals("get_time", named.path("calls").path(0).path("name").asText());
        assertCallValid(
                "get_time", named.path("calls").path(0).path("arguments").asText());
        assertTrue(named.path("argDeltas").asInt() > 3, "arguments came in fragments: " + named);
        assertEquals(0, named.path("contentDeltas").asInt(), "no content around a forced call");

        JsonNode zod = seen.path("zod");
        assertEquals(1, zod.size(), zod.toString());
        assertCallValid("get_weather", zod.path(0).toString());

        JsonNode chatLoop = seen.path("chatLoop");
        assertTrue(
                chatLoop.path("content").asText().length() > 0
                        && chatLoop.path("calls").isNull(),
                chatLoop.toString());
        assertTrue(List.of("stop", "length").contains(chatLoop.path("finish").asText()), chatLoop.toString());

        JsonNode loop = seen.path("responsesLoop");
        assertEquals("completed", loop.path("status1").asText(), loop.toString());
        assertTrue(loop.path("calls").size() >= 1, loop.toString());
        for (JsonNode c : loop.path("calls")) {
            assertEquals("completed", c.path("status").asText());
            assertTrue(c.path("call_id").asText().startsWith("call_"), c.toString());
            assertCallValid(c.path("name").asText(), c.path("arguments").asText());
        }
        assertEquals("[\"message\"]", loop.path("types2").toString(), loop.toString());
        assertTrue(loop.path("text").asText().length() > 0, "the SDK's output_text: " + loop);
        assertTrue(
                List.of("completed", "incomplete").contains(loop.path("status2").asText()), loop.toString());
        int out = loop.path("usage2").path("output_tokens").asInt();
        assertTrue(
                out > 0
                        && out <= 60
                        && loop.path("usage2").path("total_tokens").asInt()
                                == out
                                        + loop.path("usage2")
                                                .path("input_tokens")
                                                .asInt(),
                loop.toString());

        JsonNode rs = seen.path("responsesStream");
        List<String> types = new ArrayList<>();
        for (int i = 0; i < rs.path("events").size(); i++) {
            JsonNode e = rs.path("events").get(i);
            assertEquals(i, e.path("seq").asInt(), "sequence numbers rise by one: " + rs.path("events"));
            types.add(e.path("type").asText());
        }
        assertEquals(
                List.of("response.created", "response.in_progress", "response.output_item.added"), types.subList(0, 3));
        assertEquals(
                List.of("response.function_call_arguments.done", "response.output_item.done", "response.completed"),
                types.subList(types.size() - 3, types.size()),
                types.toString());
        assertTrue(
                types.stream()
                                .filter(t -> t.equals("response.function_call_arguments.delta"))
                                .count()
                        > 3,
                types.toString());
        assertEquals("completed", rs.path("status").asText());
        assertEquals(1, rs.path("output").size(), rs.toString());
        assertEquals("get_weather", rs.path("output").path(0).path("name").asText());
        assertCallValid(
                "get_weather", rs.path("output").path(0).path("arguments").asText());

        JsonNode parsed = seen.path("responsesParse").path("parsed");
        assertTrue(
                parsed.path("city").isTextual() && parsed.path("sunny").isBoolean() && parsed.size() == 2,
                parsed.toString());

        JsonNode bad = seen.path("bad");
        assertEquals(JSON.readTree("""
                {"unknownChoice": {"status": 400, "param": "tool_choice"}, "badTool": {"status": 400, "param": "tools[0].function.name"},
                 "notSchema": {"status": 400, "param": "tools[0].function.parameters"},
                 "previous": {"status": 400, "param": "previous_response_id"}}"""), bad);
        ConcurrencyTest.awaitIdle(engine);
    }
}
