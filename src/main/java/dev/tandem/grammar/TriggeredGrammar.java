package dev.tandem.grammar;

import dev.tandem.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A lazy grammar: the output is free until its bytes contain the trigger; from the byte after it
 * the grammar holds, and once the grammar is complete the output is free again until the trigger
 * comes once more. So a model answering in text is left alone, and a tool call it opens itself is
 * held to the function's schema. The bytes of the token that completes the trigger after it
 * already count for the grammar.
 */
final class TriggeredGrammar implements TokenConstraint {
    private final CompiledGrammar grammar;
    private final TokenVocabulary vocab;
    private final byte[] trigger;
    /** The last trigger.length bytes of free output, as a ring. */
    private final byte[] recent;

    private int numRecent;
    private GrammarMatcher active;

    TriggeredGrammar(CompiledGrammar grammar, TokenVocabulary vocab, String trigger) {
        this.grammar = grammar;
        this.vocab = vocab;
        this.trigger = trigger.getBytes(StandardCharsets.UTF_8);
        this.recent = new byte[this.trigger.length];
    }

    @Override
    public void mask(float[] logits, int off, int vocabSize, List<Integer> eosIds) {
        if (active != null) {
            active.mask(logits, off, vocabSize, eosIds);
        }
    }

    @Override
    public void accept(int token) {
        if (active != null) {
            active.accept(token);
            if (active.finished()) {
                active = null;
            }
            return;
        }
        byte[] bytes = token >= 0 && token < vocab.size() ? vocab.tokenBytes()[token] : null;
        if (bytes == null) {
            return;
        }
        for (int i = 0; i < bytes.length; i++) {
            recent[numRecent++ % recent.length] = bytes[i];
            if (numRecent >= recent.length && endsWithTrigger()) {
                numRecent = 0;
                active = grammar.matcher();
                active.accept(bytes, i + 1);
                if (active.finished()) {
                    active = null;
                }
                return;
            }
        }
    }

    private boolean endsWithTrigger() {
        int start = numRecent % recent.length;
        for (int k = 0; k < trigger.length; k++) {
            if (recent[(start + k) % recent.length] != trigger[k]) {
                return false;
            }
        }
        return true;
    }
}
