package dev.tandem.tokenizer.jinja;

import java.util.List;
import java.util.Map;

/** The parsed template: statements ({@link Node}) and expressions ({@link Expr}). */
final class Ast {
    private Ast() {}

    sealed interface Node permits Text, Print, If, For, Set, SetBlock, Macro, Break, Continue, CallMacro {}

    record Text(String text) implements Node {}

    record Print(Expr value) implements Node {}

    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {}

    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise)
            implements Node {}
    /** {@code set x = v}, {@code set a, b = v}, or {@code set ns.attr = v} (namespace non-null). */
    record Set(String namespace, List<String> targets, Expr value) implements Node {}

    record SetBlock(String target, List<Node> body) implements Node {}

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node {}

    record Break() implements Node {}

    record Continue() implements Node {}
    /** {@code {% call macro(args) %}body{% endcall %}}: body is available to the macro as caller(). */
    record CallMacro(Expr call, List<Node> body) implements Node {}

    sealed interface Expr
            permits Literal, Name, Attr, Item, Slice, Call, Filter, Test, Unary, Binary, Cond, ListLit, DictLit {}

    record Literal(Object value) implements Expr {}

    record Name(String name) implements Expr {}

    record Attr(Expr target, String name) implements Expr {}

    record Item(Expr target, Expr key) implements Expr {}

    record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr {}

    record Call(Expr function, List<Expr> args, Map<String, Expr> kwargs) implements Expr {}

    record Filter(Expr value, String name, List<Expr> args, Map<String, Expr> kwargs) implements Expr {}

    record Test(Expr value, String name, List<Expr> args, boolean negated) implements Expr {}

    record Unary(String op, Expr operand) implements Expr {}

    record Binary(String op, Expr left, Expr right) implements Expr {}

    record Cond(Expr condition, Expr then, Expr otherwise) implements Expr {}

    record ListLit(List<Expr> items) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values) implements Expr {}
}
