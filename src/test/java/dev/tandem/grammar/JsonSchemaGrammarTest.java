package dev.tandem.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JSON Schemas, regexes and choices as grammars: what they accept and refuse, byte by byte. */
class JsonSchemaGrammarTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Whether the grammar accepts the whole text. */
    static boolean accepts(String gbnf, String text) {
        GrammarAutomaton a = new GrammarAutomaton(ByteNfa.compile(GbnfParser.parse(gbnf)), 1 << 20);
        int c = a.start().id;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            c = a.step(c, b & 0xFF);
            if (c == GrammarAutomaton.DEAD) {
                return false;
            }
        }
        return a.config(c).accepting;
    }

    static String schema(String json) throws Exception {
        return StructuredOutput.jsonSchema(JSON.readTree(json));
    }

    @Test
    void objectsWithRequiredOptionalAndAdditionalProperties() throws Exception {
        String g = schema("""
                {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},
                 "tags":{"type":"array","items":{"type":"string"},"maxItems":2}},"required":["name"]}""");
        assertTrue(accepts(g, "{\"name\":\"Ann\"}"));
        assertTrue(accepts(g, "{\"name\": \"Ann\", \"age\": 42, \"tags\": [\"a\", \"b\"]}"));
        assertTrue(accepts(g, "{\"name\":\"Ann\",\"tags\":[]}"));
        assertTrue(accepts(g, "{\n  \"name\": \"A\\\"nn\\u00e9\"\n}"));
        assertFalse(accepts(g, "{\"age\":1}"), "name is required");
        assertFalse(accepts(g, "{\"name\":\"Ann\",\"age\":151}"));
        assertFalse(accepts(g, "{\"name\":\"Ann\",\"age\":-1}"));
        assertFalse(accepts(g, "{\"name\":\"Ann\",\"tags\":[\"a\",\"b\",\"c\"]}"));
        assertFalse(accepts(g, "{\"name\":\"Ann\",\"other\":1}"), "additionalProperties defaults to false");
        assertFalse(accepts(g, "{\"name\":\"Ann\",}"));
        String open = schema(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"boolean\"}},\"additionalProperties\":{\"type\":\"null\"}}");
        assertTrue(accepts(open, "{\"a\":true,\"x\":null,\"y\":null}"));
        assertTrue(accepts(open, "{\"x\":null}"));
        assertFalse(accepts(open, "{\"x\":1}"));
    }

    @Test
    void integerRangesAreExact() throws Exception {
        String g = schema("{\"type\":\"integer\",\"minimum\":-37,\"exclusiveMaximum\":1205}");
        for (int i = -60; i < 1300; i++) {
            assertEquals(i >= -37 && i < 1205, accepts(g, Integer.toString(i)), Integer.toString(i));
        }
        assertFalse(accepts(g, "007"));
    }

    @Test
    void stringsFormatsPatternsAndLengths() throws Exception {
        String g = schema("""
                {"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"date-time"},
                 "u":{"type":"string","format":"uuid"},"e":{"type":"string","format":"email"},
                 "p":{"type":"string","pattern":"^[A-Z]{2}-\\\\d{3}$"},"s":{"type":"string","minLength":2,"maxLength":3}},
                 "required":["d","t","u","e","p","s"]}""");
        String ok =
                "{\"d\":\"2024-02-28\",\"t\":\"2024-12-31T23:59:59Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\","
                        + "\"e\":\"ann.lee@example.com\",\"p\":\"AB-123\",\"s\":\"xyz\"}";
        assertTrue(accepts(g, ok));
        assertFalse(accepts(g, ok.replace("02-28", "02-30")));
        assertFalse(accepts(g, ok.replace("23:59", "24:59")));
        assertFalse(accepts(g, ok.replace("AB-123", "AB-12")));
        assertFalse(accepts(g, ok.replace("xyz", "wxyz")));
        assertFalse(accepts(g, ok.replace("xyz", "é")));
        String unanchored = schema("{\"type\":\"string\",\"pattern\":\"ab+\"}");
        assertTrue(accepts(unanchored, "\"xxabbby\""));
        assertFalse(accepts(unanchored, "\"xxay\""));
    }

    @Test
    void enumsConstsUnionsAndRecursiveReferences() throws Exception {
        String g = schema("""
                {"$defs":{"node":{"type":"object","properties":{"v":{"enum":["a",1,null]},
                  "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}},
                 "anyOf":[{"$ref":"#/$defs/node"},{"const":"leaf"},{"type":["number","null"]}]}""");
        assertTrue(accepts(g, "{\"v\":\"a\",\"kids\":[{\"v\":1},{\"v\":null,\"kids\":[{\"v\":\"a\"}]}]}"));
        assertTrue(accepts(g, "\"leaf\""));
        assertTrue(accepts(g, "-1.5e3"));
        assertTrue(accepts(g, "null"));
        assertFalse(accepts(g, "{\"v\":2}"));
        assertFalse(accepts(g, "\"leaves\""));
    }

    @Test
    void jsonObjectRegexAndChoice() {
        String o = StructuredOutput.jsonObject();
        assertTrue(accepts(o, "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"));
        assertFalse(accepts(o, "[1]"));
        String r = StructuredOutput.regex("(cat|dog)s? [0-9]{2}");
        assertTrue(accepts(r, "cats 12"));
        assertFalse(accepts(r, "cat 1"));
        String c = StructuredOutput.choice(java.util.List.of("yes", "no", "it \"depends\""));
        assertTrue(accepts(c, "it \"depends\""));
        assertFalse(accepts(c, "yesno"));
    }

    @Test
    void unsupportedFeaturesAreRefusedByName() {
        GrammarException e = assertThrows(
                GrammarException.class,
                () -> schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"contains\":{}}}}"));
        assertEquals("properties.a.contains", e.where());
        assertTrue(e.getMessage().contains("'contains'"));
        assertEquals(
                "properties.x.minimum",
                assertThrows(
                                GrammarException.class,
                                () -> schema("{\"properties\":{\"x\":{\"type\":\"number\",\"minimum\":3}}}"))
                        .where());
        assertEquals(
                "format",
                assertThrows(GrammarException.class, () -> schema("{\"type\":\"string\",\"format\":\"uri\"}"))
                        .where());
        assertEquals(
                "uniqueItems",
                assertThrows(GrammarException.class, () -> schema("{\"type\":\"array\",\"uniqueItems\":true}"))
                        .where());
        assertEquals(
                "pattern",
                assertThrows(GrammarException.class, () -> schema("{\"type\":\"string\",\"pattern\":\"(a)\\\\1\"}"))
                        .where());
        assertTrue(
                assertThrows(GrammarException.class, () -> schema("{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}"))
                        .getMessage()
                        .contains("no integer"));
        assertTrue(assertThrows(GrammarException.class, () -> schema("{\"$ref\":\"#/$defs/missing\"}"))
                .getMessage()
                .contains("points nowhere"));
        assertTrue(assertThrows(GrammarException.class, () -> StructuredOutput.regex("a(?=b)"))
                .getMessage()
                .contains("lookaround"));
    }
}
