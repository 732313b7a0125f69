package dev.tandem.grammar;

/** Writing GBNF text: literals and character classes with every awkward character escaped. */
final class Gbnf {
    private Gbnf() {}

    static String literal(String text) {
        StringBuilder sb = new StringBuilder("\"");
        text.codePoints().forEach(c -> sb.append(c == '"' ? "\\\"" : c == '\\' ? "\\\\" : escapeIfControl(c)));
        return sb.append('"').toString();
    }

    /** A class [..] of the ranges {lo0, hi0, ...}. */
    static String charClass(int[] ranges) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ranges.length; i += 2) {
            sb.append(classChar(ranges[i]));
            if (ranges[i + 1] != ranges[i]) {
                sb.append('-').append(classChar(ranges[i + 1]));
            }
        }
        return sb.append(']').toString();
    }

    private static String classChar(int c) {
        return c == ']' || c == '\\' || c == '^' || c == '-' || c == '[' ? "\\" + (char) c : escapeIfControl(c);
    }

    private static String escapeIfControl(int c) {
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029) {
            return String.format("\\x%02X", c);
        }
        if (c > 0xFFFF) {
            return String.format("\\U%08X", c);
        }
        return new String(Character.toChars(c));
    }
}
