package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The response object of the Responses API: what the request asked for, the output so far, its status and usage. */
record ResponseObject(String id, String model, JsonNode request, long createdAt) {
    ResponseObject(String id, String model, JsonNode request) {
        this(id, model, request, System.currentTimeMillis() / 1000);
    }

    ObjectNode json(String status, List<OutputItem> output, ObjectNode usage) {
        ObjectNode o = ResponseJson.JSON
                .createObjectNode()
                .put("id", id)
                .put("object", "response")
                .put("created_at", createdAt)
                .put("status", status)
                .put("model", model);
        o.putNull("error");
        o.putNull("incomplete_details");
        o.set("instructions", request.path("instructions").isMissingNode() ? null : request.get("instructions"));
        o.set("max_output_tokens", request.get("max_output_tokens"));
        ArrayNode items = o.putArray("output");
        output.forEach(i -> items.add(i.json(i.done ? "completed" : "in_progress")));
        o.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
        o.set(
                "temperature",
                request.has("temperature")
                        ? request.get("temperature")
                        : ResponseJson.JSON.getNodeFactory().numberNode(1.0));
        o.set(
                "top_p",
                request.has("top_p")
                        ? request.get("top_p")
                        : ResponseJson.JSON.getNodeFactory().numberNode(1.0));
        o.set(
                "tool_choice",
                request.has("tool_choice")
                        ? request.get("tool_choice")
                        : ResponseJson.JSON.getNodeFactory().textNode("auto"));
        o.set("tools", request.has("tools") ? request.get("tools") : ResponseJson.JSON.createArrayNode());
        ObjectNode text = o.putObject("text");
        text.set(
                "format",
                request.path("text").has("format")
                        ? request.path("text").get("format")
                        : ResponseJson.JSON.createObjectNode().put("type", "text"));
        o.put("store", false);
        o.set("metadata", request.has("metadata") ? request.get("metadata") : ResponseJson.JSON.createObjectNode());
        o.set("usage", usage);
        return o;
    }
}
