package dev.tandem.tokenizer.jinja;

/** A template that cannot be parsed, or that refused its input ({@code raise_exception}). */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
