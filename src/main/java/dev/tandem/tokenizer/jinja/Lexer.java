package dev.tandem.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and tags with Jinja's whitespace control as transformers configures
 * it (trim_blocks and lstrip_blocks on, plus explicit {@code -} markers), then tokenizes tag bodies.
 */
final class Lexer {
    enum Kind {
        TEXT,
        PRINT,
        BLOCK
    }

    record Segment(Kind kind, String body, int line) {}

    enum Tok {
        NAME,
        STRING,
        INT,
        FLOAT,
        OP,
        END
    }

    record Token(Tok kind, String text) {
        boolean is(String s) {
            return (kind == Tok.OP || kind == Tok.NAME) && text.equals(s);
        }
    }

    private Lexer() {}

    static List<Segment> segments(String src) {
        List<Segment> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int i = 0;
        int line = 1;
        boolean trimNextNewline = false;
        boolean stripNextWhitespace = false;
        while (i < src.length()) {
            int open = nextTag(src, i);
            String chunk = src.substring(i, open < 0 ? src.length() : open);
            if (stripNextWhitespace) {
                chunk = chunk.stripLeading();
            } else if (trimNextNewline && chunk.startsWith("\n")) {
                chunk = chunk.substring(1);
            } else if (trimNextNewline && chunk.startsWith("\r\n")) {
                chunk = chunk.substring(2);
            }
            if (open < 0) {
                text.append(chunk);
                break;
            }
            char type = src.charAt(open + 1);
            String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
            int bodyStart = open + 2;
            boolean minusBefore = bodyStart < src.length() && src.charAt(bodyStart) == '-';
            boolean plusBefore = bodyStart < src.length() && src.charAt(bodyStart) == '+';
            int end = type == '#' ? src.indexOf(close, bodyStart) : tagEnd(src, bodyStart, close);
            if (end < 0) {
                throw new TemplateException("unclosed tag at line " + line);
            }
            boolean minusAfter = end > bodyStart && src.charAt(end - 1) == '-';
            if (minusBefore) {
                chunk = chunk.stripTrailing();
            } else if (type != '{' && !plusBefore) {
                chunk = lstripBlock(chunk, src, open);
            }
            text.append(chunk);
            if (!text.isEmpty()) {
                out.add(new Segment(Kind.TEXT, text.toString(), line));
                text.setLength(0);
            }
            String body = src.substring(bodyStart + (minusBefore || plusBefore ? 1 : 0), minusAfter ? end - 1 : end)
                    .strip();
            if (type == '%' && body.equals("raw")) {
                int endRaw = findEndRaw(src, end + 2);
                out.add(new Segment(Kind.TEXT, src.substring(end + 2, endRaw), line));
                end = src.indexOf("%}", endRaw);
                body = null;
            }
            line += count(src, i, end);
            if (body != null && type != '#') {
                out.add(new Segment(type == '{' ? Kind.PRINT : Kind.BLOCK, body, line));
            }
            trimNextNewline = type != '{';
            stripNextWhitespace = minusAfter;
            i = end + 2;
        }
        if (!text.isEmpty()) {
            out.add(new Segment(Kind.TEXT, text.toString(), line));
        }
        return out;
    }

    /** The closing delimiter of a tag, skipping any that sits inside a string literal. */
    private static int tagEnd(String src, int from, String close) {
        char quote = 0;
        for (int i = from; i < src.length() - 1; i++) {
            char c = src.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (src.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int findEndRaw(String src, int from) {
        int i = from;
        while (true) {
            int open = src.indexOf("{%", i);
            if (open < 0) {
                throw new TemplateException("raw block without endraw");
            }
            int close = src.indexOf("%}", open);
            String body = src.substring(open + 2, close).replace("-", "").strip();
            if (body.equals("endraw")) {
                return open;
            }
            i = close;
        }
    }

    /** lstrip_blocks: drop spaces and tabs before a block tag when only they precede it on its source line. */
    private static String lstripBlock(String chunk, String src, int tagStart) {
        int s = tagStart;
        while (s > 0 && (src.charAt(s - 1) == ' ' || src.charAt(s - 1) == '\t')) {
            s--;
        }
        boolean atLineStart = s == 0 || src.charAt(s - 1) == '\n';
        int k = chunk.length();
        while (k > 0 && (chunk.charAt(k - 1) == ' ' || chunk.charAt(k - 1) == '\t')) {
            k--;
        }
        return atLineStart ? chunk.substring(0, k) : chunk;
    }

    private static int nextTag(String src, int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static final String[] OPERATORS = {
        "**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",",
        ".", ":", "|", "=", "?"
    };

    static List<Token> tokens(String body) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int s = i;
                while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Tok.NAME, body.substring(s, i)));
            } else if (Character.isDigit(c)) {
                int s = i;
                boolean isFloat = false;
                while (i < body.length()
                        && (Character.isDigit(body.charAt(i))
                                || body.charAt(i) == '_'
                                || (body.charAt(i) == '.'
                                        && i + 1 < body.length()
                                        && Character.isDigit(body.charAt(i + 1))))) {
                    isFloat |= body.charAt(i) == '.';
                    i++;
                }
                out.add(new Token(
                        isFloat ? Tok.FLOAT : Tok.INT, body.substring(s, i).replace("_", "")));
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < body.length() && body.charAt(i) != c) {
                    char ch = body.charAt(i++);
                    if (ch == '\\' && i < body.length()) {
                        char e = body.charAt(i++);
                        switch (e) {
                            case 'n' -> sb.append('\n');
                            case 't' -> sb.append('\t');
                            case 'r' -> sb.append('\r');
                            case '\\', '\'', '"' -> sb.append(e);
                            case 'u' -> {
                                sb.append((char) Integer.parseInt(body.substring(i, i + 4), 16));
                                i += 4;
                            }
                            default -> sb.append('\\').append(e);
                        }
                    } else {
                        sb.append(ch);
                    }
                }
                if (i >= body.length()) {
                    throw new TemplateException("unterminated string in tag: " + body);
                }
                i++;
                out.add(new Token(Tok.STRING, sb.toString()));
            } else {
                String op = null;
                for (String candidate : OPERATORS) {
                    if (body.startsWith(candidate, i)) {
                        op = candidate;
                        break;
                    }
                }
                if (op == null) {
                    throw new TemplateException("unexpected character '" + c + "' in tag: " + body);
                }
                out.add(new Token(Tok.OP, op));
                i += op.length();
            }
        }
        out.add(new Token(Tok.END, ""));
        return out;
    }
}
