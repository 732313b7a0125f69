package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** How schema parts are named in error messages (dotted paths) and written into grammars (compact JSON). */
final class SchemaText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaText() {}

    static String compact(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String at(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
