package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.grammar.StructuredOutput;
import dev.tandem.tools.FunctionTool;
import dev.tandem.tools.ToolChoice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tool fields of a request, checked: {@code tools} (functions, as chat completions nests them
 * or as the Responses API flattens them), {@code tool_choice} and {@code parallel_tool_calls}.
 * A function whose arguments will be held to its schema (forced or strict) has that schema
 * converted here, so an unsupported keyword is a 400 naming it.
 */
record ToolFields(List<FunctionTool> tools, ToolChoice choice, boolean parallel) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    /** Whether the answer is parsed for calls. */
    boolean active() {
        return !tools.isEmpty() && choice.kind() != ToolChoice.Kind.NONE;
    }

    /** The functions the answer may call: all, or the one tool_choice names. */
    List<FunctionTool> allowed() {
        return choice.kind() == ToolChoice.Kind.FUNCTION
                ? tools.stream().filter(t -> t.name().equals(choice.function())).toList()
                : tools;
    }

    static ToolFields parse(RequestFields f) {
        List<FunctionTool> tools = tools(f.node("tools"));
        ToolChoice choice = choice(f.node("tool_choice"), tools);
        boolean parallel = f.bool("parallel_tool_calls", true);
        for (int i = 0; i < tools.size(); i++) {
            FunctionTool t = tools.get(i);
            if (choice.forced()
                            && (choice.function() == null || choice.function().equals(t.name()))
                    || t.strict()) {
                String where = "tools[" + i + "]" + (f.node("tools").get(i).has("function") ? ".function" : "")
                        + ".parameters";
                StructuredOutputFields.at(
                        where,
                        () -> StructuredOutput.jsonSchema(
                                t.parameters() != null
                                        ? t.parameters()
                                        : ResponseJson.JSON.createObjectNode().put("type", "object")));
            }
        }
        return new ToolFields(tools, choice, parallel);
    }

    private static List<FunctionTool> tools(JsonNode node) {
        List<FunctionTool> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw ApiException.invalid("tools", "'tools' must be an array of tools");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String where = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText())) {
                throw ApiException.invalid(
                        where + ".type",
                        where + " must be {\"type\": \"function\", ...}; other tool types are not supported");
            }
            // Chat completions nest the function; the Responses API puts its fields beside "type".
            JsonNode fn = t.has("function") ? t.get("function") : t;
            String at = t.has("function") ? where + ".function" : where;
            if (!fn.isObject()
                    || !fn.path("name").isTextual()
                    || !NAME.matcher(fn.get("name").asText()).matches()) {
                throw ApiException.invalid(at + ".name", at + ".name must be 1 to 64 letters, digits, '_', '.' or '-'");
            }
            String name = fn.get("name").asText();
            if (!names.add(name)) {
                throw ApiException.invalid(at + ".name", "two tools are named '" + name + "'");
            }
            JsonNode params = fn.get("parameters");
            if (params != null && !params.isNull()) {
                schemaShape(params, at + ".parameters");
            }
            if (fn.has("description")
                    && !fn.get("description").isTextual()
                    && !fn.get("description").isNull()) {
                throw ApiException.invalid(at + ".description", at + ".description must be a string");
            }
            if (fn.has("strict")
                    && !fn.get("strict").isBoolean()
                    && !fn.get("strict").isNull()) {
                throw ApiException.invalid(at + ".strict", at + ".strict must be a boolean");
            }
            out.add(new FunctionTool(
                    name,
                    fn.path("description").asText(""),
                    params == null || params.isNull() ? null : params,
                    fn.path("strict").asBoolean(false)));
        }
        return out;
    }

    /** A JSON Schema of arguments: an object whose type (if given) is "object", properties an object, required names. */
    private static void schemaShape(JsonNode p, String where) {
        if (!p.isObject()) {
            throw ApiException.invalid(where, where + " must be a JSON Schema object");
        }
        if (p.has("type") && !"object".equals(p.get("type").asText())) {
            throw ApiException.invalid(
                    where + ".type",
                    "the arguments of a function are an object: " + where + ".type must be \"object\"");
        }
        if (p.has("properties") && !p.get("properties").isObject()) {
            throw ApiException.invalid(where + ".properties", where + ".properties must be an object of schemas");
        }
        JsonNode req = p.get("required");
        if (req != null && (!req.isArray() || !allText(req))) {
            throw ApiException.invalid(where + ".required", where + ".required must be an array of property names");
        }
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode x : array) {
            if (!x.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static ToolChoice choice(JsonNode node, List<FunctionTool> tools) {
        if (node == null || node.isNull()) {
            return tools.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
        }
        ToolChoice choice;
        if (node.isTextual()) {
            choice = switch (node.asText()) {
                case "none" -> ToolChoice.NONE;
                case "auto" -> ToolChoice.AUTO;
                case "required" -> ToolChoice.REQUIRED;
                default ->
                    throw ApiException.invalid(
                            "tool_choice", "tool_choice must be \"none\", \"auto\", \"required\" or a function");
            };
        } else if (node.isObject() && "function".equals(node.path("type").asText())) {
            JsonNode name = node.has("function") ? node.path("function").path("name") : node.path("name");
            if (!name.isTextual()) {
                throw ApiException.invalid(
                        "tool_choice",
                        "tool_choice names its function: {\"type\": \"function\", \"function\": {\"name\": ...}}");
            }
            if (tools.stream().noneMatch(t -> t.name().equals(name.asText()))) {
                throw ApiException.invalid(
                        "tool_choice", "tool_choice names '" + name.asText() + "', which is not among the tools");
            }
            choice = ToolChoice.function(name.asText());
        } else {
            throw ApiException.invalid(
                    "tool_choice",
                    "tool_choice must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", ...}");
        }
        if (choice.forced() && tools.isEmpty()) {
            throw ApiException.invalid(
                    "tool_choice", "tool_choice \"" + node.asText(node.toString()) + "\" needs 'tools'");
        }
        return choice;
    }
}
