package dev.tandem.grammar;

/**
 * A constraint that cannot be honoured: bad syntax, an unsupported JSON Schema keyword, or a
 * grammar that matches nothing. where names the part of the input at fault (a JSON path into the
 * schema such as {@code properties.age.minimum}, or empty for the whole).
 */
public final class GrammarException extends RuntimeException {
    private final String where;

    public GrammarException(String where, String message) {
        super(message);
        this.where = where;
    }

    public String where() {
        return where;
    }
}
