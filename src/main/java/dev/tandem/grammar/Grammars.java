package dev.tandem.grammar;

import dev.tandem.request.OutputGrammar;
import dev.tandem.sampling.TokenConstraint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The grammars of one model's vocabulary, compiled once per GBNF text and kept (least recently
 * used dropped first), so the thousandth request with a schema pays nothing to compile it. The
 * vocabulary and its trie are read on the first grammar, not at start.
 */
public final class Grammars {
    private static final int CACHED = 64;

    private final VocabularySource source;
    private TokenVocabulary vocab;
    private TokenTrie trie;
    private final Map<String, CompiledGrammar> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompiledGrammar> eldest) {
            return size() > CACHED;
        }
    };

    @FunctionalInterface
    public interface VocabularySource {
        TokenVocabulary load() throws IOException;
    }

    private Grammars(VocabularySource source) {
        this.source = source;
    }

    public static Grammars of(TokenVocabulary vocab) {
        return new Grammars(() -> vocab);
    }

    public static Grammars forModel(Path modelDir, int vocabSize) {
        return new Grammars(() -> TokenVocabulary.load(modelDir, vocabSize));
    }

    /** For shards without a tokenizer: any grammar is refused. */
    public static Grammars none() {
        return new Grammars(() -> {
            throw new IOException("this shard has no tokenizer vocabulary, so it cannot decode with a grammar");
        });
    }

    /** Checks a GBNF text as the shards will compile it: syntax, rules, left recursion, emptiness. */
    public static void check(String gbnf) {
        ByteNfa.compile(GbnfParser.parse(gbnf));
    }

    public synchronized CompiledGrammar compile(String gbnf) {
        CompiledGrammar g = cache.get(gbnf);
        if (g == null) {
            if (trie == null) {
                try {
                    vocab = source.load();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                trie = new TokenTrie(vocab);
            }
            g = new CompiledGrammar(ByteNfa.compile(GbnfParser.parse(gbnf)), trie, vocab);
            cache.put(gbnf, g);
        }
        return g;
    }

    public GrammarMatcher matcher(String gbnf) {
        return compile(gbnf).matcher();
    }

    /** A fresh constraint for one sequence held to this grammar (lazy where it has a trigger). */
    public TokenConstraint constraint(OutputGrammar grammar) {
        CompiledGrammar g = compile(grammar.gbnf());
        return grammar.trigger()
                .<TokenConstraint>map(t -> new TriggeredGrammar(g, vocab, t))
                .orElseGet(g::matcher);
    }
}
