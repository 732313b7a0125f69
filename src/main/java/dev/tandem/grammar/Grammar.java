package dev.tandem.grammar;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A context-free grammar over Unicode code points: named rules, each one expression, starting at
 * {@code root}. Every constraint (JSON Schema, regex, choice, raw GBNF) becomes one of these, and its
 * GBNF text is what travels to the shards.
 */
public record Grammar(Map<String, Expr> rules) {
    public static final String ROOT = "root";

    public Grammar {
        rules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    /** One node of a rule's right-hand side. */
    public sealed interface Expr permits Seq, Alt, Repeat, Chars, Ref {}

    public record Seq(List<Expr> items) implements Expr {
        public Seq {
            items = List.copyOf(items);
        }
    }

    public record Alt(List<Expr> options) implements Expr {
        public Alt {
            options = List.copyOf(options);
        }
    }

    /** item repeated min..max times; max -1 means without bound. */
    public record Repeat(Expr item, int min, int max) implements Expr {}

    /** One code point from sorted, disjoint, inclusive ranges {lo0, hi0, lo1, hi1, ...}. */
    public record Chars(int[] ranges) implements Expr {}

    public record Ref(String name) implements Expr {}

    /** The literal text, one code point after the other. */
    public static Expr literal(String text) {
        return new Seq(text.codePoints()
                .mapToObj(c -> (Expr) new Chars(new int[] {c, c}))
                .toList());
    }
}
