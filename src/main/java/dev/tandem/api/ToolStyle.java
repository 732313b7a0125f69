package dev.tandem.api;

import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.TextTokenizer;
import dev.tandem.tools.ToolFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the served model handles tools, read once from its chat template and tokenizer: the format
 * it writes calls in (or the configured one), whether it reasons in {@code <think>} tags, which of
 * its special tokens are call markers (whose text the detokenizer drops), and whether its template
 * renders tools at all.
 */
record ToolStyle(ToolFormat format, boolean reasoning, Map<Integer, String> markerIds, boolean templateRendersTools) {
    /** configured: the format the configuration names, or empty to read it from the template. */
    static ToolStyle of(ChatPrompt template, TextTokenizer tokenizer, Optional<ToolFormat> configured) {
        String source = template.source();
        ToolFormat format = configured.orElseGet(() -> ToolFormat.detect(source));
        Map<Integer, String> markers = new HashMap<>();
        for (String m : format.markerTokens()) {
            int[] ids = tokenizer.encode(m, false);
            if (ids.length == 1 && tokenizer.decode(ids, true).isEmpty()) {
                markers.put(ids[0], m);
            }
        }
        return new ToolStyle(
                format,
                source.contains("<think>") || source.contains("</think>"),
                Map.copyOf(markers),
                source.contains("tools"));
    }

    /** The text the parser must see for a generated token: a marker's own text, or what the detokenizer gave. */
    String textOf(int token, String decoded) {
        String marker = markerIds.get(token);
        return marker == null ? decoded : marker + decoded;
    }
}
