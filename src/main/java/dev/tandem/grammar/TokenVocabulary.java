package dev.tandem.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The bytes each token id stands for, read from {@code tokenizer.json}: byte-level BPE (GPT-2's
 * byte-to-character map, as Llama 3 and Qwen use) or SentencePiece pieces ({@code ▁} for a space,
 * {@code <0xNN>} byte fallback). Special tokens have no bytes (null): a grammar never allows them,
 * only EOS where it may end.
 */
public record TokenVocabulary(byte[][] tokenBytes) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public int size() {
        return tokenBytes.length;
    }

    /** The vocabulary of a model folder, for a model whose logits have vocabSize entries. */
    public static TokenVocabulary load(Path modelDir, int vocabSize) throws IOException {
        Path json = modelDir.resolve("tokenizer.json");
        Path gz = modelDir.resolve("tokenizer.json.gz");
        try (InputStream in = Files.isRegularFile(json)
                ? Files.newInputStream(json)
                : new GZIPInputStream(Files.newInputStream(gz))) {
            return fromTokenizerJson(JSON.readTree(in), vocabSize);
        }
    }

    public static TokenVocabulary fromTokenizerJson(JsonNode tok, int vocabSize) {
        byte[][] bytes = new byte[vocabSize][];
        boolean byteLevel = tok.path("decoder").toString().contains("ByteLevel")
                || tok.path("pre_tokenizer").toString().contains("ByteLevel");
        int[] byteOfChar = byteLevel ? byteLevelInverse() : null;
        JsonNode vocab = tok.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                put(bytes, e.getValue().asInt(), piece(e.getKey(), byteOfChar));
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int id = 0; id < vocab.size(); id++) {
                put(bytes, id, piece(vocab.get(id).get(0).asText(), byteOfChar));
            }
        }
        for (JsonNode added : tok.path("added_tokens")) {
            int id = added.path("id").asInt();
            put(
                    bytes,
                    id,
                    added.path("special").asBoolean(false)
                            ? null
                            : added.path("content").asText().getBytes(StandardCharsets.UTF_8));
        }
        return new TokenVocabulary(bytes);
    }

    private static void put(byte[][] bytes, int id, byte[] value) {
        if (id >= 0 && id < bytes.length) {
            bytes[id] = value == null || value.length == 0 ? null : value;
        }
    }

    private static byte[] piece(String token, int[] byteOfChar) {
        if (byteOfChar != null) {
            byte[] out = new byte[token.length()];
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                if (c >= byteOfChar.length || byteOfChar[c] < 0) {
                    return token.getBytes(StandardCharsets.UTF_8); // not byte-level encoded (rare)
                }
                out[i] = (byte) byteOfChar[c];
            }
            return out;
        }
        if (token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
            return new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
        }
        return token.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** GPT-2's bytes_to_unicode, inverted: printable bytes stand for themselves, the rest for U+0100 on. */
    private static int[] byteLevelInverse() {
        int[] inverse = new int[512];
        java.util.Arrays.fill(inverse, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            inverse[printable ? b : 256 + extra++] = b;
        }
        return inverse;
    }
}
