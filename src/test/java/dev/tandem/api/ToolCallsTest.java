package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tool calls over plain HTTP with the demo model: the streamed deltas of forced calls (id, type and
 * name first, then fragments) add up to the answer the same request gets unstreamed; none, n > 1
 * and parallel_tool_calls; 400s with param; unknown URLs.
 */
@QuarkusTest
class ToolCallsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "The forecast for a city", "parameters":
              {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
               "required": ["city", "days"]}}},
             {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}]""";

    @TestHTTPResource("/v1/")
    URL v1;

    @Inject
    Engine engine;

    ObjectNode request(String toolChoice) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree("""
                {"model": "demo-llama-6m", "messages": [{"role": "user", "content": "Weather in Oslo for two days?"}],
                 "max_tokens": 200, "temperature": 0}""");
        body.set("tools", JSON.readTree(TOOLS));
        body.set("tool_choice", JSON.readTree(toolChoice));
        return body;
    }

    JsonNode post(ObjectNode body, int status) throws Exception {
        var r = Http.post(v1 + "chat/completions", body.toString());
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The calls the stream's deltas add up to, checking that each call's first delta has id, type and name. */
    List<String[]> streamedCalls(ObjectNode body, StringBuilder content, String[] finish) throws Exception {
        body.put("stream", true);
        List<String[]> calls = new ArrayList<>();
        try (InputStream in = Http.openStream(v1 + "chat/completions", body.toString())) {
            for (String event : Http.events(in)) {
                if (event.equals("[DONE]")) {
                    continue;
                }
                JsonNode choice = JSON.readTree(event).path("choices").path(0);
                content.append(choice.path("delta").path("content").asText(""));
                for (JsonNode d : choice.path("delta").path("tool_calls")) {
                    int index = d.path("index").asInt();
                    if (index == calls.size()) {
                        assertTrue(
                                d.path("id").asText().startsWith("call_")
                                        && d.path("type").asText().equals("function")
                                        && d.path("function").path("name").isTextual(),
                                "a call's first delta names it: " + d);
                        calls.add(new String[] {
                            d.path("id").asText(),
                            d.path("function").path("name").asText(),
                            ""
                        });
                    } else {
                        assertTrue(
                                !d.has("id") && !d.path("function").has("name"),
                                "later deltas only add arguments: " + d);
                    }
                    calls.get(index)[2] += d.path("function").path("arguments").asText("");
                }
                if (choice.hasNonNull("finish_reason")) {
                    finish[0] = choice.get("finish_reason").asText();
                }
            }
        }
        return calls;
    }

    @Test
    void streamedCallsAddUpToTheUnstreamedAnswer() throws Exception {
        for (String choice :
                List.of("\"required\"", "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}")) {
            JsonNode whole = post(request(choice), 200).path("choices").path(0);
            assertEquals("tool_calls", whole.path("finish_reason").asText(), whole.toString());
            assertTrue(whole.path("message").path("content").isNull(), whole.toString());
            StringBuilder content = new StringBuilder();
            String[] finish = new String[1];
            List<String[]> calls = streamedCalls(request(choice), content, finish);
            assertEquals("tool_calls", finish[0]);
            assertEquals("", content.toString(), "no content around forced calls");
            JsonNode expected = whole.path("message").path("tool_calls");
            assertEquals(expected.size(), calls.size(), choice);
            for (int i = 0; i < calls.size(); i++) {
                assertEquals(expected.get(i).path("function").path("name").asText(), calls.get(i)[1]);
                assertEquals(
                        expected.get(i).path("function").path("arguments").asText(),
                        calls.get(i)[2],
                        "greedy: the same arguments");
                JsonNode args = JSON.readTree(calls.get(i)[2]);
                if (calls.get(i)[1].equals("get_weather")) {
                    assertTrue(
                            args.path("city").asText().length() <= 12
                                    && args.path("days").asInt() >= 1
                                    && args.path("days").asInt() <= 7,
                            args.toString());
                } else {
                    assertEquals(0, args.size(), args.toString());
                }
            }
        }
        ConcurrencyTest.awaitIdle(engine);
    }

    @Test
    void noneAndParallelAndSeveralChoices() throws Exception {
        ObjectNode none = request("\"none\"");
        JsonNode answer = post(none, 200);
        JsonNode message = answer.path("choices").path(0).path("message");
        assertTrue(message.path("content").isTextual() && !message.has("tool_calls"), message.toString());
        ObjectNode plain = request("\"none\"");
        plain.remove("tools");
        plain.remove("tool_choice");
        assertEquals(
                post(plain, 200).path("usage").path("prompt_tokens"),
                answer.path("usage").path("prompt_tokens"),
                "tool_choice none: the tools are not shown to the model");

        ObjectNode single = request("\"required\"");
        single.put("parallel_tool_calls", false);
        single.put("n", 3);
        single.put("temperature", 1.0);
        JsonNode three = post(single, 200);
        assertEquals(3, three.path("choices").size());
        for (JsonNode c : three.path("choices")) {
            assertEquals(1, c.path("message").path("tool_calls").size(), "parallel_tool_calls false: one call: " + c);
            assertEquals("tool_calls", c.path("finish_reason").asText());
        }
        ObjectNode cut = request("\"required\"");
        cut.put("max_tokens", 6);
        JsonNode c = post(cut, 200).path("choices").path(0);
        assertEquals("length", c.path("finish_reason").asText(), "cut off mid-call: length, as OpenAI: " + c);
        ConcurrencyTest.awaitIdle(engine);
    }

    @Test
    void badToolInputIsA400NamingTheParam() throws Exception {
        String[][] cases = {
            {"{\"tools\": null, \"tool_choice\": \"required\"}", "tool_choice"},
            {"{\"tools\": [{\"type\": \"retrieval\"}]}", "tools[0].type"},
            {"{\"tools\": {\"a\": 1}}", "tools"},
            {
                "{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a\"}}, {\"type\": \"function\", \"function\": {\"name\": \"a\"}}]}",
                "tools[1].function.name"
            },
            {
                "{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a\", \"parameters\": {\"type\": \"string\"}}}]}",
                "tools[0].function.parameters.type"
            },
            {
                "{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a\", \"parameters\": {\"type\": \"object\", \"required\": \"x\"}}}]}",
                "tools[0].function.parameters.required"
            },
            {
                "{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a\", \"strict\": true, \"parameters\": {\"type\": \"object\", \"properties\": {\"x\": {\"contentSchema\": {}}}}}}]}",
                "tools[0].function.parameters.properties.x.contentSchema"
            },
            {"{\"tool_choice\": \"sometimes\"}", "tool_choice"},
            {"{\"tool_choice\": \"required\", \"response_format\": {\"type\": \"json_object\"}}", "tool_choice"},
        };
        for (String[] c : cases) {
            ObjectNode body = request("\"auto\"");
            body.remove("tool_choice");
            JsonNode override = JSON.readTree(c[0]);
            override.fields().forEachRemaining(e -> body.set(e.getKey(), e.getValue()));
            JsonNode error = post(body, 400).path("error");
            assertEquals(c[1], error.path("param").asText(), c[0] + " -> " + error);
            assertEquals("invalid_request_error", error.path("type").asText(), error.toString());
        }
        var unknown = Http.post(v1 + "audio/speech", "{}");
        assertEquals(404, unknown.statusCode());
        JsonNode e = JSON.readTree(unknown.body()).path("error");
        assertEquals("unknown_url", e.path("code").asText(), e.toString());
        assertTrue(e.path("message").asText().contains("POST /v1/audio/speech"), e.toString());
        ConcurrencyTest.awaitIdle(engine);
    }
}
