package dev.tandem.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing list of generated ids into text deltas. Byte-level tokenizers split characters
 * across tokens, so text is only released once the decoded tail no longer ends in U+FFFD (an
 * incomplete UTF-8 sequence). The last released token is decoded again with the new ones, so that
 * a decoder that treats the first token of a slice specially (SentencePiece's leading space) affects
 * both sides of the difference alike. {@link #finish} releases
 * whatever remains, so the concatenated deltas equal decoding all ids at once.
 */
public final class IncrementalDetokenizer {
    private final TextTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder emitted = new StringBuilder();

    public IncrementalDetokenizer(TextTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one id and returns the text it completes (possibly empty). */
    public String add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset, skipSpecialTokens);
        String full = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
        if (full.length() <= prefix.length() || full.endsWith("\uFFFD") || !full.startsWith(prefix)) {
            return "";
        }
        String delta = full.substring(prefix.length());
        prefixOffset = readOffset;
        readOffset = size;
        emitted.append(delta);
        return delta;
    }

    /** The rest of the text once no more ids come, so the total equals one decode of all ids. */
    public String finish() {
        String all = tokenizer.decode(ids, 0, size, skipSpecialTokens);
        String rest = all.startsWith(emitted.toString()) ? all.substring(emitted.length()) : "";
        emitted.append(rest);
        return rest;
    }

    /** Everything released so far. */
    public String text() {
        return emitted.toString();
    }
}
