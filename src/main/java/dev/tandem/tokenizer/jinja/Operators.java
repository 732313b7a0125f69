package dev.tandem.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Binary and unary operators with Python's meaning (int/float promotion, floor division, str and list +). */
final class Operators {
    private Operators() {}

    static Object apply(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> Py.eq(a, b);
            case "!=" -> !Py.eq(a, b);
            case "<" -> Py.compare(a, b) < 0;
            case "<=" -> Py.compare(a, b) <= 0;
            case ">" -> Py.compare(a, b) > 0;
            case ">=" -> Py.compare(a, b) >= 0;
            case "in" -> contains(b, a);
            case "not in" -> !contains(b, a);
            case "~" -> Py.str(a) + Py.str(b);
            case "+" -> plus(a, b);
            case "-", "*", "/", "//", "%", "**" -> arithmetic(op, a, b);
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            return item instanceof String x && s.contains(x);
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(Py.str(item));
        }
        for (Object o : Py.iterate(container)) {
            if (Py.eq(o, item)) {
                return true;
            }
        }
        return false;
    }

    private static Object plus(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) {
            return x + y;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return out;
        }
        return arithmetic("+", a, b);
    }

    private static Object arithmetic(String op, Object a, Object b) {
        if (op.equals("*") && a instanceof String s && b instanceof Long n) {
            return s.repeat((int) Math.max(0, n));
        }
        if (!Py.isNumber(a) || !Py.isNumber(b)) {
            throw new TemplateException(
                    "unsupported operand types for " + op + ": '" + Py.typeName(a) + "' and '" + Py.typeName(b) + "'");
        }
        boolean ints = !(a instanceof Double) && !(b instanceof Double);
        if (ints && !op.equals("/")) {
            long x = (long) Py.toDouble(a);
            long y = (long) Py.toDouble(b);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floorDiv(x, y);
                case "%" -> Math.floorMod(x, y);
                default -> (long) Math.pow(x, y);
            };
        }
        double x = Py.toDouble(a);
        double y = Py.toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / y;
            case "//" -> Math.floor(x / y);
            case "%" -> x - Math.floor(x / y) * y;
            default -> Math.pow(x, y);
        };
    }

    static Object negate(Object v) {
        if (v instanceof Long l) {
            return -l;
        }
        if (v instanceof Double d) {
            return -d;
        }
        throw new TemplateException("bad operand type for unary -: '" + Py.typeName(v) + "'");
    }
}
