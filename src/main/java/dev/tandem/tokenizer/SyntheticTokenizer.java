package dev.tandem.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a byte-level BPE tokenizer of an exact vocabulary size (GPT-2 byte alphabet, merges
 * that grow common letter strings, ChatML specials in the last three ids), for synthetic
 * checkpoints: it encodes any text, which is all a speed measurement needs of it.
 */
public final class SyntheticTokenizer {
    static final String[] SPECIALS = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    static final String CHATML =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                    + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private SyntheticTokenizer() {}

    public static void write(Path dir, int vocabSize) throws IOException {
        int regular = vocabSize - SPECIALS.length;
        if (regular < 256) {
            throw new IllegalArgumentException(
                    "vocabulary of " + vocabSize + " is smaller than the 256 byte tokens + specials");
        }
        String[] bytes = byteAlphabet();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> tokens = new ArrayList<>();
        for (String b : bytes) {
            vocab.put(b, vocab.size());
            tokens.add(b);
        }
        String letters = "etaoinshrdlucmfwypvbgkjqxz";
        List<String> merges = new ArrayList<>();
        for (int base = 0; vocab.size() < regular; base++) {
            String left = tokens.get(base % tokens.size());
            for (int k = 0; k < letters.length() && vocab.size() < regular; k++) {
                String right = String.valueOf(letters.charAt(k));
                String merged = left + right;
                if (!vocab.containsKey(merged) && !left.isEmpty()) {
                    vocab.put(merged, vocab.size());
                    tokens.add(merged);
                    merges.add(left + " " + right);
                }
            }
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (int i = 0; i < SPECIALS.length; i++) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", regular + i);
            t.put("content", SPECIALS[i]);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("vocab", vocab);
        model.put("merges", merges);
        Map<String, Object> byteLevel =
                Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", true);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", added);
        json.put("normalizer", null);
        json.put("pre_tokenizer", byteLevel);
        json.put("post_processor", null);
        json.put("decoder", byteLevel);
        json.put("model", model);
        ObjectMapper mapper = new ObjectMapper();
        mapper.writeValue(dir.resolve("tokenizer.json").toFile(), json);
        Map<String, Object> config = new HashMap<>();
        config.put("bos_token", SPECIALS[0]);
        config.put("eos_token", SPECIALS[2]);
        config.put("add_bos_token", false);
        config.put("chat_template", CHATML);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        mapper.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /** GPT-2's map from bytes to printable characters, so every byte is a visible token. */
    static String[] byteAlphabet() {
        String[] out = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = printable ? String.valueOf((char) b) : String.valueOf((char) (256 + extra++));
        }
        return out;
    }
}
