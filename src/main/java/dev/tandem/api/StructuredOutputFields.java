package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.grammar.GrammarException;
import dev.tandem.grammar.StructuredOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The request fields that hold the output to a structure, turned into one GBNF grammar:
 * OpenAI's {@code response_format} (json_object, json_schema), vLLM's {@code structured_outputs}
 * ({@code json}, {@code json_object}, {@code regex}, {@code choice}, {@code grammar}) and its older
 * {@code guided_json}, {@code guided_regex}, {@code guided_choice}, {@code guided_grammar}. At most
 * one may be given. A constraint that cannot be honoured is a 400 whose param points into it.
 */
final class StructuredOutputFields {
    static final List<String> NAMES = List.of(
            "response_format", "structured_outputs", "guided_json", "guided_regex", "guided_choice", "guided_grammar");

    private StructuredOutputFields() {}

    static Optional<String> grammar(RequestFields f) {
        List<String> given = new ArrayList<>();
        for (String name : NAMES) {
            JsonNode n = f.node(name);
            if (n != null
                    && !n.isNull()
                    && !(name.equals("response_format")
                            && "text".equals(n.path("type").asText()))) {
                given.add(name);
            }
        }
        if (given.isEmpty()) {
            return Optional.empty();
        }
        if (given.size() > 1) {
            throw ApiException.invalid(given.get(1), "only one of " + given + " may be given");
        }
        String name = given.get(0);
        JsonNode n = f.node(name);
        return Optional.of(
                switch (name) {
                    case "response_format" -> responseFormat(n);
                    case "structured_outputs" -> vllm(n);
                    case "guided_json" -> at(name, () -> StructuredOutput.jsonSchema(schema(n, name)));
                    case "guided_regex" -> at(name, () -> StructuredOutput.regex(text(n, name)));
                    case "guided_choice" -> at(name, () -> StructuredOutput.choice(strings(n, name)));
                    default -> at(name, () -> StructuredOutput.gbnf(text(n, name)));
                });
    }

    /** Converts at one place of the request: a constraint it cannot honour is a 400 whose param points into it. */
    static <T> T at(String where, java.util.function.Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (GrammarException e) {
            throw ApiException.invalid(e.where().isEmpty() ? where : where + "." + e.where(), e.getMessage());
        }
    }

    private static String responseFormat(JsonNode n) {
        String type = n.path("type").asText();
        switch (type) {
            case "json_object" -> {
                return at("response_format", StructuredOutput::jsonObject);
            }
            case "json_schema" -> {
                JsonNode js = n.path("json_schema");
                if (!js.isObject()) {
                    throw ApiException.invalid(
                            "response_format.json_schema", "response_format of type json_schema needs 'json_schema'");
                }
                if (!js.path("name").isTextual() || !js.get("name").asText().matches("[a-zA-Z0-9_-]{1,64}")) {
                    throw ApiException.invalid(
                            "response_format.json_schema.name",
                            "'json_schema.name' must be 1 to 64 letters, digits, '_' or '-'");
                }
                return at(
                        "response_format.json_schema.schema",
                        () -> js.has("schema")
                                ? StructuredOutput.jsonSchema(js.get("schema"))
                                : StructuredOutput.jsonObject());
            }
            default ->
                throw ApiException.invalid(
                        "response_format.type",
                        "response_format type must be one of" + " 'text', 'json_object', 'json_schema', not '" + type
                                + "'");
        }
    }

    private static String vllm(JsonNode n) {
        if (!n.isObject()) {
            throw ApiException.invalid("structured_outputs", "'structured_outputs' must be an object");
        }
        List<String> kinds = new ArrayList<>();
        n.fieldNames().forEachRemaining(k -> {
            if (!n.get(k).isNull()
                    && !(k.equals("json_object") && !n.get(k).asBoolean())
                    && !k.equals("disable_any_whitespace")) {
                kinds.add(k);
            }
        });
        if (kinds.size() != 1) {
            throw ApiException.invalid(
                    "structured_outputs",
                    "'structured_outputs' needs exactly one of json, json_object, regex," + " choice, grammar; got "
                            + kinds);
        }
        String k = kinds.get(0);
        String where = "structured_outputs." + k;
        return at(where, () -> switch (k) {
            case "json" -> StructuredOutput.jsonSchema(schema(n.get(k), where));
            case "json_object" -> StructuredOutput.jsonObject();
            case "regex" -> StructuredOutput.regex(text(n.get(k), where));
            case "choice" -> StructuredOutput.choice(strings(n.get(k), where));
            case "grammar" -> StructuredOutput.gbnf(text(n.get(k), where));
            default -> throw ApiException.unsupported(where, "structured_outputs." + k);
        });
    }

    /** A schema given as an object, or as JSON text (vLLM accepts both). */
    private static JsonNode schema(JsonNode n, String where) {
        if (n.isTextual()) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(n.asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw ApiException.invalid(where, "'" + where + "' is not valid JSON: " + e.getOriginalMessage());
            }
        }
        if (!n.isObject() && !n.isBoolean()) {
            throw ApiException.invalid(where, "'" + where + "' must be a JSON Schema");
        }
        return n;
    }

    private static String text(JsonNode n, String where) {
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw ApiException.invalid(where, "'" + where + "' must be a non-empty string");
        }
        return n.asText();
    }

    private static List<String> strings(JsonNode n, String where) {
        if (!n.isArray() || n.isEmpty()) {
            throw ApiException.invalid(where, "'" + where + "' must be a non-empty array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) {
            if (!x.isTextual() || x.asText().isEmpty()) {
                throw ApiException.invalid(where, "'" + where + "' must hold non-empty strings");
            }
            out.add(x.asText());
        }
        return out;
    }
}
