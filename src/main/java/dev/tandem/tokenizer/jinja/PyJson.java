package dev.tandem.tokenizer.jinja;

import java.util.List;
import java.util.Map;

/** Python's json.dumps as transformers' {@code tojson} filter calls it (ensure_ascii=False). */
final class PyJson {
    private PyJson() {}

    /** json.dumps(v, ensure_ascii=False, indent=indent, separators=..., sort_keys=sortKeys). */
    static String dumps(Object v, Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        String items = itemSeparator != null ? itemSeparator : indent != null ? "," : ", ";
        String keys = keySeparator != null ? keySeparator : ": ";
        writeJson(sb, v, indent, 0, items, keys, sortKeys);
        return sb.toString();
    }

    private static void writeJson(
            StringBuilder sb, Object v, Integer indent, int level, String items, String keys, boolean sortKeys) {
        if (v == null || v == Interpreter.UNDEFINED) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            sb.append(l);
        } else if (v instanceof Double d) {
            sb.append(
                    Double.isNaN(d)
                            ? "NaN"
                            : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
        } else if (v instanceof String s) {
            jsonString(sb, s);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? items : "");
                newline(sb, indent, level + 1);
                writeJson(sb, l.get(i), indent, level + 1, items, keys, sortKeys);
            }
            newline(sb, indent, level);
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            Map<?, ?> ordered = m;
            if (sortKeys) {
                ordered = new java.util.TreeMap<>(m);
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ordered.entrySet()) {
                sb.append(first ? "" : items);
                first = false;
                newline(sb, indent, level + 1);
                jsonString(sb, String.valueOf(e.getKey()));
                sb.append(keys);
                writeJson(sb, e.getValue(), indent, level + 1, items, keys, sortKeys);
            }
            newline(sb, indent, level);
            sb.append('}');
        } else {
            jsonString(sb, String.valueOf(v));
        }
    }

    private static void newline(StringBuilder sb, Integer indent, int level) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
