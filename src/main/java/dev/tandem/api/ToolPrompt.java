package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.tools.FunctionTool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conversation as the chat template gets it when tools are involved. Earlier calls carry their
 * arguments as objects (templates write them with tojson), and empty rather than null content. A template that knows nothing of tools
 * (the demo model's) gets them described in the system message and earlier calls written into the
 * assistant's content, both in the Hermes form that the answer is then parsed in.
 */
final class ToolPrompt {
    private ToolPrompt() {}

    /** The tools as chat templates expect them: {"type": "function", "function": {...}}. */
    static List<Map<String, Object>> forTemplate(List<FunctionTool> tools) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FunctionTool t : tools) {
            Map<String, Object> fn = new LinkedHashMap<>();
            fn.put("name", t.name());
            fn.put("description", t.description());
            fn.put(
                    "parameters",
                    t.parameters() == null
                            ? Map.of("type", "object", "properties", Map.of())
                            : ResponseJson.JSON.convertValue(t.parameters(), Map.class));
            out.add(Map.of("type", "function", "function", fn));
        }
        return out;
    }

    static List<Map<String, Object>> messages(
            List<Map<String, Object>> messages, List<FunctionTool> tools, boolean templateRendersTools) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> m : messages) {
            Map<String, Object> copy = new LinkedHashMap<>(m);
            if (copy.get("tool_calls") instanceof List<?> calls && !calls.isEmpty()) {
                if (templateRendersTools) {
                    copy.put(
                            "tool_calls",
                            calls.stream().map(ToolPrompt::argumentsAsObject).toList());
                    copy.putIfAbsent("content", ""); // templates test and concatenate it (Qwen 3's fails on null)
                    copy.replace("content", null, "");
                } else {
                    copy.remove("tool_calls");
                    String text = copy.get("content") instanceof String s && !s.isEmpty() ? s + "\n" : "";
                    copy.put("content", text + hermes(calls));
                }
            }
            out.add(copy);
        }
        if (!templateRendersTools && !tools.isEmpty()) {
            String described = describe(tools);
            if (!out.isEmpty() && "system".equals(out.getFirst().get("role"))) {
                Map<String, Object> system = new LinkedHashMap<>(out.getFirst());
                system.put("content", system.get("content") + "\n\n" + described);
                out.set(0, system);
            } else {
                out.addFirst(new LinkedHashMap<>(Map.of("role", "system", "content", described)));
            }
        }
        return out;
    }

    private static Object argumentsAsObject(Object call) {
        if (!(call instanceof Map<?, ?> c)
                || !(c.get("function") instanceof Map<?, ?> fn)
                || !(fn.get("arguments") instanceof String args)) {
            return call;
        }
        try {
            Map<String, Object> function = new LinkedHashMap<>();
            fn.forEach((k, v) -> function.put(String.valueOf(k), v));
            function.put("arguments", ResponseJson.JSON.readValue(args, LinkedHashMap.class));
            Map<String, Object> copy = new LinkedHashMap<>();
            c.forEach((k, v) -> copy.put(String.valueOf(k), v));
            copy.put("function", function);
            return copy;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return call; // not JSON: the template gets the text as it came
        }
    }

    private static String hermes(List<?> calls) {
        StringBuilder sb = new StringBuilder();
        for (Object call : calls) {
            JsonNode c = ResponseJson.JSON.valueToTree(call);
            JsonNode fn = c.path("function");
            String args = fn.path("arguments").isTextual()
                    ? fn.path("arguments").asText()
                    : fn.path("arguments").toString();
            sb.append(sb.isEmpty() ? "" : "\n")
                    .append("<tool_call>\n{\"name\": ")
                    .append(fn.path("name").toString())
                    .append(", \"arguments\": ")
                    .append(args.isBlank() ? "{}" : args)
                    .append("}\n</tool_call>");
        }
        return sb.toString();
    }

    private static String describe(List<FunctionTool> tools) {
        StringBuilder sb = new StringBuilder(
                "You may call one or more functions to answer. The functions, as JSON Schema:\n<tools>");
        for (Map<String, Object> t : forTemplate(tools)) {
            sb.append('\n').append(ResponseJson.JSON.<JsonNode>valueToTree(t).toString());
        }
        return sb.append(
                        "\n</tools>\nTo call one, answer with <tool_call>\n{\"name\": <function name>, \"arguments\": <arguments object>}\n</tool_call>")
                .toString();
    }
}
