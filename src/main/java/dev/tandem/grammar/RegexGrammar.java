package dev.tandem.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A regular expression (the ECMAScript subset JSON Schema patterns and vLLM's guided_regex use) as
 * a GBNF expression: literals, escapes, classes, groups, alternation and quantifiers. Inside a JSON
 * string (a schema's pattern) each character is written as JSON must write it: a quote or backslash
 * as its escape, and control characters other than tab, newline and return are left out.
 * Backreferences, lookaround, word boundaries and flags have no grammar and are refused.
 */
final class RegexGrammar {
    private static final int[] FORBIDDEN_IN_JSON = {0, 0x1F, '"', '"', '\\', '\\'};
    private final String re;
    private final boolean inJsonString;
    private final String where;
    private int pos;

    private RegexGrammar(String re, boolean inJsonString, String where) {
        this.re = re;
        this.inJsonString = inJsonString;
        this.where = where;
    }

    /** The whole text must match (vLLM's guided_regex): anchors are implied. */
    static String fullMatch(String re, String where) {
        return new RegexGrammar(re, false, where).top(false);
    }

    /** A JSON Schema pattern: it may match anywhere in the string unless anchored with ^ and $. */
    static String jsonStringPattern(String re, String where) {
        return new RegexGrammar(re, true, where).top(true);
    }

    private String top(boolean search) {
        List<String> branches = new ArrayList<>();
        do {
            boolean anchoredStart = eat('^');
            String body = sequence(true);
            boolean anchoredEnd = eat('$');
            if (pos < re.length() && re.charAt(pos) != '|') {
                throw error("'^' and '$' are only supported at the start and end of the pattern");
            }
            String any = "(" + charClass(CharRanges.ANY) + ")*";
            branches.add((search && !anchoredStart ? any + " " : "") + "(" + body + ")"
                    + (search && !anchoredEnd ? " " + any : ""));
        } while (eat('|'));
        return "(" + String.join(" | ", branches) + ")";
    }

    private String alternatives() {
        List<String> options = new ArrayList<>();
        options.add(sequence(false));
        while (eat('|')) {
            options.add(sequence(false));
        }
        return "(" + String.join(" | ", options) + ")";
    }

    private String sequence(boolean topLevel) {
        StringBuilder sb = new StringBuilder("\"\"");
        while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
            if (topLevel && re.charAt(pos) == '$' && (pos + 1 == re.length() || re.charAt(pos + 1) == '|')) {
                break;
            }
            sb.append(' ').append(quantified(atom()));
        }
        return sb.toString();
    }

    private String quantified(String atom) {
        if (pos >= re.length()) {
            return atom;
        }
        char c = re.charAt(pos);
        String q;
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            q = String.valueOf(c);
        } else if (c == '{'
                && re.indexOf('}', pos) > pos
                && re.substring(pos + 1, re.indexOf('}', pos)).matches("\\d+(,\\d*)?")) {
            int close = re.indexOf('}', pos);
            String[] parts = re.substring(pos + 1, close).split(",", -1);
            if (Long.parseLong(parts[0]) > 10_000
                    || (parts.length > 1 && !parts[1].isEmpty() && Long.parseLong(parts[1]) > 10_000)) {
                throw error("repetition counts above 10000 are not supported");
            }
            q = "{" + re.substring(pos + 1, close) + "}";
            pos = close + 1;
        } else {
            return atom;
        }
        if (pos < re.length() && re.charAt(pos) == '+') {
            throw error("possessive quantifiers are not supported");
        }
        eat('?'); // lazy: the same set of strings
        return "(" + atom + ")" + q;
    }

    private String atom() {
        char c = re.charAt(pos++);
        switch (c) {
            case '(' -> {
                if (eat('?')) {
                    if (eat(':')) {
                        // non-capturing group
                    } else if (re.startsWith("<", pos) && !re.startsWith("<=", pos) && !re.startsWith("<!", pos)
                            || re.startsWith("P<", pos)) {
                        pos = re.indexOf('>', pos) + 1;
                        if (pos == 0) {
                            throw error("unterminated group name");
                        }
                    } else {
                        throw error("lookaround and inline flags '(?" + (pos < re.length() ? re.charAt(pos) : "")
                                + "' are not supported");
                    }
                }
                String inner = alternatives();
                if (!eat(')')) {
                    throw error("missing ')'");
                }
                return inner;
            }
            case '[' -> {
                return charClass(classBody());
            }
            case '.' -> {
                return charClass(CharRanges.negate(new int[] {'\n', '\n'}));
            }
            case '\\' -> {
                int[] set = escape(false);
                return set[0] == set[1] && set.length == 2 ? literal(set[0]) : charClass(set);
            }
            case '^', '$' -> throw error("'" + c + "' is only supported at the start or end of the pattern");
            case '*', '+', '?', '{' -> throw error("nothing to repeat before '" + c + "'");
            case ')' -> throw error("unbalanced ')'");
            default -> {
                pos--;
                int cp = re.codePointAt(pos);
                pos += Character.charCount(cp);
                return literal(cp);
            }
        }
    }

    private int[] classBody() {
        boolean negated = eat('^');
        List<int[]> pairs = new ArrayList<>();
        boolean first = true;
        while (pos < re.length() && (re.charAt(pos) != ']' || first)) {
            first = false;
            int[] lo = classAtom();
            if (lo.length == 2
                    && lo[0] == lo[1]
                    && pos + 1 < re.length()
                    && re.charAt(pos) == '-'
                    && re.charAt(pos + 1) != ']') {
                pos++;
                int[] hi = classAtom();
                if (hi.length != 2 || hi[0] != hi[1] || hi[0] < lo[0]) {
                    throw error("bad range in character class");
                }
                pairs.add(new int[] {lo[0], hi[0]});
            } else {
                pairs.addAll(CharRanges.pairs(lo));
            }
        }
        if (!eat(']')) {
            throw error("missing ']'");
        }
        int[] set = CharRanges.withoutSurrogates(CharRanges.normalize(pairs));
        return negated ? CharRanges.negate(set) : set;
    }

    private int[] classAtom() {
        int cp = re.codePointAt(pos);
        pos += Character.charCount(cp);
        return cp == '\\' ? escape(true) : new int[] {cp, cp};
    }

    private int[] escape(boolean inClass) {
        if (pos >= re.length()) {
            throw error("dangling backslash");
        }
        char e = re.charAt(pos++);
        return switch (e) {
            case 'd' -> new int[] {'0', '9'};
            case 'D' -> CharRanges.negate(new int[] {'0', '9'});
            case 'w' -> new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
            case 'W' -> CharRanges.negate(new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'});
            case 's' -> new int[] {'\t', '\r', ' ', ' '};
            case 'S' -> CharRanges.negate(new int[] {'\t', '\r', ' ', ' '});
            case 'n' -> new int[] {'\n', '\n'};
            case 't' -> new int[] {'\t', '\t'};
            case 'r' -> new int[] {'\r', '\r'};
            case 'f' -> new int[] {'\f', '\f'};
            case 'v' -> new int[] {0x0B, 0x0B};
            case 'x', 'u' -> {
                int digits = e == 'x' ? 2 : 4;
                if (pos + digits > re.length()
                        || !re.substring(pos, pos + digits).matches("[0-9a-fA-F]+")) {
                    throw error("bad \\" + e + " escape");
                }
                int v = Integer.parseInt(re.substring(pos, pos + digits), 16);
                pos += digits;
                yield new int[] {v, v};
            }
            case 'b' -> {
                if (inClass) {
                    yield new int[] {8, 8};
                }
                throw error("word boundaries (\\b) are not supported");
            }
            case 'B' -> throw error("\\B is not supported");
            default -> {
                if (Character.isDigit(e)) {
                    throw error("backreferences are not supported");
                }
                if (Character.isLetter(e)) {
                    throw error("the escape \\" + e + " is not supported");
                }
                yield new int[] {e, e};
            }
        };
    }

    private String literal(int cp) {
        if (!inJsonString) {
            return Gbnf.literal(new String(Character.toChars(cp)));
        }
        return switch (cp) {
            case '"' -> Gbnf.literal("\\\"");
            case '\\' -> Gbnf.literal("\\\\");
            case '\n' -> Gbnf.literal("\\n");
            case '\t' -> Gbnf.literal("\\t");
            case '\r' -> Gbnf.literal("\\r");
            default ->
                cp < 0x20
                        ? Gbnf.literal(String.format("\\u%04x", cp))
                        : Gbnf.literal(new String(Character.toChars(cp)));
        };
    }

    /** A class; in a JSON string its quote, backslash, tab, newline and return come as escapes. */
    private String charClass(int[] set) {
        if (!inJsonString) {
            if (set.length == 0) {
                throw error("a character class that matches nothing");
            }
            return Gbnf.charClass(set);
        }
        List<String> options = new ArrayList<>();
        int[] safe = CharRanges.minus(set, FORBIDDEN_IN_JSON);
        if (safe.length > 0) {
            options.add(Gbnf.charClass(safe));
        }
        for (int c : new int[] {'"', '\\', '\n', '\t', '\r'}) {
            if (CharRanges.contains(set, c)) {
                options.add(literal(c));
            }
        }
        if (options.isEmpty()) {
            throw error("a character class that matches nothing a JSON string can hold");
        }
        return options.size() == 1 ? options.get(0) : "(" + String.join(" | ", options) + ")";
    }

    private boolean eat(char c) {
        if (pos < re.length() && re.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private GrammarException error(String message) {
        return new GrammarException(where, "regex /" + re + "/ at " + pos + ": " + message);
    }
}
