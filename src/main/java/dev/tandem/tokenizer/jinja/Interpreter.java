package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Ast.Expr;
import dev.tandem.tokenizer.jinja.Ast.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a parsed template: statements into text, expressions into Python-like values. */
final class Interpreter {
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "Undefined";
        }
    };

    /** Anything a template can call: globals, methods, macros, loop.cycle. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    private enum Flow {
        NORMAL,
        BREAK,
        CONTINUE
    }

    /** Variables of one level: the template, a loop body or a macro call. */
    static final class Scope {
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object get(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) {
                    return s.vars.get(name);
                }
            }
            return UNDEFINED;
        }
    }

    private final Scope root;

    Interpreter(Scope root) {
        this.root = root;
    }

    void render(List<Node> nodes, StringBuilder out) {
        render(nodes, root, out);
    }

    private Flow render(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node n : nodes) {
            Flow f = render(n, scope, out);
            if (f != Flow.NORMAL) {
                return f;
            }
        }
        return Flow.NORMAL;
    }

    private Flow render(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Ast.Text t -> out.append(t.text());
            case Ast.Print p -> out.append(Py.str(eval(p.value(), scope)));
            case Ast.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (Py.truthy(eval(i.conditions().get(k), scope))) {
                        return render(i.bodies().get(k), scope, out);
                    }
                }
                return render(i.otherwise(), scope, out);
            }
            case Ast.For f -> {
                return loop(f, scope, out);
            }
            case Ast.Set s -> assign(s, scope);
            case Ast.SetBlock s -> {
                StringBuilder captured = new StringBuilder();
                render(s.body(), scope, captured);
                scope.vars.put(s.target(), captured.toString());
            }
            case Ast.Macro m -> scope.vars.put(m.name(), macro(m));
            case Ast.CallMacro c -> {
                Ast.Call call = (Ast.Call) c.call();
                Object fn = eval(call.function(), scope);
                Callable caller = (args, kw) -> {
                    StringBuilder sb = new StringBuilder();
                    render(c.body(), new Scope(scope), sb);
                    return sb.toString();
                };
                Map<String, Object> kwargs = kwargs(call.kwargs(), scope);
                kwargs.put("caller", caller);
                out.append(Py.str(((Callable) fn).call(args(call.args(), scope), kwargs)));
            }
            case Ast.Break b -> {
                return Flow.BREAK;
            }
            case Ast.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private Flow loop(Ast.For f, Scope scope, StringBuilder out) {
        List<Object> items = new ArrayList<>();
        Scope body = new Scope(scope);
        for (Object item : Py.iterate(eval(f.iterable(), scope))) {
            if (f.filter() != null) {
                bindTargets(f.targets(), item, body);
                if (!Py.truthy(eval(f.filter(), body))) {
                    continue;
                }
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            return render(f.otherwise(), scope, out);
        }
        for (int i = 0; i < items.size(); i++) {
            bindTargets(f.targets(), items.get(i), body);
            body.vars.put("loop", loopInfo(items, i));
            if (render(f.body(), body, out) == Flow.BREAK) {
                break;
            }
        }
        return Flow.NORMAL;
    }

    private static Map<String, Object> loopInfo(List<Object> items, int i) {
        Map<String, Object> loop = new LinkedHashMap<>();
        int n = items.size();
        loop.put("index", (long) i + 1);
        loop.put("index0", (long) i);
        loop.put("revindex", (long) (n - i));
        loop.put("revindex0", (long) (n - i - 1));
        loop.put("first", i == 0);
        loop.put("last", i == n - 1);
        loop.put("length", (long) n);
        loop.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
        loop.put("nextitem", i < n - 1 ? items.get(i + 1) : UNDEFINED);
        loop.put("cycle", (Callable) (args, kw) -> args.get(i % args.size()));
        return loop;
    }

    private static void bindTargets(List<String> targets, Object item, Scope scope) {
        if (targets.size() == 1) {
            scope.vars.put(targets.get(0), item);
            return;
        }
        List<Object> values = Py.iterate(item);
        if (values.size() != targets.size()) {
            throw new TemplateException("cannot unpack " + values.size() + " values into " + targets.size() + " names");
        }
        for (int k = 0; k < targets.size(); k++) {
            scope.vars.put(targets.get(k), values.get(k));
        }
    }

    private void assign(Ast.Set s, Scope scope) {
        Object value = eval(s.value(), scope);
        if (s.namespace() != null) {
            Object ns = scope.get(s.namespace());
            if (!(ns instanceof Py.Namespace namespace)) {
                throw new TemplateException("cannot assign attribute on non-namespace object '" + s.namespace() + "'");
            }
            namespace.put(s.targets().get(0), value);
        } else {
            bindTargets(s.targets(), value, scope);
        }
    }

    private Callable macro(Ast.Macro m) {
        return (args, kwargs) -> {
            Scope s = new Scope(root);
            for (int i = 0; i < m.params().size(); i++) {
                String p = m.params().get(i);
                Object v = i < args.size()
                        ? args.get(i)
                        : kwargs.containsKey(p)
                                ? kwargs.get(p)
                                : m.defaults().get(i) != null
                                        ? eval(m.defaults().get(i), root)
                                        : UNDEFINED;
                s.vars.put(p, v);
            }
            if (kwargs.containsKey("caller")) {
                s.vars.put("caller", kwargs.get("caller"));
            }
            StringBuilder sb = new StringBuilder();
            render(m.body(), s, sb);
            return sb.toString();
        };
    }

    Object eval(Expr e, Scope scope) {
        return switch (e) {
            case Ast.Literal l -> l.value();
            case Ast.Name n -> scope.get(n.name());
            case Ast.Attr a -> Builtins.attribute(eval(a.target(), scope), a.name());
            case Ast.Item i -> Builtins.item(eval(i.target(), scope), eval(i.key(), scope));
            case Ast.Slice s ->
                Builtins.slice(
                        eval(s.target(), scope), opt(s.start(), scope), opt(s.stop(), scope), opt(s.step(), scope));
            case Ast.Call c -> {
                Object fn = eval(c.function(), scope);
                if (!(fn instanceof Callable callable)) {
                    throw new TemplateException("'" + Py.typeName(fn) + "' object is not callable");
                }
                yield callable.call(args(c.args(), scope), kwargs(c.kwargs(), scope));
            }
            case Ast.Filter f ->
                Builtins.filter(f.name(), eval(f.value(), scope), args(f.args(), scope), kwargs(f.kwargs(), scope));
            case Ast.Test t -> t.negated() != Builtins.test(t.name(), eval(t.value(), scope), args(t.args(), scope));
            case Ast.Unary u ->
                u.op().equals("not")
                        ? !Py.truthy(eval(u.operand(), scope))
                        : Operators.negate(eval(u.operand(), scope));
            case Ast.Binary b -> binary(b, scope);
            case Ast.Cond c ->
                Py.truthy(eval(c.condition(), scope)) ? eval(c.then(), scope) : eval(c.otherwise(), scope);
            case Ast.ListLit l -> new ArrayList<>(args(l.items(), scope));
            case Ast.DictLit d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int k = 0; k < d.keys().size(); k++) {
                    m.put(Py.str(eval(d.keys().get(k), scope)), eval(d.values().get(k), scope));
                }
                yield m;
            }
        };
    }

    private Object binary(Ast.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        return switch (b.op()) {
            case "and" -> Py.truthy(left) ? eval(b.right(), scope) : left;
            case "or" -> Py.truthy(left) ? left : eval(b.right(), scope);
            default -> Operators.apply(b.op(), left, eval(b.right(), scope));
        };
    }

    private Object opt(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> args(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr x : exprs) {
            out.add(eval(x, scope));
        }
        return out;
    }

    private Map<String, Object> kwargs(Map<String, Expr> exprs, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        exprs.forEach((k, v) -> out.put(k, eval(v, scope)));
        return out;
    }
}
