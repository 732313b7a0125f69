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
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI Node SDK's structured output helpers, unmodified (src/test/e2e/structured-output.mjs):
 * chat.completions.parse with zodResponseFormat at temperature 0 and 1, chat.completions.stream with
 * it, parse with a plain strict JSON schema, and a zod schema the grammar cannot honour.
 */
@QuarkusTest
class NodeSdkStructuredOutputTest {
    static final Set<String> DAYS = Set.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    @TestHTTPResource("/v1")
    URL v1;

    @Inject
    Engine engine;

    @Test
    void parseHelpersGetObjectsThatValidate() throws Exception {
        JsonNode seen = NodeSdkScript.run("structured-output.mjs", v1.toString());

        for (String run : new String[] {"t0", "t1"}) {
            assertEquals("stop", seen.path("finish_" + run).asText(), seen.toString());
            assertEvent(seen.path("parsed_" + run));
            assertTrue(
                    seen.path("recheck_" + run).asBoolean(),
                    "zod accepts the content again: " + seen.path("content_" + run));
            assertEquals(
                    seen.path("parsed_" + run),
                    new ObjectMapper().readTree(seen.path("content_" + run).asText()),
                    "parsed is the content's JSON");
        }
        assertEquals("stop", seen.path("stream_finish").asText());
        assertTrue(seen.path("stream_deltas").asInt() > 5, "the stream came in pieces: " + seen.path("stream_deltas"));
        assertEvent(seen.path("stream_parsed"));

        JsonNode plain = seen.path("plain_parsed");
        assertTrue(plain.path("key").asText().matches("[a-z]{2,8}"), plain.toString());
        assertTrue(
                plain.path("value").canConvertToInt()
                        && plain.path("value").asInt() >= 1
                        && plain.path("value").asInt() <= 9,
                plain.toString());
        assertEquals(2, plain.size(), plain.toString());

        JsonNode bad = seen.path("bad");
        assertEquals(400, bad.path("status").asInt(), bad.toString());
        assertEquals(
                "response_format.json_schema.schema.properties.at.pattern",
                bad.path("param").asText(),
                bad.toString());
        assertTrue(bad.path("message").asText().contains("backreference"), bad.toString());
        ConcurrencyTest.awaitIdle(engine);
    }

    /** What the zod schema in the script says, checked here independently of zod. */
    static void assertEvent(JsonNode event) {
        assertTrue(event.isObject() && event.size() == 5, event.toString());
        assertTrue(event.path("name").isTextual() && event.path("name").asText().length() <= 40, event.toString());
        assertTrue(DAYS.contains(event.path("day").asText()), event.toString());
        assertTrue(event.path("attendees").isArray() && event.path("attendees").size() <= 3, event.toString());
        for (JsonNode a : event.path("attendees")) {
            assertTrue(
                    a.size() == 2
                            && a.path("first").isTextual()
                            && a.path("first").asText().length() <= 20,
                    a.toString());
            assertTrue(
                    a.path("age").isIntegralNumber()
                            && a.path("age").asInt() >= 0
                            && a.path("age").asInt() <= 120,
                    a.toString());
        }
        assertTrue(event.path("confirmed").isBoolean(), event.toString());
        assertTrue(event.path("note").isNull() || event.path("note").asText().length() <= 30, event.toString());
    }
}
