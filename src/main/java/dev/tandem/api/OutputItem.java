package dev.tandem.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/** One item of a response's output: a message, the model's reasoning, or a function call, as the Responses API writes it. */
final class OutputItem {
    enum Kind {
        MESSAGE,
        REASONING,
        FUNCTION_CALL
    }

    final Kind kind;
    final int index;
    final String id;
    final String callId;
    final String name;
    /** The message or reasoning text, or the call's arguments, so far. */
    final StringBuilder text = new StringBuilder();

    boolean done;

    OutputItem(Kind kind, int index, String callId, String name) {
        this.kind = kind;
        this.index = index;
        String prefix = switch (kind) {
            case MESSAGE -> "msg_";
            case REASONING -> "rs_";
            case FUNCTION_CALL -> "fc_";
        };
        this.id = prefix + UUID.randomUUID().toString().replace("-", "");
        this.callId = callId;
        this.name = name;
    }

    /** The fields every event about this item carries. */
    ObjectNode event() {
        return ResponseJson.JSON.createObjectNode().put("item_id", id).put("output_index", index);
    }

    ObjectNode part(String content) {
        ObjectNode p = ResponseJson.JSON.createObjectNode();
        if (kind == Kind.REASONING) {
            return p.put("type", "reasoning_text").put("text", content);
        }
        p.put("type", "output_text").put("text", content).putArray("annotations");
        p.putArray("logprobs");
        return p;
    }

    ObjectNode json(String status) {
        ObjectNode o = ResponseJson.JSON.createObjectNode().put("id", id);
        switch (kind) {
            case MESSAGE -> {
                o.put("type", "message").put("status", status).put("role", "assistant");
                var content = o.putArray("content");
                if (!text.isEmpty() || status.equals("completed")) {
                    content.add(part(text.toString()));
                }
            }
            case REASONING -> {
                o.put("type", "reasoning").putArray("summary");
                o.putArray("content").add(part(text.toString()));
                o.put("status", status);
            }
            case FUNCTION_CALL ->
                o.put("type", "function_call")
                        .put("status", status)
                        .put("call_id", callId)
                        .put("name", name)
                        .put("arguments", text.toString());
        }
        return o;
    }
}
