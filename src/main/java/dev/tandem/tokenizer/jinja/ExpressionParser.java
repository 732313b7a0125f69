package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Ast.Attr;
import dev.tandem.tokenizer.jinja.Ast.Binary;
import dev.tandem.tokenizer.jinja.Ast.Call;
import dev.tandem.tokenizer.jinja.Ast.Cond;
import dev.tandem.tokenizer.jinja.Ast.DictLit;
import dev.tandem.tokenizer.jinja.Ast.Expr;
import dev.tandem.tokenizer.jinja.Ast.Filter;
import dev.tandem.tokenizer.jinja.Ast.Item;
import dev.tandem.tokenizer.jinja.Ast.ListLit;
import dev.tandem.tokenizer.jinja.Ast.Literal;
import dev.tandem.tokenizer.jinja.Ast.Name;
import dev.tandem.tokenizer.jinja.Ast.Slice;
import dev.tandem.tokenizer.jinja.Ast.Test;
import dev.tandem.tokenizer.jinja.Ast.Unary;
import dev.tandem.tokenizer.jinja.Lexer.Tok;
import dev.tandem.tokenizer.jinja.Lexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the tokens of one tag into expressions with Jinja's precedence: conditional, or, and,
 * not, comparisons, + -, ~, * / // %, **, unary minus, then primaries with postfix access,
 * filters and tests (which bind tighter than any operator).
 */
final class ExpressionParser extends TokenCursor {
    ExpressionParser(List<Token> tokens) {
        super(tokens);
    }

