package dev.tandem.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.EngineRejectedException;

/** Maps what went wrong to an HTTP status and an OpenAI error object. */
final class ErrorBodies {
    record Error(int status, String body, String retryAfter) {}

    private ErrorBodies() {}

    static Error of(Throwable t) {
        if (t instanceof ApiException e) {
            return new Error(e.status(), body(e.getMessage(), e.type(), e.param(), e.code()), null);
        }
        if (t instanceof EngineRejectedException e) {
            return e.why() == EngineRejectedException.Why.QUEUE_FULL
                    ? new Error(429, body(e.getMessage(), "rate_limit_exceeded", null, "queue_full"), "1")
                    : new Error(503, body(e.getMessage(), "service_unavailable", null, "shutting_down"), null);
        }
        if (t instanceof JsonProcessingException e) {
            return new Error(
                    400,
                    body("malformed JSON body: " + e.getOriginalMessage(), "invalid_request_error", null, null),
                    null);
        }
        if (t instanceof IllegalArgumentException e) {
            return new Error(400, body(e.getMessage(), "invalid_request_error", null, null), null);
        }
        return new Error(500, body("internal error: " + t, "server_error", null, null), null);
    }

    static String body(String message, String type, String param, String code) {
        ObjectNode root = ResponseJson.JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return root.toString();
    }

    static Error unauthorized() {
        return new Error(
                401,
                body(
                        "Incorrect or missing API key: send 'Authorization: Bearer <key>'",
                        "invalid_request_error",
                        null,
                        "invalid_api_key"),
                null);
    }
}
