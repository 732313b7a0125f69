package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Structured output over HTTP on the demo model, which knows nothing of JSON: every answer to 23
 * schemas parses and validates (networknt's validator, formats asserted), streamed and not, at
 * temperature 0 and 1, on both endpoints; json_object, regex, choice and raw GBNF too. The
 * schemas bound their free strings with maxLength: a model that knows no JSON would otherwise
 * write one string until max_tokens (finish_reason length), which the grammar rightly allows.
 */
@QuarkusTest
class StructuredOutputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @TestHTTPResource("/v1/")
    URL v1;

    static List<JsonNode> schemas() throws Exception {
        try (InputStream in = StructuredOutputTest.class.getResourceAsStream("/structured-output/schemas.json")) {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(in).forEach(out::add);
            return out;
        }
    }

    /** The text of one answer (chat or completion), streamed or not, with its finish reason checked. */
    String answer(String path, ObjectNode body, boolean stream) throws Exception {
        body.put("stream", stream);
        if (!stream) {
            var r = Http.post(v1 + path, body.toString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode choice = JSON.readTree(r.body()).path("choices").get(0);
            assertEquals("stop", choice.path("finish_reason").asText(), r.body());
            return path.startsWith("chat")
                    ? choice.path("message").path("content").asText()
                    : choice.path("text").asText();
        }
        StringBuilder text = new StringBuilder();
        String finish = null;
        try (InputStream in = Http.openStream(v1 + path, body.toString())) {
            for (String event : Http.events(in)) {
                if (event.equals("[DONE]")) {
                    break;
                }
                JsonNode choice = JSON.readTree(event).path("choices").path(0);
                text.append(
                        path.startsWith("chat")
                                ? choice.path("delta").path("content").asText("")
                                : choice.path("text").asText(""));
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        assertEquals("stop", finish, text.toString());
        return text.toString();
    }

    static void assertValid(JsonNode schema, String text, String what) throws Exception {
        Schema s = SCHEMAS.getSchema(schema.toString());
        var errors =
                s.validate(text, InputFormat.JSON, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
        assertTrue(errors.isEmpty(), what + ": " + text + " -> " + errors);
    }

    @Test
    void everyAnswerToTwentyThreeSchemasValidatesStreamedAndNotAtTemperatureZeroAndOne() throws Exception {
        int checked = 0;
        for (JsonNode entry : schemas()) {
            for (double t : new double[] {0, 1}) {
                for (boolean stream : new boolean[] {false, true}) {
                    ObjectNode body = JSON.createObjectNode()
                            .put("model", "demo-llama-6m")
                            .put("temperature", t)
                            .put("seed", 7)
                            .put("max_tokens", 600);
                    body.putArray("messages").addObject().put("role", "user").put("content", "Describe it as JSON.");
                    body.putObject("response_format")
                            .put("type", "json_schema")
                            .putObject("json_schema")
                            .put("name", entry.get("name").asText())
                            .put("strict", true)
                            .set("schema", entry.get("schema"));
                    String text = answer("chat/completions", body, stream);
                    assertValid(entry.get("schema"), text, entry.get("name") + " t=" + t + " stream=" + stream);
                    checked++;
                }
            }
        }
        assertEquals(92, checked);
    }

    @Test
    void completionsTakeTheSameConstraintsThroughStructuredOutputs() throws Exception {
        for (JsonNode entry : schemas().subList(0, 6)) {
            for (boolean stream : new boolean[] {false, true}) {
                ObjectNode body = JSON.createObjectNode()
                        .put("model", "demo-llama-6m")
                        .put("temperature", 1)
                        .put("max_tokens", 600)
                        .put("prompt", "Once upon a time");
                body.putObject("structured_outputs").set("json", entry.get("schema"));
                assertValid(
                        entry.get("schema"),
                        answer("completions", body, stream),
                        entry.get("name").asText());
            }
        }
    }

    @Test
    void jsonObjectRegexChoiceAndGrammar() throws Exception {
        ObjectNode body = JSON.createObjectNode()
                .put("model", "demo-llama-6m")
                .put("temperature", 1)
                .put("max_tokens", 600);
        body.putArray("messages").addObject().put("role", "user").put("content", "Hello");
        ObjectNode anyObject = body.deepCopy().put("temperature", 0);
        anyObject.putObject("response_format").put("type", "json_object");
        JsonNode object = JSON.readTree(answer("chat/completions", anyObject, false));
        assertTrue(object.isObject(), object.toString());

        ObjectNode regex = body.deepCopy();
        regex.put("guided_regex", "(red|green|blue) [0-9]{3}");
        assertTrue(answer("chat/completions", regex, true).matches("(red|green|blue) [0-9]{3}"));

        ObjectNode choice = body.deepCopy();
        choice.putObject("structured_outputs")
                .putArray("choice")
                .add("yes")
                .add("no")
                .add("maybe later");
        String picked = answer("chat/completions", choice, false);
        assertTrue(List.of("yes", "no", "maybe later").contains(picked), picked);

        ObjectNode gbnf = body.deepCopy();
        gbnf.putObject("structured_outputs")
                .put("grammar", "root ::= \"(\" num (\" + \" num)* \")\"\nnum ::= [1-9] [0-9]?");
        assertTrue(answer("chat/completions", gbnf, true).matches("\\([1-9][0-9]?( \\+ [1-9][0-9]?)*\\)"));
    }

    @Test
    void nChoicesEachFollowTheGrammar() throws Exception {
        JsonNode schema = schemas().get(0).get("schema");
        ObjectNode body = JSON.createObjectNode()
                .put("model", "demo-llama-6m")
                .put("temperature", 1)
                .put("max_tokens", 600)
                .put("n", 4);
        body.putArray("messages").addObject().put("role", "user").put("content", "Who?");
        body.putObject("response_format")
                .put("type", "json_schema")
                .putObject("json_schema")
                .put("name", "p")
                .set("schema", schema);
        var r = Http.post(v1 + "chat/completions", body.toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choices = JSON.readTree(r.body()).get("choices");
        assertEquals(4, choices.size());
        for (JsonNode c : choices) {
            assertValid(schema, c.path("message").path("content").asText(), "choice " + c.path("index"));
        }
    }

    @Test
    void maxTokensMidStructureEndsWithLength() throws Exception {
        ObjectNode body = JSON.createObjectNode()
                .put("model", "demo-llama-6m")
                .put("temperature", 0)
                .put("max_tokens", 3);
        body.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        body.putObject("response_format")
                .put("type", "json_schema")
                .putObject("json_schema")
                .put("name", "p")
                .set("schema", schemas().get(0).get("schema"));
        var r = Http.post(v1 + "chat/completions", body.toString());
        JsonNode choice = JSON.readTree(r.body()).path("choices").get(0);
        assertEquals("length", choice.path("finish_reason").asText(), r.body());
        assertTrue(choice.path("message").path("content").asText().startsWith("{"));
    }

    @Test
    void constraintsThatCannotBeHonouredAre400WithTheirParam() throws Exception {
        String[][] cases = {
            {
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\","
                        + "\"properties\":{\"a\":{\"type\":\"string\",\"contentSchema\":{}}}}}}",
                "response_format.json_schema.schema.properties.a.contentSchema",
                "contentSchema"
            },
            {
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"integer\","
                        + "\"minimum\":3,\"maximum\":1}}}",
                "response_format.json_schema.schema.minimum",
                "no integer"
            },
            {
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"string\","
                        + "\"format\":\"hostname\"}}}",
                "response_format.json_schema.schema.format",
                "hostname"
            },
            {
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"$ref\":\"#/$defs/no\"}}}",
                "response_format.json_schema.schema.$ref",
                "points nowhere"
            },
            {
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}",
                "response_format.json_schema.name",
                "name"
            },
            {"\"response_format\":{\"type\":\"yaml\"}", "response_format.type", "yaml"},
            {"\"structured_outputs\":{\"regex\":\"a(?!b)\"}", "structured_outputs.regex", "lookaround"},
            {
                "\"structured_outputs\":{\"grammar\":\"root ::= x\\nx ::= x \\\"a\\\" | \\\"b\\\"\"}",
                "structured_outputs.grammar",
                "left-recursive"
            },
            {
                "\"structured_outputs\":{\"grammar\":\"root ::= [^\\\\x00-\\\\U0010FFFF]\"}",
                "structured_outputs.grammar",
                "match nothing"
            },
            {"\"structured_outputs\":{\"choice\":[]}", "structured_outputs.choice", "non-empty"},
            {"\"structured_outputs\":{\"json\":\"{not json\"}", "structured_outputs.json", "not valid JSON"},
            {"\"guided_regex\":\"x\",\"guided_choice\":[\"a\"]", "guided_choice", "only one of"},
            {"\"guided_regex\":\"x\",\"ignore_eos\":true", "ignore_eos", "ignore_eos"},
        };
        for (String[] c : cases) {
            String body =
                    "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + c[0] + "}";
            var r = Http.post(v1 + "chat/completions", body);
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertEquals(c[1], error.path("param").asText(), r.body());
            assertTrue(error.path("message").asText().contains(c[2]), r.body());
            assertEquals("invalid_request_error", error.path("type").asText());
        }
    }
}
