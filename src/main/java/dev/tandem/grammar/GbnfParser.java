package dev.tandem.grammar;

import dev.tandem.grammar.Grammar.Alt;
import dev.tandem.grammar.Grammar.Chars;
import dev.tandem.grammar.Grammar.Expr;
import dev.tandem.grammar.Grammar.Ref;
import dev.tandem.grammar.Grammar.Repeat;
import dev.tandem.grammar.Grammar.Seq;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads GBNF, llama.cpp's grammar notation: {@code name ::= alternatives}, literals in double
 * quotes, character classes {@code [a-z]} and {@code [^"]}, {@code .} for any character, groups,
 * {@code * + ?} and {@code {m}}, {@code {m,}}, {@code {m,n}}, comments from {@code #}. The start rule
 * is {@code root}.
 */
public final class GbnfParser {
    private static final int MAX_REPEAT = 10_000;
    private final String src;
    private int pos;

    private GbnfParser(String src) {
        this.src = src;
    }

    public static Grammar parse(String text) {
        GbnfParser p = new GbnfParser(text);
        Map<String, Expr> rules = new LinkedHashMap<>();
        p.skipSpace(true);
        while (p.pos < p.src.length()) {
            String name = p.name();
            p.skipSpace(true);
            p.expect("::=");
            if (rules.put(name, p.alternatives(true)) != null) {
                throw p.error("rule '" + name + "' is defined twice");
            }
            p.skipSpace(true);
        }
        if (!rules.containsKey(Grammar.ROOT)) {
            throw new GrammarException("", "the grammar has no 'root' rule");
        }
        for (Expr e : rules.values()) {
            checkRefs(e, rules);
        }
        return new Grammar(rules);
    }

    private static void checkRefs(Expr e, Map<String, Expr> rules) {
        switch (e) {
            case Ref r -> {
                if (!rules.containsKey(r.name())) {
                    throw new GrammarException("", "the grammar uses rule '" + r.name() + "' but does not define it");
                }
            }
            case Seq s -> s.items().forEach(x -> checkRefs(x, rules));
            case Alt a -> a.options().forEach(x -> checkRefs(x, rules));
            case Repeat r -> checkRefs(r.item(), rules);
            case Chars c -> {}
        }
    }

    /** Alternatives up to the end of the rule (top level) or the closing parenthesis. */
    private Expr alternatives(boolean topLevel) {
        List<Expr> options = new ArrayList<>();
        options.add(sequence(topLevel));
        while (peek() == '|') {
            pos++;
            options.add(sequence(topLevel));
        }
        return options.size() == 1 ? options.get(0) : new Alt(options);
    }

    private Expr sequence(boolean topLevel) {
        List<Expr> items = new ArrayList<>();
        while (true) {
            skipSpace(true);
            if (pos >= src.length() || peek() == '|' || peek() == ')' || (topLevel && startsNextRule())) {
                break;
            }
            items.add(postfix(primary()));
        }
        return items.size() == 1 ? items.get(0) : new Seq(items);
    }

    private Expr primary() {
        char c = peek();
        if (c == '"') {
            pos++;
            List<Expr> chars = new ArrayList<>();
            while (peek() != '"') {
                int cp = character();
                chars.add(new Chars(new int[] {cp, cp}));
            }
            pos++;
            return chars.size() == 1 ? chars.get(0) : new Seq(chars);
        }
        if (c == '[') {
            pos++;
            boolean negated = peek() == '^';
            if (negated) {
                pos++;
            }
            List<int[]> pairs = new ArrayList<>();
            while (peek() != ']') {
                int lo = character();
                int hi = lo;
                if (peek() == '-' && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                    pos++;
                    hi = character();
                }
                if (hi < lo) {
                    throw error("character range is backwards");
                }
                pairs.add(new int[] {lo, hi});
            }
            pos++;
            int[] set = CharRanges.withoutSurrogates(CharRanges.normalize(pairs));
            return new Chars(negated ? CharRanges.negate(set) : set);
        }
        if (c == '.') {
            pos++;
            return new Chars(CharRanges.ANY);
        }
        if (c == '(') {
            pos++;
            Expr inner = alternatives(false);
            skipSpace(true);
            expect(")");
            return inner;
        }
        if (isNameChar(c)) {
            return new Ref(name());
        }
        throw error("unexpected '" + c + "'");
    }

    private Expr postfix(Expr e) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '*' || c == '+' || c == '?') {
                pos++;
                e = new Repeat(e, c == '+' ? 1 : 0, c == '?' ? 1 : -1);
            } else if (c == '{') {
                pos++;
                int min = number();
                int max = min;
                if (peek() == ',') {
                    pos++;
                    max = peek() == '}' ? -1 : number();
                }
                expect("}");
                if (max != -1 && max < min) {
                    throw error("repetition {" + min + "," + max + "} is backwards");
                }
                e = new Repeat(e, min, max);
            } else {
                break;
            }
        }
        return e;
    }

    private int number() {
        skipSpace(true);
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        if (start == pos || pos - start > 5 || Integer.parseInt(src.substring(start, pos)) > MAX_REPEAT) {
            throw error("repetition counts must be integers up to " + MAX_REPEAT);
        }
        int n = Integer.parseInt(src.substring(start, pos));
        skipSpace(true);
        return n;
    }

    /** One code point of a literal or class, escapes decoded. */
    private int character() {
        if (pos >= src.length()) {
            throw error("unterminated literal or character class");
        }
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        if (cp != '\\') {
            return cp;
        }
        if (pos >= src.length()) {
            throw error("dangling backslash");
        }
        char e = src.charAt(pos++);
        return switch (e) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> e;
        };
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) {
            throw error("short hex escape");
        }
        try {
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            if (v > CharRanges.MAX) {
                throw error("code point beyond U+10FFFF");
            }
            return v;
        } catch (NumberFormatException x) {
            throw error("bad hex escape");
        }
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isNameChar(src.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a rule name");
        }
        return src.substring(start, pos);
    }

    private boolean startsNextRule() {
        int save = pos;
        try {
            if (!isNameChar(peek())) {
                return false;
            }
            name();
            skipSpace(true);
            return src.startsWith("::=", pos);
        } finally {
            pos = save;
        }
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private void skipSpace(boolean newlines) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
                pos++;
            } else {
                break;
            }
        }
    }

    private char peek() {
        return pos < src.length() ? src.charAt(pos) : '\0';
    }

    private void expect(String s) {
        if (!src.startsWith(s, pos)) {
            throw error("expected '" + s + "'");
        }
        pos += s.length();
    }

    private GrammarException error(String message) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new GrammarException("", "grammar syntax error at line " + line + ", column " + col + ": " + message);
    }
}
