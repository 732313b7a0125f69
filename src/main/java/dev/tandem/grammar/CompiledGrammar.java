package dev.tandem.grammar;

import dev.tandem.grammar.GrammarAutomaton.Config;

/**
 * One grammar bound to one vocabulary: its automaton, and the token mask of each configuration
 * the sequences reach, computed once by walking the token trie. Shared by every sequence with
 * this grammar (a sequence's own state is its {@link GrammarMatcher}); the shard's threads may
 * sample at once, so its methods take the grammar's lock.
 */
public final class CompiledGrammar {
    /** Masks kept per grammar before its tables are dropped and rebuilt. */
    private static final long MAX_MASK_BYTES = 64L << 20;

    private final GrammarAutomaton automaton;
    private final TokenTrie trie;
    private final TokenVocabulary vocab;
    private final int[] walkState;

    CompiledGrammar(ByteNfa nfa, TokenTrie trie, TokenVocabulary vocab) {
        this.automaton = new GrammarAutomaton(nfa, MAX_MASK_BYTES);
        this.trie = trie;
        this.vocab = vocab;
        this.walkState = new int[trie.numNodes()];
    }

    public GrammarMatcher matcher() {
        synchronized (this) {
            return new GrammarMatcher(this, automaton.start());
        }
    }

    /** The allowed tokens of configuration c as a bit set over the vocabulary (EOS not included). */
    synchronized long[] mask(Config c) {
        automaton.trimIfLarge();
        c = automaton.refresh(c);
        if (c.mask == null) {
            automaton.storeMask(c, walk(c.id));
        }
        return c.mask;
    }

    /** The configuration after the token's bytes, or null when the grammar does not allow them. */
    Config advance(Config c, int token) {
        byte[] bytes = token >= 0 && token < vocab.size() ? vocab.tokenBytes()[token] : null;
        return bytes == null ? null : advance(c, bytes, 0);
    }

    /** The configuration after bytes[from..], or null when the grammar does not allow them. */
    synchronized Config advance(Config c, byte[] bytes, int from) {
        c = automaton.refresh(c);
        int id = c.id;
        for (int i = from; i < bytes.length; i++) {
            id = automaton.step(id, bytes[i] & 0xFF);
            if (id == GrammarAutomaton.DEAD) {
                return null;
            }
        }
        return automaton.config(id);
    }

    private long[] walk(int start) {
        long[] mask = new long[(vocab.size() + 63) >>> 6];
        byte[] byteOf = trie.byteOf;
        int[] parent = trie.parent, end = trie.subtreeEnd, row = trie.tokenRow, tokens = trie.tokens;
        int[] state = walkState;
        state[0] = start;
        int n = trie.numNodes();
        for (int i = 1; i < n; ) {
            int s = automaton.step(state[parent[i]], byteOf[i] & 0xFF);
            if (s == GrammarAutomaton.DEAD) {
                i = end[i];
                continue;
            }
            state[i] = s;
            for (int k = row[i]; k < row[i + 1]; k++) {
                int t = tokens[k];
                mask[t >>> 6] |= 1L << t;
            }
            i++;
        }
        return mask;
    }
}
