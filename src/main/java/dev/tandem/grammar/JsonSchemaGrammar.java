package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON Schema as GBNF. Objects write their properties in the schema's order (required ones
 * always, optional ones or not); additionalProperties is false unless the schema says otherwise,
 * as OpenAI's strict mode requires. A keyword that would constrain the value and has no grammar
 * here is refused with its path, never ignored; annotations (title, description, ...) are ignored.
 */
final class JsonSchemaGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of(
            "title",
            "description",
            "default",
            "examples",
            "$comment",
            "$schema",
            "$id",
            "deprecated",
            "readOnly",
            "writeOnly",
            "$defs",
            "definitions",
            "strict",
            "name",
            "discriminator",
            "contentMediaType",
            "contentEncoding");
    private static final Set<String> KEYWORDS = Set.of(
            "type",
            "enum",
            "const",
            "anyOf",
            "oneOf",
            "allOf",
            "$ref",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minLength",
            "maxLength",
            "pattern",
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "nullable",
            "minProperties",
            "propertyNames");

    private final JsonNode root;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> ruleOfBody = new HashMap<>();
    private final Map<String, String> ruleOfRef = new HashMap<>();

    private final String prefix;

    private JsonSchemaGrammar(JsonNode root, String prefix) {
        this.root = root;
        this.prefix = prefix;
    }

    static String grammar(JsonNode schema) {
        return composed("value0", Map.of("value0", schema));
    }

    /**
     * A grammar whose root is rootBody, in which each name of schemas is a rule for the JSON values
     * that schema accepts (each schema's own rules kept apart by a prefix), e.g. tool calls: fixed
     * text around the arguments of several functions.
     */
    static String composed(String rootBody, Map<String, JsonNode> schemas) {
        StringBuilder sb = new StringBuilder("root ::= ").append(rootBody).append('\n');
        int i = 0;
        for (Map.Entry<String, JsonNode> e : schemas.entrySet()) {
            JsonSchemaGrammar g = new JsonSchemaGrammar(e.getValue(), schemas.size() == 1 ? "" : "t" + i++ + "-");
            sb.append(e.getKey())
                    .append(" ::= ")
                    .append(g.value(e.getValue(), ""))
                    .append('\n');
            g.rules.forEach(
                    (name, rule) -> sb.append(name).append(" ::= ").append(rule).append('\n'));
        }
        JsonTerminals.BASE.forEach(
                (name, rule) -> sb.append(name).append(" ::= ").append(rule).append('\n'));
        JsonTerminals.FORMAT_HELPERS.forEach(
                (name, rule) -> sb.append(name).append(" ::= ").append(rule).append('\n'));
        sb.append("value ::= object | array | string | number | boolean | null\n");
        sb.append("object ::= \"{\" ws (string ws \":\" ws value (ws \",\" ws string ws \":\" ws value)*)? ws \"}\"\n");
        sb.append("array ::= \"[\" ws (value (ws \",\" ws value)*)? ws \"]\"\n");
        return sb.toString();
    }

    /** A GBNF expression for the values the schema at path accepts. */
    String value(JsonNode s, String path) {
        if (s.isBoolean()) {
            if (!s.asBoolean()) {
                throw new GrammarException(path, "the schema 'false' matches nothing");
            }
            return "value";
        }
        if (!s.isObject()) {
            throw new GrammarException(path, "a schema must be an object or a boolean");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYWORDS.contains(k) && !ANNOTATIONS.contains(k)) {
                throw new GrammarException(
                        SchemaText.at(path, k), "the JSON Schema keyword '" + k + "' is not supported");
            }
        }
        if (s.has("$ref")) {
            return ref(s.get("$ref").asText(), SchemaText.at(path, "$ref"));
        }
        if (s.has("const")) {
            return Gbnf.literal(SchemaText.compact(s.get("const")));
        }
        if (s.has("enum")) {
            JsonNode e = s.get("enum");
            if (!e.isArray() || e.isEmpty()) {
                throw new GrammarException(SchemaText.at(path, "enum"), "'enum' must be a non-empty array");
            }
            List<String> options = new ArrayList<>();
            e.forEach(x -> options.add(Gbnf.literal(SchemaText.compact(x))));
            return group(options);
        }
        for (String k : List.of("anyOf", "oneOf")) {
            if (s.has(k)) {
                JsonNode list = s.get(k);
                if (!list.isArray() || list.isEmpty()) {
                    throw new GrammarException(
                            SchemaText.at(path, k), "'" + k + "' must be a non-empty array of schemas");
                }
                List<String> options = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    options.add(value(list.get(i), SchemaText.at(path, k + "." + i)));
                }
                return group(options);
            }
        }
        if (s.has("allOf")) {
            if (!s.get("allOf").isArray() || s.get("allOf").size() != 1) {
                throw new GrammarException(
                        SchemaText.at(path, "allOf"), "'allOf' is supported with exactly one schema");
            }
            return value(s.get("allOf").get(0), SchemaText.at(path, "allOf.0"));
        }
        List<String> types = new ArrayList<>();
        JsonNode t = s.get("type");
        if (t == null) {
            types.add(s.has("properties") ? "object" : s.has("items") || s.has("prefixItems") ? "array" : "any");
        } else if (t.isArray()) {
            t.forEach(x -> types.add(x.asText()));
        } else {
            types.add(t.asText());
        }
        if (s.path("nullable").asBoolean(false) && !types.contains("null")) {
            types.add("null");
        }
        List<String> options = new ArrayList<>();
        for (String type : types) {
            options.add(typed(s, type, path));
        }
        return group(options);
    }

    private String typed(JsonNode s, String type, String path) {
        return switch (type) {
            case "any" -> "value";
            case "object" -> rule(new JsonObjectGrammar(this, s, path).body());
            case "array" -> rule(array(s, path));
            case "string" -> rule(JsonStringGrammar.body(s, path));
            case "integer" -> rule(integer(s, path));
            case "number" -> number(s, path);
            case "boolean", "null" -> type;
            default -> throw new GrammarException(SchemaText.at(path, "type"), "unknown type '" + type + "'");
        };
    }

    private String array(JsonNode s, String path) {
        if (s.path("uniqueItems").asBoolean(false)) {
            throw new GrammarException(SchemaText.at(path, "uniqueItems"), "'uniqueItems: true' is not supported");
        }
        int min = (int) SchemaBounds.count(s, "minItems", 0, path),
                max = (int) SchemaBounds.count(s, "maxItems", -1, path);
        List<String> prefix = new ArrayList<>();
        JsonNode pi = s.get("prefixItems");
        if (pi != null) {
            for (int i = 0; i < pi.size(); i++) {
                prefix.add(value(pi.get(i), SchemaText.at(path, "prefixItems." + i)));
            }
        }
        JsonNode items = s.get("items");
        String item = items == null || (items.isBoolean() && items.asBoolean())
                ? "value"
                : items.isBoolean() ? null : value(items, SchemaText.at(path, "items"));
        if (max >= 0 && max < min) {
            throw new GrammarException(SchemaText.at(path, "maxItems"), "maxItems is below minItems");
        }
        // The prefix items come first, each present while the array is long enough; then the rest.
        StringBuilder sb = new StringBuilder("\"[\" ws ");
        int fixed = prefix.size();
        if (fixed < min && item == null) {
            throw new GrammarException(
                    SchemaText.at(path, "minItems"), "minItems exceeds the prefixItems with items false");
        }
        StringBuilder tail = new StringBuilder();
        if (item != null && (max < 0 || max > fixed)) {
            int restMin = Math.max(0, min - fixed), restMax = max < 0 ? -1 : max - fixed;
            tail.append(SchemaBounds.repeatList(item, restMin, restMax, fixed > 0));
        }
        String body = tail.toString();
        for (int i = fixed - 1; i >= 0; i--) {
            String sep = i > 0 ? "ws \",\" ws " : "";
            body = i < min ? sep + prefix.get(i) + " " + body : "(" + sep + prefix.get(i) + " " + body + ")?";
        }
        return sb.append(body).append(" ws \"]\"").toString();
    }

    private String integer(JsonNode s, String path) {
        Long lo = SchemaBounds.bound(s, "minimum", "exclusiveMinimum", true, path),
                hi = SchemaBounds.bound(s, "maximum", "exclusiveMaximum", false, path);
        String body = JsonTerminals.integerRange(lo, hi);
        if (body == null) {
            throw new GrammarException(SchemaText.at(path, "minimum"), "no integer lies between minimum and maximum");
        }
        return body;
    }

    private String number(JsonNode s, String path) {
        for (String k : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
            if (s.has(k)) {
                boolean nonNegative = k.equals("minimum")
                        && s.get(k).asDouble() == 0
                        && !s.has("maximum")
                        && !s.has("exclusiveMaximum")
                        && !s.has("exclusiveMinimum");
                if (!nonNegative) {
                    throw new GrammarException(
                            SchemaText.at(path, k),
                            "'" + k + "' on a 'number' is not supported (only 'minimum: 0'); "
                                    + "use 'integer' for bounded values");
                }
                return rule("(\"0\" | [1-9] [0-9]{0,15}) (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?");
            }
        }
        return "number";
    }

    private String ref(String ref, String path) {
        String name = ruleOfRef.get(ref);
        if (name != null) {
            return name;
        }
        if (!ref.startsWith("#")) {
            throw new GrammarException(path, "only local references ('#/...') are supported, not '" + ref + "'");
        }
        JsonNode target = ref.equals("#") ? root : root.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new GrammarException(path, "the reference '" + ref + "' points nowhere in the schema");
        }
        name = prefix + "ref" + ruleOfRef.size();
        ruleOfRef.put(ref, name);
        rules.put(name, "\"\""); // reserved first, so that a recursive reference finds it
        rules.put(name, value(target, path));
        return name;
    }

    /** A named rule with this body (one per distinct body, so equal sub-schemas share it). */
    String rule(String body) {
        return ruleOfBody.computeIfAbsent(body, b -> {
            String name = prefix + "s" + ruleOfBody.size();
            rules.put(name, b);
            return name;
        });
    }

    private static String group(List<String> options) {
        return options.size() == 1 ? options.get(0) : "(" + String.join(" | ", options) + ")";
    }
}
