package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Interpreter.Callable;
import java.util.ArrayList;
import java.util.List;

/** Python str methods that chat templates call: strip, split, startswith, replace, ... */
final class StringMethods {
    private StringMethods() {}

    static Object bind(String s, String name) {
        Callable m = switch (name) {
            case "strip" -> (a, k) -> strip(s, chars(a), true, true);
            case "lstrip" -> (a, k) -> strip(s, chars(a), true, false);
            case "rstrip" -> (a, k) -> strip(s, chars(a), false, true);
            case "startswith" -> (a, k) -> anyOf(a.get(0), s::startsWith);
            case "endswith" -> (a, k) -> anyOf(a.get(0), s::endsWith);
            case "split" ->
                (a, k) -> split(
                        s,
                        a.isEmpty() ? null : (String) a.get(0),
                        a.size() > 1 ? (Long) a.get(1) : ((Long) k.getOrDefault("maxsplit", -1L)));
            case "upper" -> (a, k) -> s.toUpperCase();
            case "lower" -> (a, k) -> s.toLowerCase();
            case "title" -> (a, k) -> title(s);
            case "capitalize" -> (a, k) -> capitalize(s);
            case "replace" ->
                (a, k) -> a.size() > 2
                        ? replaceN(s, Py.str(a.get(0)), Py.str(a.get(1)), (Long) a.get(2))
                        : s.replace(Py.str(a.get(0)), Py.str(a.get(1)));
            case "find" -> (a, k) -> (long) s.indexOf(Py.str(a.get(0)));
            case "rfind" -> (a, k) -> (long) s.lastIndexOf(Py.str(a.get(0)));
            case "count" ->
                (a, k) -> (long)
                        (s.isEmpty() ? 0 : s.split(java.util.regex.Pattern.quote(Py.str(a.get(0))), -1).length - 1);
            case "join" ->
                (a, k) -> {
                    StringBuilder sb = new StringBuilder();
                    List<Object> items = Py.iterate(a.get(0));
                    for (int i = 0; i < items.size(); i++) {
                        sb.append(i > 0 ? s : "").append(Py.str(items.get(i)));
                    }
                    return sb.toString();
                };
            case "splitlines" -> (a, k) -> new ArrayList<Object>(s.lines().toList());
            case "isdigit" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isalpha" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            default -> null;
        };
        return m != null ? m : Interpreter.UNDEFINED;
    }

    private static String chars(List<Object> a) {
        return a.isEmpty() || a.get(0) == null ? null : Py.str(a.get(0));
    }

    private static boolean anyOf(Object prefixes, java.util.function.Predicate<String> p) {
        if (prefixes instanceof List<?> l) {
            return l.stream().anyMatch(x -> p.test(Py.str(x)));
        }
        return p.test(Py.str(prefixes));
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int b = 0;
        int e = s.length();
        while (left
                && b < e
                && (chars == null ? Character.isWhitespace(s.charAt(b)) : chars.indexOf(s.charAt(b)) >= 0)) {
            b++;
        }
        while (right
                && e > b
                && (chars == null ? Character.isWhitespace(s.charAt(e - 1)) : chars.indexOf(s.charAt(e - 1)) >= 0)) {
            e--;
        }
        return s.substring(b, e);
    }

    static List<Object> split(String s, String sep, long maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            String rest = strip(s, null, true, false);
            while (!rest.isEmpty()) {
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(rest, null, false, true));
                    return out;
                }
                int i = 0;
                while (i < rest.length() && !Character.isWhitespace(rest.charAt(i))) {
                    i++;
                }
                out.add(rest.substring(0, i));
                rest = strip(rest.substring(i), null, true, false);
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int i = s.indexOf(sep, from);
            if (i < 0) {
                break;
            }
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String replaceN(String s, String old, String repl, long n) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (long k = 0; k < n; k++) {
            int i = s.indexOf(old, from);
            if (i < 0) {
                break;
            }
            sb.append(s, from, i).append(repl);
            from = i + old.length();
        }
        return sb.append(s.substring(from)).toString();
    }

    static String capitalize(String s) {
        return s.isEmpty()
                ? s
                : s.substring(0, 1).toUpperCase() + s.substring(1).toLowerCase();
    }

    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return sb.toString();
    }
}
