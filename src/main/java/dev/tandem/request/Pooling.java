package dev.tandem.request;

import java.util.Locale;

/**
 * How an embedding request turns the decoder's last hidden states (after the final norm) into one
 * vector: the last token's (vLLM's default for decoder-only models) or the mean over every token.
 */
public enum Pooling {
    LAST,
    MEAN;

    /** last or mean, as in configuration. */
    public static Pooling parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "last", "lasttoken" -> LAST;
            case "mean" -> MEAN;
            default -> throw new IllegalArgumentException("pooling must be last or mean, got " + name);
        };
    }
}
