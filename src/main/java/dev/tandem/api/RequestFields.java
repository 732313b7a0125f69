package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed, validated reads of a request body's fields; every refusal names the field. Fields the
 * endpoint does not know are refused as OpenAI does ("Unrecognized request argument").
 */
final class RequestFields {
    private final ObjectNode body;

    RequestFields(JsonNode body, Set<String> known) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        this.body = (ObjectNode) body;
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw ApiException.invalid(name, "Unrecognized request argument supplied: " + name);
            }
        }
    }

    boolean has(String name) {
        return body.hasNonNull(name);
    }

    JsonNode node(String name) {
        return body.get(name);
    }

    String string(String name, String fallback) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw ApiException.invalid(name, "'" + name + "' must be a string");
        }
        return n.asText();
    }

    String requiredString(String name) {
        String s = string(name, null);
        if (s == null) {
            throw ApiException.invalid(name, "'" + name + "' is required");
        }
        return s;
    }

    boolean bool(String name, boolean fallback) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalid(name, "'" + name + "' must be a boolean");
        }
        return n.asBoolean();
    }

    /** An integer in [min, max], or fallback when absent. */
    long integer(String name, long fallback, long min, long max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer");
        }
        if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw ApiException.invalid(
                    name, "'" + name + "' must be between " + min + " and " + max + ", got " + n.asText());
        }
        return n.asLong();
    }

    double number(String name, double fallback, double min, double max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw ApiException.invalid(name, "'" + name + "' must be a number");
        }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalid(
                    name, "'" + name + "' must be between " + min + " and " + max + ", got " + n.asText());
        }
        return v;
    }

    /** A string or an array of strings (e.g. "stop"); at most maxItems, none empty. */
    List<String> strings(String name, int maxItems) {
        JsonNode n = body.get(name);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            for (JsonNode x : n) {
                if (!x.isTextual()) {
                    throw ApiException.invalid(name, "'" + name + "' must be a string or an array of strings");
                }
                out.add(x.asText());
            }
        } else {
            throw ApiException.invalid(name, "'" + name + "' must be a string or an array of strings");
        }
        if (out.size() > maxItems) {
            throw ApiException.invalid(name, "'" + name + "' takes at most " + maxItems + " entries");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalid(name, "'" + name + "' entries must not be empty");
        }
        return out;
    }
}
