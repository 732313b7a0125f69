package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;

/** A string schema's GBNF: its quotes around a format, a pattern, or characters within length bounds. */
final class JsonStringGrammar {
    private JsonStringGrammar() {}

    static String body(JsonNode s, String path) {
        int min = (int) SchemaBounds.count(s, "minLength", 0, path);
        int max = (int) SchemaBounds.count(s, "maxLength", -1, path);
        boolean lengths = s.has("minLength") || s.has("maxLength");
        if (max >= 0 && max < min) {
            throw new GrammarException(SchemaText.at(path, "maxLength"), "maxLength is below minLength");
        }
        String content;
        if (s.has("format")) {
            String format = s.get("format").asText();
            content = JsonTerminals.format(format);
            if (content == null) {
                throw new GrammarException(
                        SchemaText.at(path, "format"),
                        "the string format '" + format
                                + "' is not supported (date, time, date-time, uuid, email, ipv4 are)");
            }
            refuseWith(s, path, lengths, "format");
        } else if (s.has("pattern")) {
            content = RegexGrammar.jsonStringPattern(s.get("pattern").asText(), SchemaText.at(path, "pattern"));
            refuseWith(s, path, lengths, "pattern");
        } else {
            content = max < 0 ? "char{" + min + ",}" : "char{" + min + "," + max + "}";
        }
        return "\"\\\"\" " + content + " \"\\\"\"";
    }

    private static void refuseWith(JsonNode s, String path, boolean lengths, String keyword) {
        if (lengths) {
            throw new GrammarException(
                    SchemaText.at(path, s.has("minLength") ? "minLength" : "maxLength"),
                    "minLength/maxLength together with '" + keyword + "' is not supported");
        }
        if (s.has("format") && s.has("pattern")) {
            throw new GrammarException(
                    SchemaText.at(path, "pattern"), "'pattern' together with 'format' is not supported");
        }
    }
}
