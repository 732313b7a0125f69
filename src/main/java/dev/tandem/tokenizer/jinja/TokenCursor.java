package dev.tandem.tokenizer.jinja;

import dev.tandem.tokenizer.jinja.Lexer.Tok;
import dev.tandem.tokenizer.jinja.Lexer.Token;
import java.util.List;

/** A position in the tokens of one tag, with the look-ahead and expectations a parser needs. */
class TokenCursor {
    private final List<Token> tokens;
    int pos;

    TokenCursor(List<Token> tokens) {
        this.tokens = tokens;
    }

    Token peek() {
        return tokens.get(pos);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    Token next() {
        return tokens.get(pos++);
    }

    boolean accept(String s) {
        if (peek().is(s)) {
            pos++;
            return true;
        }
        return false;
    }

    void expect(String s) {
        if (!accept(s)) {
            throw new TemplateException("expected '" + s + "' but found '" + peek().text() + "'");
        }
    }

    String name() {
        Token t = next();
        if (t.kind() != Tok.NAME) {
            throw new TemplateException("expected a name but found '" + t.text() + "'");
        }
        return t.text();
    }

    boolean atEnd() {
        return peek().kind() == Tok.END;
    }

    void expectEnd() {
        if (!atEnd()) {
            throw new TemplateException("unexpected '" + peek().text() + "'");
        }
    }
}
