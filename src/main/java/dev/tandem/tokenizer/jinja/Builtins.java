package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Interpreter.Callable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Attribute and item access, slicing, and Jinja's filters and tests, as chat templates use them. */
final class Builtins {
    private Builtins() {}

    static Object attribute(Object target, String name) {
        if (target instanceof String s) {
            return StringMethods.bind(s, name);
        }
        if (target instanceof Map<?, ?> m) {
            if (!(m instanceof Py.Namespace) && !m.containsKey(name)) {
                Callable method = dictMethod(m, name);
                if (method != null) {
                    return method;
                }
            }
            return m.containsKey(name) ? m.get(name) : Interpreter.UNDEFINED;
        }
        return Interpreter.UNDEFINED;
    }

    private static Callable dictMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "items" ->
                (a, k) -> {
                    List<Object> out = new ArrayList<>();
                    m.forEach((key, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(key, v))));
                    return out;
                };
            case "keys" -> (a, k) -> new ArrayList<Object>(m.keySet());
            case "values" -> (a, k) -> new ArrayList<Object>(m.values());
            case "get" ->
                (a, k) -> m.containsKey(Py.str(a.get(0))) ? m.get(Py.str(a.get(0))) : a.size() > 1 ? a.get(1) : null;
            default -> null;
        };
    }

    static Object item(Object target, Object key) {
        if (target instanceof List<?> l && key instanceof Long i) {
            long idx = i < 0 ? l.size() + i : i;
            return idx >= 0 && idx < l.size() ? l.get((int) idx) : Interpreter.UNDEFINED;
        }
        if (target instanceof String s && key instanceof Long i) {
            long idx = i < 0 ? s.length() + i : i;
            return idx >= 0 && idx < s.length() ? String.valueOf(s.charAt((int) idx)) : Interpreter.UNDEFINED;
        }
        if (target instanceof Map<?, ?> m && key != null) {
            String k = Py.str(key);
            return m.containsKey(k) ? m.get(k) : Interpreter.UNDEFINED;
        }
        if (key instanceof String name) {
            return attribute(target, name);
        }
        return Interpreter.UNDEFINED;
    }

    static Object slice(Object target, Object start, Object stop, Object step) {
        List<Object> items = target instanceof String s ? new ArrayList<>(Py.iterate(s)) : Py.iterate(target);
        int n = items.size();
        long st = step == null ? 1 : (Long) step;
        if (st == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        long lo = bound(start, n, st > 0 ? 0 : n - 1, st);
        long hi = bound(stop, n, st > 0 ? n : -1, st);
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            out.add(items.get((int) i));
        }
        if (target instanceof String) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return out;
    }

    private static long bound(Object v, int n, long dflt, long step) {
        if (v == null) {
            return dflt;
        }
        long i = (Long) v;
        if (i < 0) {
            i += n;
        }
        return step > 0 ? Math.max(0, Math.min(n, i)) : Math.max(-1, Math.min(n - 1, i));
    }

    static Object filter(String name, Object v, List<Object> a, Map<String, Object> kw) {
        return switch (name) {
            case "tojson" -> PyJson.dumps(v, indentArgument(a, kw), null, null, Py.truthy(kw.get("sort_keys")));
            case "trim" -> StringMethods.strip(Py.str(v), a.isEmpty() ? null : Py.str(a.get(0)), true, true);
            case "length", "count" ->
                (long)
                        (v instanceof String s
                                ? s.codePointCount(0, s.length())
                                : v instanceof Map<?, ?> m
                                        ? m.size()
                                        : Py.iterate(v).size());
            case "upper" -> Py.str(v).toUpperCase();
            case "lower" -> Py.str(v).toLowerCase();
            case "capitalize" -> StringMethods.capitalize(Py.str(v));
            case "title" -> StringMethods.title(Py.str(v));
            case "replace" -> Py.str(v).replace(Py.str(a.get(0)), Py.str(a.get(1)));
            case "string" -> Py.str(v);
            case "int" -> v instanceof String s ? parseLong(s) : (long) Py.toDouble(v);
            case "float" -> v instanceof String s ? Double.parseDouble(s.strip()) : Py.toDouble(v);
            case "abs" -> v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(Py.toDouble(v));
            case "round" ->
                Math.round(Py.toDouble(v) * Math.pow(10, a.isEmpty() ? 0 : (Long) a.get(0)))
                        / Math.pow(10, a.isEmpty() ? 0 : (Long) a.get(0));
            case "first" ->
                Py.iterate(v).isEmpty() ? Interpreter.UNDEFINED : Py.iterate(v).get(0);
            case "last" ->
                Py.iterate(v).isEmpty()
                        ? Interpreter.UNDEFINED
                        : Py.iterate(v).get(Py.iterate(v).size() - 1);
            case "default", "d" -> {
                boolean bool = Py.truthy(kw.getOrDefault("boolean", a.size() > 1 ? a.get(1) : false));
                Object dflt = a.isEmpty() ? kw.getOrDefault("default_value", "") : a.get(0);
                yield v == Interpreter.UNDEFINED || (bool && !Py.truthy(v)) ? dflt : v;
            }
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                String sep = a.isEmpty() ? Py.str(kw.getOrDefault("d", "")) : Py.str(a.get(0));
                List<Object> items = Py.iterate(v);
                for (int i = 0; i < items.size(); i++) {
                    Object x = kw.containsKey("attribute")
                            ? attribute(items.get(i), Py.str(kw.get("attribute")))
                            : items.get(i);
                    sb.append(i > 0 ? sep : "").append(Py.str(x));
                }
                yield sb.toString();
            }
            case "list" -> Py.iterate(v);
            case "reverse" ->
                v instanceof String s ? new StringBuilder(s).reverse().toString() : reversed(Py.iterate(v));
            case "unique" -> new ArrayList<>(new LinkedHashSet<>(Py.iterate(v)));
            case "sort" -> {
                List<Object> items = Py.iterate(v);
                Object attr = kw.get("attribute");
                Comparator<Object> c = (x, y) -> Py.compare(
                        attr == null ? x : attribute(x, Py.str(attr)), attr == null ? y : attribute(y, Py.str(attr)));
                items.sort(Py.truthy(kw.getOrDefault("reverse", a.isEmpty() ? false : a.get(0))) ? c.reversed() : c);
                yield items;
            }
            case "items" ->
                v instanceof Map<?, ?> m ? ((Callable) attribute(m, "items")).call(List.of(), Map.of()) : List.of();
            case "dictsort" -> {
                List<Object> items = new ArrayList<>();
                ((Map<?, ?>) v)
                        .entrySet().stream()
                                .sorted((x, y) -> Py.compare(x.getKey(), y.getKey()))
                                .forEach(e ->
                                        items.add(new ArrayList<>(java.util.Arrays.asList(e.getKey(), e.getValue()))));
                yield items;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    out.add(
                            kw.containsKey("attribute")
                                    ? attribute(x, Py.str(kw.get("attribute")))
                                    : filter(Py.str(a.get(0)), x, a.subList(1, a.size()), Map.of()));
                }
                yield out;
            }
            case "select", "reject" -> {
                List<Object> out = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    boolean ok = a.isEmpty() ? Py.truthy(x) : test(Py.str(a.get(0)), x, a.subList(1, a.size()));
                    if (ok == name.equals("select")) {
                        out.add(x);
                    }
                }
                yield out;
            }
            case "selectattr", "rejectattr" -> {
                List<Object> out = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    Object attr = attribute(x, Py.str(a.get(0)));
                    boolean ok = a.size() < 2 ? Py.truthy(attr) : test(Py.str(a.get(1)), attr, a.subList(2, a.size()));
                    if (ok == name.equals("selectattr")) {
                        out.add(x);
                    }
                }
                yield out;
            }
            case "indent" ->
                indent(
                        Py.str(v),
                        a.isEmpty() ? 4 : ((Long) a.get(0)).intValue(),
                        Py.truthy(kw.getOrDefault("first", a.size() > 1 ? a.get(1) : false)));
            case "safe" -> v;
            case "e", "escape" ->
                Py.str(v)
                        .replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&#34;")
                        .replace("'", "&#39;");
            case "wordcount" -> (long) Py.str(v).strip().split("\\s+").length;
            case "sum" -> Py.iterate(v).stream().reduce(0L, (x, y) -> Operators.apply("+", x, y));
            case "min", "max" ->
                Py.iterate(v).stream()
                        .reduce((x, y) -> (Py.compare(x, y) < 0) == name.equals("min") ? x : y)
                        .orElse(Interpreter.UNDEFINED);
            default -> throw new TemplateException("no filter named '" + name + "'");
        };
    }

    private static Integer indentArgument(List<Object> a, Map<String, Object> kw) {
        Object indent = kw.containsKey("indent") ? kw.get("indent") : a.isEmpty() ? null : a.get(0);
        return indent instanceof Long l ? Integer.valueOf(l.intValue()) : null;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0L;
        }
    }

    private static List<Object> reversed(List<Object> items) {
        List<Object> out = new ArrayList<>(items);
        java.util.Collections.reverse(out);
        return out;
    }

    private static String indent(String s, int width, boolean first) {
        String pad = " ".repeat(width);
        String[] lines = s.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                sb.append('\n');
            }
            boolean doPad = (i > 0 || first) && !lines[i].isEmpty();
            sb.append(doPad ? pad : "").append(lines[i]);
        }
        return sb.toString();
    }

    static boolean test(String name, Object v, List<Object> a) {
        return switch (name) {
            case "defined" -> v != Interpreter.UNDEFINED;
            case "undefined" -> v == Interpreter.UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?>;
            case "iterable" -> v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String;
            case "sequence" -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>;
            case "callable" -> v instanceof Callable;
            case "even" -> v instanceof Long l && l % 2 == 0;
            case "odd" -> v instanceof Long l && l % 2 != 0;
            case "divisibleby" -> v instanceof Long l && l % (Long) a.get(0) == 0;
            case "eq", "equalto", "==" -> Py.eq(v, a.get(0));
            case "ne", "!=" -> !Py.eq(v, a.get(0));
            case "lt", "<" -> Py.compare(v, a.get(0)) < 0;
            case "gt", ">" -> Py.compare(v, a.get(0)) > 0;
            case "le", "<=" -> Py.compare(v, a.get(0)) <= 0;
            case "ge", ">=" -> Py.compare(v, a.get(0)) >= 0;
            case "in" -> Operators.contains(a.get(0), v);
            case "sameas" -> v == a.get(0);
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase());
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase());
            default -> throw new TemplateException("no test named '" + name + "'");
        };
    }

    /** Keyword arguments turned into a dict, for dict(...) and namespace(...). */
    static Map<String, Object> dictOf(List<Object> args, Map<String, Object> kwargs, Map<String, Object> into) {
        if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> into.put(Py.str(k), v));
        }
        into.putAll(kwargs);
        return into;
    }

    static Map<String, Object> newDict() {
        return new LinkedHashMap<>();
    }
}