    /** An expression, or a bare tuple {@code a, b} where a statement allows one. */
    Expr tupleOrExpression() {
        Expr first = expression();
        if (!peek().is(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (accept(",") && !atEnd()) {
            items.add(expression());
        }
        return new ListLit(items);
    }

    /** An expression without a trailing {@code if}: a for loop's iterable, where {@code if} filters. */
    Expr withoutConditional() {
        return or();
    }

    Expr expression() {
        Expr e = or();
        if (accept("if")) {
            Expr cond = or();
            Expr otherwise = accept("else") ? expression() : new Literal(Interpreter.UNDEFINED);
            return new Cond(cond, e, otherwise);
        }
        return e;
    }

    private Expr or() {
        Expr e = and();
        while (accept("or")) {
            e = new Binary("or", e, and());
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (accept("and")) {
            e = new Binary("and", e, not());
        }
        return e;
    }

    private Expr not() {
        if (accept("not")) {
            return new Unary("not", not());
        }
        return compare();
    }

    private Expr compare() {
        Expr e = add();
        while (true) {
            Token t = peek();
            if (t.kind() == Tok.OP && List.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                pos++;
                e = new Binary(t.text(), e, add());
            } else if (t.is("in")) {
                pos++;
                e = new Binary("in", e, add());
            } else if (t.is("not") && peek(1).is("in")) {
                pos += 2;
                e = new Binary("not in", e, add());
            } else {
                return e;
            }
        }
    }

    private Expr add() {
        Expr e = concat();
        while (peek().is("+") || peek().is("-")) {
            e = new Binary(next().text(), e, concat());
        }
        return e;
    }

    private Expr concat() {
        Expr e = multiply();
        while (accept("~")) {
            e = new Binary("~", e, multiply());
        }
        return e;
    }

    private Expr multiply() {
        Expr e = power();
        while (peek().is("*") || peek().is("/") || peek().is("//") || peek().is("%")) {
            e = new Binary(next().text(), e, power());
        }
        return e;
    }

    private Expr power() {
        Expr e = unary();
        while (accept("**")) {
            e = new Binary("**", e, unary());
        }
        return e;
    }

    private Expr unary() {
        if (accept("-")) {
            return new Unary("-", unary());
        }
        if (accept("+")) {
            return unary();
        }
        return filtersAndTests(postfix(primary()));
    }

    private Expr filtersAndTests(Expr e) {
        while (true) {
            if (accept("|")) {
                String name = name();
                List<Expr> args = new ArrayList<>();
                Map<String, Expr> kwargs = new LinkedHashMap<>();
                if (peek().is("(")) {
                    arguments(args, kwargs);
                }
                e = new Filter(e, name, args, kwargs);
            } else if (peek().is("is")) {
                pos++;
                boolean negated = accept("not");
                String name = name();
                List<Expr> args = new ArrayList<>();
                if (peek().is("(")) {
                    arguments(args, new LinkedHashMap<>());
                } else if (startsPrimary(peek())
                        && !peek().is("and")
                        && !peek().is("or")
                        && !peek().is("else")
                        && !peek().is("if")
                        && !peek().is("in")
                        && !peek().is("not")) {
                    args.add(postfix(primary()));
                }
                e = new Test(e, name, args, negated);
            } else {
                return e;
            }
        }
    }

    private static boolean startsPrimary(Token t) {
        return t.kind() == Tok.NAME || t.kind() == Tok.STRING || t.kind() == Tok.INT || t.kind() == Tok.FLOAT;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().kind() == Tok.STRING) {
                    s.append(next().text());
                }
                return new Literal(s.toString());
            }
            case INT -> {
                return new Literal(Long.parseLong(t.text()));
            }
            case FLOAT -> {
                return new Literal(Double.parseDouble(t.text()));
            }
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Literal(Boolean.TRUE);
                    case "false", "False" -> new Literal(Boolean.FALSE);
                    case "none", "None" -> new Literal(null);
                    default -> new Name(t.text());
                };
            }
            default -> {}
        }
        if (t.is("(")) {
            if (accept(")")) {
                return new ListLit(List.of());
            }
            Expr e = expression();
            if (peek().is(",")) {
                List<Expr> items = new ArrayList<>(List.of(e));
                while (accept(",") && !peek().is(")")) {
                    items.add(expression());
                }
                expect(")");
                return new ListLit(items);
            }
            expect(")");
            return e;
        }
        if (t.is("[")) {
            List<Expr> items = new ArrayList<>();
            while (!accept("]")) {
                items.add(expression());
                if (!accept(",")) {
                    expect("]");
                    break;
                }
            }
            return new ListLit(items);
        }
        if (t.is("{")) {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!accept("}")) {
                keys.add(expression());
                expect(":");
                values.add(expression());
                if (!accept(",")) {
                    expect("}");
                    break;
                }
            }
            return new DictLit(keys, values);
        }
        throw new TemplateException("unexpected '" + t.text() + "' in expression");
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (accept(".")) {
                Token t = next();
                e = t.kind() == Tok.INT ? new Item(e, new Literal(Long.parseLong(t.text()))) : new Attr(e, t.text());
            } else if (accept("[")) {
                Expr start = peek().is(":") ? null : expression();
                if (accept(":")) {
                    Expr stop = peek().is("]") || peek().is(":") ? null : expression();
                    Expr step = accept(":") && !peek().is("]") ? expression() : null;
                    expect("]");
                    e = new Slice(e, start, stop, step);
                } else {
                    expect("]");
                    e = new Item(e, start);
                }
            } else if (peek().is("(")) {
                List<Expr> args = new ArrayList<>();
                Map<String, Expr> kwargs = new LinkedHashMap<>();
                arguments(args, kwargs);
                e = new Call(e, args, kwargs);
            } else {
                return e;
            }
        }
    }

    private void arguments(List<Expr> args, Map<String, Expr> kwargs) {
        expect("(");
        while (!accept(")")) {
            if (peek().kind() == Tok.NAME && peek(1).is("=")) {
                String key = name();
                pos++;
                kwargs.put(key, expression());
            } else {
                args.add(expression());
            }
            if (!accept(",")) {
                expect(")");
                break;
            }
        }
    }
}
