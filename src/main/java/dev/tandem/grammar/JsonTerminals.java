package dev.tandem.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The GBNF of JSON's lexical pieces: whitespace, strings (with length bounds), numbers, integers
 * within bounds, and the string formats a schema may ask for. Unbounded integers and numbers are
 * held to 16 significant digits (what a double keeps), and whitespace to a line break and 20
 * spaces or tabs, so that a model cannot wander off in digits or blanks.
 */
final class JsonTerminals {
    static final Map<String, String> BASE = Map.of(
            "ws", "(\" \" | \"\\n\"{1,2} [ \\t]{0,20})?",
            "char", "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4})",
            "string", "\"\\\"\" char* \"\\\"\"",
            "number", "\"-\"? (\"0\" | [1-9] [0-9]{0,15}) (\".\" [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?",
            "integer", "\"-\"? (\"0\" | [1-9] [0-9]{0,15})",
            "boolean", "\"true\" | \"false\"",
            "null", "\"null\"");

    private static final String DATE =
            "[0-9]{4} \"-\" ((\"0\" [13578] | \"1\" [02]) \"-\" (d28 | \"29\" | \"30\" | \"31\")"
                    + " | (\"0\" [469] | \"11\") \"-\" (d28 | \"29\" | \"30\") | \"02-\" d28)";
    private static final String TIME =
            "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] (\".\" [0-9]{1,6})?"
                    + " (\"Z\" | [+-] ([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9])";
    private static final String LABEL = "[a-zA-Z0-9]{1,63} (\"-\" [a-zA-Z0-9]{1,62}){0,4}";

    /** Rules a format needs beside its own body; the body is the string's content between the quotes. */
    static final Map<String, String> FORMAT_HELPERS = Map.of(
            "d28", "\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]",
            "label", LABEL,
            "oct", "[0-9] | [1-9] [0-9] | \"1\" [0-9] [0-9] | \"2\" [0-4] [0-9] | \"25\" [0-5]");

    private JsonTerminals() {}

    /** The content (between the quotes) of a string in the named format, or null when unknown. */
    static String format(String format) {
        return switch (format) {
            case "date" -> DATE;
            case "time" -> TIME;
            case "date-time" -> DATE + " \"T\" " + TIME;
            case "uuid" ->
                "[0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12}";
            // Validators check the top-level domain against IANA's list, so it is one of the common ones.
            case "email" ->
                "[a-zA-Z0-9_+]{1,32} (\".\" [a-zA-Z0-9_+]{1,8}){0,3} \"@\" label (\".\" label){0,2} \".\" "
                        + "(\"com\" | \"org\" | \"net\" | \"edu\" | \"gov\" | \"io\" | \"dev\" | \"ai\" | \"app\" | \"info\""
                        + " | \"co\" | \"us\" | \"uk\" | \"de\" | \"fr\" | \"jp\" | \"eu\" | \"ca\" | \"ch\" | \"nl\")";
            case "ipv4" -> "oct \".\" oct \".\" oct \".\" oct";
            default -> null;
        };
    }

    /**
     * Integers in [lo, hi]; a null bound is open (held to 16 digits). Built from digit ranges, as a
     * regex for a numeric range is: same-length spans split where the leading digits differ.
     */
    static String integerRange(Long lo, Long hi) {
        long cap = 9_999_999_999_999_999L;
        long min = lo == null ? -cap : Math.max(lo, -cap), max = hi == null ? cap : Math.min(hi, cap);
        if (min > max) {
            return null;
        }
        List<String> options = new ArrayList<>();
        if (min < 0) {
            long negLo = max < 0 ? -max : 1, negHi = -min;
            options.add("\"-\" (" + String.join(" | ", nonNegative(negLo, negHi)) + ")");
        }
        if (max >= 0) {
            options.addAll(nonNegative(Math.max(0, min), max));
        }
        return String.join(" | ", options);
    }

    private static List<String> nonNegative(long lo, long hi) {
        List<String> out = new ArrayList<>();
        for (int digits = Long.toString(lo).length();
                digits <= Long.toString(hi).length();
                digits++) {
            long first = digits == 1 ? 0 : pow10(digits - 1), last = pow10(digits) - 1;
            long a = Math.max(lo, first), b = Math.min(hi, last);
            if (a <= b) {
                sameLength(Long.toString(a), Long.toString(b), "", out);
            }
        }
        return out;
    }

    /** Appends to out the sequences matching every number of a's length from a to b. */
    private static void sameLength(String a, String b, String prefix, List<String> out) {
        if (a.isEmpty()) {
            out.add(prefix.isEmpty() ? "\"\"" : prefix.trim());
            return;
        }
        char x = a.charAt(0), y = b.charAt(0);
        String restA = a.substring(1), restB = b.substring(1);
        if (x == y) {
            sameLength(restA, restB, prefix + " [" + x + "]", out);
            return;
        }
        String any = restA.isEmpty() ? "" : " [0-9]{" + restA.length() + "}";
        boolean fullLow = restA.chars().allMatch(c -> c == '0'),
                fullHigh = restB.chars().allMatch(c -> c == '9');
        char from = fullLow ? x : (char) (x + 1), to = fullHigh ? y : (char) (y - 1);
        if (!fullLow) {
            sameLength(restA, "9".repeat(restA.length()), prefix + " [" + x + "]", out);
        }
        if (from <= to) {
            out.add((prefix + " [" + from + "-" + to + "]" + any).trim());
        }
        if (!fullHigh) {
            sameLength("0".repeat(restB.length()), restB, prefix + " [" + y + "]", out);
        }
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
