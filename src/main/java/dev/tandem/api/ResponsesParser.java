package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import dev.tandem.tokenizer.ChatPrompt;
import java.util.Set;

/**
 * Validates a {@code /v1/responses} body (stateless: no stored responses) and turns it into the
 * chat request it stands for: instructions and input items become messages (function_call items
 * an assistant message with tool_calls, function_call_output items tool messages), text.format the
 * response format, max_output_tokens the token limit. The chat path then renders and checks it.
 */
final class ResponsesParser {
    static final Set<String> NAMES = Set.of(
            "model",
            "input",
            "instructions",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "text",
            "temperature",
            "top_p",
            "max_output_tokens",
            "stream",
            "store",
            "metadata",
            "user",
            "seed",
            "truncation",
            "include",
            "top_k",
            "min_p",
            "presence_penalty",
            "frequency_penalty",
            "repetition_penalty",
            "previous_response_id",
            "background",
            "service_tier",
            "prompt_cache_key",
            "safety_identifier",
            "reasoning",
            "stream_options");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** The request as chat, and what the response object repeats of it. */
    record Parsed(GenerationRequest request, JsonNode body) {}

    private ResponsesParser() {}

    static Parsed parse(JsonNode body, Engine engine, ChatPrompt template, ToolStyle style) {
        RequestFields f = new RequestFields(body, NAMES);
        if (f.has("previous_response_id") && !f.node("previous_response_id").isNull()) {
            throw ApiException.unsupported(
                    "previous_response_id",
                    "previous_response_id (this server stores no responses; send the"
                            + " whole conversation as input)");
        }
        if (f.bool("background", false)) {
            throw ApiException.unsupported("background", "background responses");
        }
        String truncation = f.string("truncation", "disabled");
        if (!truncation.equals("disabled") && !truncation.equals("auto")) {
            throw ApiException.invalid("truncation", "truncation must be \"disabled\" or \"auto\"");
        }
        ObjectNode chat = ResponseJson.JSON.createObjectNode();
        for (String copied : new String[] {
            "model",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "temperature",
            "top_p",
            "stream",
            "user",
            "seed",
            "top_k",
            "min_p",
            "presence_penalty",
            "frequency_penalty",
            "repetition_penalty",
            "stream_options"
        }) {
            if (f.has(copied)) {
                chat.set(copied, f.node(copied));
            }
        }
        if (f.has("max_output_tokens") && !f.node("max_output_tokens").isNull()) {
            chat.set("max_completion_tokens", f.node("max_output_tokens"));
        }
        chat.set("messages", messages(f.node("input"), f.string("instructions", null)));
        JsonNode format = f.node("text") == null ? null : f.node("text").get("format");
        JsonNode responseFormat = format == null || format.isNull() ? null : responseFormat(format);
        if (responseFormat != null) {
            chat.set("response_format", responseFormat);
        }
        return new Parsed(ChatParser.parse(chat, engine, template, style), body);
    }

    private static ArrayNode messages(JsonNode input, String instructions) {
        ArrayNode out = ResponseJson.JSON.createArrayNode();
        if (instructions != null) {
            out.addObject().put("role", "system").put("content", instructions);
        }
        if (input == null || input.isNull()) {
            throw ApiException.invalid("input", "'input' is required: a string or an array of input items");
        }
        if (input.isTextual()) {
            out.addObject().put("role", "user").put("content", input.asText());
            return out;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.invalid("input", "'input' must be a string or a non-empty array of input items");
        }
        ObjectNode calls = null; // consecutive function_call items are one assistant message
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String where = "input[" + i + "]";
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> {
                    calls = null;
                    String role = item.path("role").asText();
                    if (!ROLES.contains(role)) {
                        throw ApiException.invalid(where + ".role", where + " needs a role of " + ROLES);
                    }
                    out.addObject().put("role", role).set("content", content(item.get("content"), where));
                }
                case "function_call" -> {
                    if (!item.path("call_id").isTextual()
                            || !item.path("name").isTextual()
                            || !item.path("arguments").isTextual()) {
                        throw ApiException.invalid(
                                where, where + " (function_call) needs string call_id, name and arguments");
                    }
                    if (calls == null) {
                        calls = out.addObject().put("role", "assistant");
                        calls.putNull("content");
                        calls.putArray("tool_calls");
                    }
                    ObjectNode call = ((ArrayNode) calls.get("tool_calls"))
                            .addObject()
                            .put("id", item.get("call_id").asText())
                            .put("type", "function");
                    call.putObject("function")
                            .put("name", item.get("name").asText())
                            .put("arguments", item.get("arguments").asText());
                }
                case "function_call_output" -> {
                    calls = null;
                    if (!item.path("call_id").isTextual() || item.get("output") == null) {
                        throw ApiException.invalid(
                                where, where + " (function_call_output) needs a string call_id and an output");
                    }
                    JsonNode output = item.get("output");
                    out.addObject()
                            .put("role", "tool")
                            .put("tool_call_id", item.get("call_id").asText())
                            .set("content", output.isTextual() ? output : content(output, where + ".output"));
                }
                case "reasoning" -> {} // the model's earlier reasoning is not shown to it again, as the templates do
                default -> throw ApiException.unsupported(where + ".type", "input item type '" + type + "'");
            }
        }
        return out;
    }

    /** A string, or input_text / output_text parts as chat text parts. */
    private static JsonNode content(JsonNode c, String where) {
        if (c == null || c.isTextual()) {
            return c;
        }
        if (!c.isArray()) {
            throw ApiException.invalid(where + ".content", "content must be a string or an array of parts");
        }
        ArrayNode parts = ResponseJson.JSON.createArrayNode();
        for (JsonNode p : c) {
            String type = p.path("type").asText();
            if (!Set.of("input_text", "output_text", "text").contains(type)) {
                throw ApiException.unsupported(where + ".content", "content part type '" + type + "'");
            }
            parts.addObject().put("type", "text").set("text", p.get("text"));
        }
        return parts;
    }

    /** text.format as chat's response_format. */
    private static JsonNode responseFormat(JsonNode format) {
        String type = format.path("type").asText();
        ObjectNode rf = ResponseJson.JSON.createObjectNode();
        switch (type) {
            case "text" -> {
                return null;
            }
            case "json_object" -> rf.put("type", "json_object");
            case "json_schema" -> {
                rf.put("type", "json_schema");
                ObjectNode js = rf.putObject("json_schema");
                format.fields().forEachRemaining(e -> {
                    if (!e.getKey().equals("type")) {
                        js.set(e.getKey(), e.getValue());
                    }
                });
            }
            default ->
                throw ApiException.invalid(
                        "text.format.type", "text.format.type must be \"text\", \"json_object\" or \"json_schema\"");
        }
        return rf;
    }
}
