package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;

/** The numeric keywords of a schema: integer bounds (inclusive, exclusive, draft 4 flags), counts, repetitions. */
final class SchemaBounds {
    private SchemaBounds() {}

    static Long bound(JsonNode s, String inclusive, String exclusive, boolean lower, String path) {
        Long v = null;
        if (s.has(inclusive)) {
            v = integral(s.get(inclusive), lower, SchemaText.at(path, inclusive));
        }
        JsonNode e = s.get(exclusive);
        if (e != null && e.isBoolean()) { // draft 4: a flag on the inclusive bound
            return e.asBoolean() && v != null ? (lower ? v + 1 : v - 1) : v;
        }
        if (e != null) {
            long x = integral(e, lower, SchemaText.at(path, exclusive));
            x = lower
                    ? x + (e.asDouble() == Math.floor(e.asDouble()) ? 1 : 0)
                    : x - (e.asDouble() == Math.ceil(e.asDouble()) ? 1 : 0);
            v = v == null ? x : lower ? Math.max(v, x) : Math.min(v, x);
        }
        return v;
    }

    static long integral(JsonNode n, boolean lower, String path) {
        if (!n.isNumber()) {
            throw new GrammarException(path, "a bound must be a number");
        }
        return (long) (lower ? Math.ceil(n.asDouble()) : Math.floor(n.asDouble()));
    }

    static long count(JsonNode s, String k, long fallback, String path) {
        JsonNode n = s.get(k);
        if (n == null) {
            return fallback;
        }
        if (!n.canConvertToLong() || n.asLong() < 0 || n.asLong() > 10_000) {
            throw new GrammarException(SchemaText.at(path, k), "'" + k + "' must be an integer in [0, 10000]");
        }
        return n.asLong();
    }

    /** item repeated min..max times (max -1: open), separated by commas; leadingComma when items come before. */
    static String repeatList(String item, int min, int max, boolean leadingComma) {
        String sep = "ws \",\" ws ";
        String one = (leadingComma ? sep : "") + item;
        if (min == 0) {
            String rest =
                    max < 0 ? "(" + sep + item + ")*" : max <= 1 ? "" : "(" + sep + item + "){0," + (max - 1) + "}";
            return max == 0 ? "\"\"" : "(" + one + " " + rest + ")?";
        }
        String rest =
                max < 0 ? "(" + sep + item + ")*" : max == min ? "" : "(" + sep + item + "){0," + (max - min) + "}";
        String more = min > 1 ? "(" + sep + item + "){" + (min - 1) + "}" : "";
        return one + " " + more + " " + rest;
    }
}
