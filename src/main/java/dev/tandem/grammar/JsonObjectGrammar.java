package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An object schema's GBNF. Properties come in the schema's order; after property i the rest is
 * one of two rules (whether a member was written before, which decides the comma), so optional
 * properties cost two rules each instead of one alternative per subset.
 */
final class JsonObjectGrammar {
    private final JsonSchemaGrammar schema;
    private final JsonNode s;
    private final String path;
    private final List<String> members = new ArrayList<>();
    private final List<Boolean> required = new ArrayList<>();
    private String additional, additionalValue;

    JsonObjectGrammar(JsonSchemaGrammar schema, JsonNode s, String path) {
        this.schema = schema;
        this.s = s;
        this.path = path;
    }

    String body() {
        Set<String> requiredNames = new HashSet<>();
        JsonNode req = s.get("required");
        if (req != null) {
            if (!req.isArray()) {
                throw new GrammarException(SchemaText.at(path, "required"), "'required' must be an array of names");
            }
            req.forEach(x -> requiredNames.add(x.asText()));
        }
        JsonNode props = s.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String value = schema.value(p.getValue(), SchemaText.at(path, "properties." + p.getKey()));
            members.add(Gbnf.literal(SchemaText.compact(new com.fasterxml.jackson.databind.node.TextNode(p.getKey())))
                    + " ws \":\" ws " + value);
            required.add(requiredNames.remove(p.getKey()));
        }
        JsonNode extra = s.get("additionalProperties");
        if (extra != null && !(extra.isBoolean() && !extra.asBoolean())) {
            additionalValue =
                    extra.isBoolean() ? "value" : schema.value(extra, SchemaText.at(path, "additionalProperties"));
            // propertyNames (a string schema) shapes the keys the model may invent.
            JsonNode names = s.get("propertyNames");
            if (names != null) {
                names.fieldNames().forEachRemaining(k -> {
                    if (!Set.of("type", "minLength", "maxLength", "pattern", "format", "description", "title")
                            .contains(k)) {
                        throw new GrammarException(
                                SchemaText.at(path, "propertyNames." + k),
                                "'propertyNames' supports minLength, maxLength, pattern and format, not '" + k + "'");
                    }
                });
            }
            String key = names == null
                    ? "string"
                    : schema.rule(JsonStringGrammar.body(names, SchemaText.at(path, "propertyNames")));
            additional = key + " ws \":\" ws " + additionalValue;
        }
        if (!requiredNames.isEmpty() && additional == null) {
            throw new GrammarException(
                    SchemaText.at(path, "required"),
                    "required properties " + requiredNames
                            + " are not in 'properties' and additionalProperties is false");
        }
        long minProps = SchemaBounds.count(s, "minProperties", 0, path);
        if (minProps > required.stream().filter(b -> b).count() + requiredNames.size()) {
            throw new GrammarException(
                    SchemaText.at(path, "minProperties"),
                    "'minProperties' beyond the number of required properties is not supported");
        }
        for (String name : requiredNames) { // required, but only allowed as additional properties
            members.add(Gbnf.literal(SchemaText.compact(new com.fasterxml.jackson.databind.node.TextNode(name)))
                    + " ws \":\" ws " + additionalValue);
            required.add(true);
        }
        return "\"{\" ws " + rest(0, false) + " ws \"}\"";
    }

    /** Members i.. with their commas, knowing whether one was written before. */
    private String rest(int i, boolean written) {
        String sep = written ? "ws \",\" ws " : "";
        if (i == members.size()) {
            if (additional == null) {
                return "\"\"";
            }
            return "(" + sep + additional + " (ws \",\" ws " + additional + ")*)?";
        }
        String take = sep + members.get(i) + " " + schema.rule(rest(i + 1, true));
        if (required.get(i)) {
            return take;
        }
        return "(" + take + " | " + schema.rule(rest(i + 1, written)) + ")";
    }
}
