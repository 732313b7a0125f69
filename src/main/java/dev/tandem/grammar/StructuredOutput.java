package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Every kind of structured output as the GBNF text that travels to the shards, checked here so
 * that a constraint no output can meet fails the request before it is queued.
 */
public final class StructuredOutput {
    /** Schemas (and tool-call grammars) converted and checked before, by their text: agents send the same few again and again. */
    private static final java.util.Map<String, String> SCHEMAS =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
                    return size() > 256;
                }
            });

    private StructuredOutput() {}

    public static String jsonSchema(JsonNode schema) {
        String key = schema.toString();
        String gbnf = SCHEMAS.get(key);
        if (gbnf == null) {
            gbnf = checked(JsonSchemaGrammar.grammar(schema));
            SCHEMAS.put(key, gbnf);
        }
        return gbnf;
    }

    /** Any JSON object (response_format json_object). */
    public static String jsonObject() {
        return checked(JsonSchemaGrammar.grammar(new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode()
                .put("type", "object")
                .put("additionalProperties", true)));
    }

    /** Text that the regex matches as a whole. */
    public static String regex(String regex) {
        return checked("root ::= " + RegexGrammar.fullMatch(regex, "") + "\n");
    }

    /** Exactly one of the given strings. */
    public static String choice(List<String> options) {
        if (options.isEmpty()) {
            throw new GrammarException("", "a choice needs at least one option");
        }
        return checked("root ::= "
                + String.join(" | ", options.stream().map(Gbnf::literal).toList()) + "\n");
    }

    /**
     * Fixed text around JSON values: rootBody is a GBNF expression in which each name of schemas
     * stands for the values that schema accepts (tool calls: markers, names and each function's
     * arguments). Check each schema alone with {@link #jsonSchema} first to learn which one fails.
     */
    public static String composed(String rootBody, java.util.Map<String, JsonNode> schemas) {
        String key = rootBody + '\u0000' + schemas;
        String gbnf = SCHEMAS.get(key);
        if (gbnf == null) {
            gbnf = checked(JsonSchemaGrammar.composed(rootBody, schemas));
            SCHEMAS.put(key, gbnf);
        }
        return gbnf;
    }

    /** A GBNF literal: the text itself, escaped. */
    public static String literal(String text) {
        return Gbnf.literal(text);
    }

    /** A grammar in GBNF given by the user. */
    public static String gbnf(String text) {
        return checked(text);
    }

    private static String checked(String gbnf) {
        Grammars.check(gbnf);
        return gbnf;
    }
}
