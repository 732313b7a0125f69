package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Ast.Expr;
import dev.tandem.tokenizer.jinja.Ast.Node;
import dev.tandem.tokenizer.jinja.Lexer.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds the statement tree from the lexer's segments; block tags nest by recursive descent. */
final class Parser {
    private final List<Segment> segments;
    private int pos;

    private Parser(List<Segment> segments) {
        this.segments = segments;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.segments(source));
        List<Node> body = p.body(Set.of());
        if (p.pos < p.segments.size()) {
            throw new TemplateException("unexpected {% " + p.segments.get(p.pos).body() + " %}");
        }
        return body;
    }

    /** Parses statements until a block tag whose keyword is in {@code terminators} (left unconsumed). */
    private List<Node> body(Set<String> terminators) {
        List<Node> out = new ArrayList<>();
        while (pos < segments.size()) {
            Segment s = segments.get(pos);
            switch (s.kind()) {
                case TEXT -> {
                    out.add(new Ast.Text(s.body()));
                    pos++;
                }
                case PRINT -> {
                    ExpressionParser e = new ExpressionParser(Lexer.tokens(s.body()));
                    out.add(new Ast.Print(e.expression()));
                    e.expectEnd();
                    pos++;
                }
                case BLOCK -> {
                    String keyword = keyword(s);
                    if (terminators.contains(keyword)) {
                        return out;
                    }
                    pos++;
                    out.add(block(keyword, new ExpressionParser(Lexer.tokens(s.body())), s));
                }
            }
        }
        if (!terminators.isEmpty()) {
            throw new TemplateException("missing {% " + String.join(" / ", terminators) + " %}");
        }
        return out;
    }

    private static String keyword(Segment s) {
        String b = s.body();
        int i = 0;
        while (i < b.length() && (Character.isLetterOrDigit(b.charAt(i)) || b.charAt(i) == '_')) {
            i++;
        }
        return b.substring(0, i);
    }

    private Node block(String keyword, ExpressionParser p, Segment s) {
        p.next();
        return switch (keyword) {
            case "if" -> ifBlock(p);
            case "for" -> forBlock(p);
            case "set" -> setBlock(p);
            case "macro" -> macro(p);
            case "call" -> {
                Expr call = p.expression();
                p.expectEnd();
                List<Node> body = body(Set.of("endcall"));
                pos++;
                yield new Ast.CallMacro(call, body);
            }
            case "break" -> new Ast.Break();
            case "continue" -> new Ast.Continue();
            case "generation" -> {
                // transformers' assistant-mask marker: renders its body unchanged.
                List<Node> body = body(Set.of("endgeneration"));
                pos++;
                yield new Ast.If(List.of(new Ast.Literal(Boolean.TRUE)), List.of(body), List.of());
            }
            default -> throw new TemplateException("unknown tag {% " + s.body() + " %} at line " + s.line());
        };
    }

    private Node ifBlock(ExpressionParser p) {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conditions.add(p.expression());
        p.expectEnd();
        List<Node> otherwise = List.of();
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            Segment end = segments.get(pos++);
            String k = keyword(end);
            if (k.equals("elif")) {
                ExpressionParser e = new ExpressionParser(Lexer.tokens(end.body()));
                e.next();
                conditions.add(e.expression());
                e.expectEnd();
            } else if (k.equals("else")) {
                otherwise = body(Set.of("endif"));
                pos++;
                break;
            } else {
                break;
            }
        }
        return new Ast.If(conditions, bodies, otherwise);
    }

    private Node forBlock(ExpressionParser p) {
        List<String> targets = new ArrayList<>();
        do {
            targets.add(p.name());
        } while (p.accept(","));
        p.expect("in");
        Expr iterable = p.withoutConditional();
        Expr filter = null;
        if (p.accept("if")) {
            filter = p.expression();
        }
        p.accept("recursive");
        p.expectEnd();
        List<Node> body = body(Set.of("else", "endfor"));
        List<Node> otherwise = List.of();
        if (keyword(segments.get(pos++)).equals("else")) {
            otherwise = body(Set.of("endfor"));
            pos++;
        }
        return new Ast.For(targets, iterable, filter, body, otherwise);
    }

    private Node setBlock(ExpressionParser p) {
        String first = p.name();
        if (p.accept(".")) {
            String attr = p.name();
            p.expect("=");
            Expr value = p.tupleOrExpression();
            p.expectEnd();
            return new Ast.Set(first, List.of(attr), value);
        }
        List<String> targets = new ArrayList<>(List.of(first));
        while (p.accept(",")) {
            targets.add(p.name());
        }
        if (p.atEnd()) {
            List<Node> body = body(Set.of("endset"));
            pos++;
            return new Ast.SetBlock(first, body);
        }
        p.expect("=");
        Expr value = p.tupleOrExpression();
        p.expectEnd();
        return new Ast.Set(null, targets, value);
    }

    private Node macro(ExpressionParser p) {
        String name = p.name();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        p.expect("(");
        while (!p.accept(")")) {
            params.add(p.name());
            defaults.add(p.accept("=") ? p.expression() : null);
            if (!p.accept(",")) {
                p.expect(")");
                break;
            }
        }
        p.expectEnd();
        List<Node> body = body(Set.of("endmacro"));
        pos++;
        return new Ast.Macro(name, params, defaults, body);
    }
}
