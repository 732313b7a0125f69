package dev.tandem.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama 3.2's pythonic calls, {@code [get_weather(city="Paris", days=3), f()]}: keyword arguments
 * of Python literals (strings, numbers, True/False/None, lists, dicts) become a JSON object once
 * their call's parenthesis closes.
 */
final class PythonCalls {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String s;
    private int i;

    private PythonCalls(String s, int i) {
        this.s = s;
        this.i = i;
    }

    static CallScan.Region scan(String s, int from, boolean ended) {
        int i = s.startsWith("<|python_start|>", from) ? from + "<|python_start|>".length() : from;
        i = JsonText.skipSpace(s, i);
        List<CallScan.Call> calls = new ArrayList<>();
        if (i == s.length()) {
            return new CallScan.Region(calls, ended ? i : -1, false);
        }
        if (s.charAt(i) != '[') {
            return CallScan.Region.failure();
        }
        PythonCalls p = new PythonCalls(s, i + 1);
        while (true) {
            p.space();
            int nameStart = p.i;
            while (p.i < s.length()
                    && (Character.isLetterOrDigit(s.charAt(p.i)) || s.charAt(p.i) == '_' || s.charAt(p.i) == '.')) {
                p.i++;
            }
            if (p.i == s.length()) {
                return ended ? CallScan.Region.failure() : new CallScan.Region(calls, -1, false);
            }
            if (p.i == nameStart || s.charAt(p.i) != '(') {
                return CallScan.Region.failure();
            }
            String name = s.substring(nameStart, p.i++);
            ObjectNode args;
            try {
                args = p.arguments();
            } catch (Incomplete e) {
                calls.add(new CallScan.Call(name, "", false));
                return ended ? CallScan.Region.failure() : new CallScan.Region(calls, -1, false);
            } catch (IllegalArgumentException e) {
                return CallScan.Region.failure();
            }
            calls.add(new CallScan.Call(name, args.toString(), true));
            p.space();
            if (p.i == s.length()) {
                return new CallScan.Region(calls, ended ? p.i : -1, false);
            }
            char c = s.charAt(p.i++);
            if (c == ']') {
                int end = JsonText.skipSpace(s, p.i);
                return new CallScan.Region(
                        calls, s.startsWith("<|python_end|>", end) ? end + "<|python_end|>".length() : p.i, false);
            }
            if (c != ',') {
                return CallScan.Region.failure();
            }
        }
    }

    /** The text stops inside a call. */
    private static final class Incomplete extends RuntimeException {
        Incomplete() {
            super(null, null, false, false);
        }
    }

    private ObjectNode arguments() {
        ObjectNode args = NODES.objectNode();
        space();
        if (peek() == ')') {
            i++;
            return args;
        }
        while (true) {
            space();
            int start = i;
            while (Character.isLetterOrDigit(peek()) || peek() == '_') {
                i++;
            }
            String key = s.substring(start, i);
            space();
            if (key.isEmpty() || peek() != '=') {
                throw new IllegalArgumentException("keyword argument expected at " + i);
            }
            i++;
            args.set(key, value());
            space();
            char c = next();
            if (c == ')') {
                return args;
            }
            if (c != ',') {
                throw new IllegalArgumentException("',' or ')' expected at " + i);
            }
        }
    }

    private JsonNode value() {
        space();
        char c = peek();
        if (c == '"' || c == '\'') {
            return NODES.textNode(string(next()));
        }
        if (c == '[' || c == '(') {
            i++;
            ArrayNode a = NODES.arrayNode();
            char close = c == '[' ? ']' : ')';
            for (space(); peek() != close; space()) {
                a.add(value());
                space();
                if (peek() == ',') {
                    i++;
                }
            }
            i++;
            return a;
        }
        if (c == '{') {
            i++;
            ObjectNode o = NODES.objectNode();
            for (space(); peek() != '}'; space()) {
                JsonNode k = value();
                space();
                if (next() != ':') {
                    throw new IllegalArgumentException("':' expected at " + i);
                }
                o.set(k.asText(), value());
                space();
                if (peek() == ',') {
                    i++;
                }
            }
            i++;
            return o;
        }
        int start = i;
        while (Character.isLetterOrDigit(peek()) || "+-._".indexOf(peek()) >= 0) {
            i++;
        }
        String word = s.substring(start, i);
        return switch (word) {
            case "True", "true" -> NODES.booleanNode(true);
            case "False", "false" -> NODES.booleanNode(false);
            case "None", "null" -> NODES.nullNode();
            default -> {
                try {
                    BigDecimal n = new BigDecimal(word);
                    yield n.scale() <= 0 && word.matches("[-+]?\\d+")
                            ? NODES.numberNode(n.toBigInteger())
                            : NODES.numberNode(n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "a Python literal expected at " + start + ", not '" + word + "'");
                }
            }
        };
    }

    private String string(char quote) {
        StringBuilder sb = new StringBuilder();
        for (char c = next(); c != quote; c = next()) {
            if (c == '\\') {
                char e = next();
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, Math.min(s.length(), i + 4)), 16));
                        i += 4;
                    }
                    default -> sb.append(e);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void space() {
        i = JsonText.skipSpace(s, i);
    }

    private char peek() {
        if (i >= s.length()) {
            throw new Incomplete();
        }
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }
}
