package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Interpreter.Callable;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A compiled Jinja template with the environment transformers gives chat templates: trim_blocks,
 * lstrip_blocks, loop controls, the {@code tojson} filter, and the globals {@code raise_exception}
 * and {@code strftime_now} beside Jinja's {@code range}, {@code namespace} and {@code dict}.
 */
public final class Template {
    private final List<Ast.Node> nodes;

    private Template(List<Ast.Node> nodes) {
        this.nodes = nodes;
    }

    public static Template compile(String source) {
        return new Template(Parser.parse(source));
    }

    /** Renders with the given variables (Maps, Lists, Strings, numbers, Booleans, null). */
    public String render(Map<String, ?> context) {
        Interpreter.Scope root = new Interpreter.Scope(null);
        root.vars.put("range", (Callable) Template::range);
        root.vars.put("namespace", (Callable) (a, k) -> Builtins.dictOf(a, k, new Py.Namespace()));
        root.vars.put("dict", (Callable) (a, k) -> Builtins.dictOf(a, k, Builtins.newDict()));
        root.vars.put("raise_exception", (Callable) (a, k) -> {
            throw new TemplateException(a.isEmpty() ? "template raised an exception" : Py.str(a.get(0)));
        });
        root.vars.put("strftime_now", (Callable) (a, k) -> strftime(Py.str(a.get(0)), LocalDateTime.now()));
        context.forEach((k, v) -> root.vars.put(k, Py.normalize(v)));
        StringBuilder out = new StringBuilder();
        new Interpreter(root).render(nodes, out);
        return out.toString();
    }

    private static Object range(List<Object> a, Map<String, Object> k) {
        long start = a.size() > 1 ? (Long) a.get(0) : 0;
        long stop = a.size() > 1 ? (Long) a.get(1) : (Long) a.get(0);
        long step = a.size() > 2 ? (Long) a.get(2) : 1;
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    /** Python's strftime for the directives templates use. */
    static String strftime(String format, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'd' -> "dd";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'm' -> "MM";
                case 'Y' -> "yyyy";
                case 'y' -> "yy";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'p' -> "a";
                case 'A' -> "EEEE";
                case 'a' -> "EEE";
                case 'j' -> "DDD";
                default -> null;
            };
            sb.append(
                    pattern == null
                            ? (d == '%' ? "%" : "%" + d)
                            : t.format(DateTimeFormatter.ofPattern(pattern, Locale.US)));
        }
        return sb.toString();
    }
}
