package dev.tandem.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Text to token ids and back with Hugging Face's own tokenizer (the Rust library through DJL),
 * from {@code tokenizer.json}, with BOS handling as {@code tokenizer_config.json} asks.
 */
public final class TextTokenizer implements AutoCloseable {
    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final int bosId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, TokenizerConfig config) {
        this.tokenizer = tokenizer;
        this.config = config;
        this.bosId = config.bosToken().map(this::singleId).orElse(-1);
    }

    /** Reads tokenizer.json (or tokenizer.json.gz) and tokenizer_config.json from a model folder. */
    public static TextTokenizer load(Path modelDir) throws IOException {
        Path json = modelDir.resolve("tokenizer.json");
        Path gz = modelDir.resolve("tokenizer.json.gz");
        HuggingFaceTokenizer t;
        if (Files.isRegularFile(json)) {
            try (InputStream in = Files.newInputStream(json)) {
                t = HuggingFaceTokenizer.newInstance(in, OPTIONS);
            }
        } else if (Files.isRegularFile(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                t = HuggingFaceTokenizer.newInstance(in, OPTIONS);
            }
        } else {
            throw new IOException("no tokenizer.json in " + modelDir.toAbsolutePath());
        }
        return new TextTokenizer(t, TokenizerConfig.read(modelDir));
    }

    public TokenizerConfig config() {
        return config;
    }

    /**
     * Token ids of text. With addSpecialTokens, the tokenizer's post-processor runs (e.g. Llama 3's
     * BOS), and a BOS is prepended where tokenizer_config says add_bos_token and none is there yet.
     * Chat prompts rendered from a template already hold their specials: encode them without.
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        boolean prependBos = addSpecialTokens
                && bosId >= 0
                && config.addBosToken().orElse(false)
                && (ids.length == 0 || ids[0] != bosId);
        int[] out = new int[ids.length + (prependBos ? 1 : 0)];
        int o = 0;
        if (prependBos) {
            out[o++] = bosId;
        }
        for (long id : ids) {
            out[o++] = Math.toIntExact(id);
        }
        return out;
    }

    public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        long[] l = new long[to - from];
        for (int i = from; i < to; i++) {
            l[i - from] = ids[i];
        }
        return tokenizer.decode(l, skipSpecialTokens);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    /** The id of a string that is exactly one token (a special token), or -1. */
    public int singleId(String tokenText) {
        long[] ids = tokenizer.encode(tokenText, false, false).getIds();
        return ids.length == 1 ? Math.toIntExact(ids[0]) : -1;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
