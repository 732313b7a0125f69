package dev.tandem.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.PromptLogprobs;

/**
 * Prompt logprobs in a completions choice, in the two shapes clients read: with {@code echo} and
 * {@code logprobs}, the prompt's tokens lead the legacy logprobs arrays (the first with null, as
 * OpenAI's legacy API and vLLM write it); with vLLM's {@code prompt_logprobs}, the choice's
 * {@code prompt_logprobs} list: null, then per token a map from token id to its logprob, rank (for
 * the alternatives) and decoded text, the prompt's own token included.
 */
final class PromptLogprobsJson {
    private final ResponseJson json;

    PromptLogprobsJson(ResponseJson json) {
        this.json = json;
    }

    /** Puts the prompt's entries in front of the choice's legacy logprobs arrays (made if absent). */
    void echo(ObjectNode choice, PromptLogprobs p) {
        ObjectNode lp = choice.get("logprobs") instanceof ObjectNode o ? o : choice.putObject("logprobs");
        ArrayNode tokens = lp.arrayNode(), logprobs = lp.arrayNode(), tops = lp.arrayNode(), offsets = lp.arrayNode();
        int offset = 0;
        for (int i = 0; i < p.tokens().length; i++) {
            String piece = piece(p.tokens()[i]);
            tokens.add(piece);
            offsets.add(offset);
            offset += piece.length();
            if (i == 0) {
                logprobs.addNull();
                tops.addNull();
                continue;
            }
            logprobs.add(p.logprobs()[i]);
            ObjectNode top = tops.addObject();
            for (int k = 0; k < p.topTokens()[i].length; k++) {
                top.put(piece(p.topTokens()[i][k]), p.topLogprobs()[i][k]);
            }
        }
        prepend(lp, "tokens", tokens);
        prepend(lp, "token_logprobs", logprobs);
        prepend(lp, "top_logprobs", tops);
        prepend(lp, "text_offset", offsets);
    }

    /** vLLM's prompt_logprobs field. */
    void promptLogprobs(ObjectNode choice, PromptLogprobs p) {
        ArrayNode list = choice.putArray("prompt_logprobs");
        list.addNull();
        for (int i = 1; i < p.tokens().length; i++) {
            ObjectNode entry = list.addObject();
            int[] top = p.topTokens()[i];
            for (int k = 0; k < top.length; k++) {
                entry.putObject(Integer.toString(top[k]))
                        .put("logprob", p.topLogprobs()[i][k])
                        .put("rank", k + 1)
                        .put("decoded_token", piece(top[k]));
            }
            String own = Integer.toString(p.tokens()[i]);
            if (!entry.has(own)) {
                entry.putObject(own).put("logprob", p.logprobs()[i]).put("decoded_token", piece(p.tokens()[i]));
            }
        }
    }

    private static void prepend(ObjectNode lp, String name, ArrayNode first) {
        if (lp.get(name) instanceof ArrayNode rest) {
            first.addAll(rest);
        }
        lp.set(name, first);
    }

    private String piece(int token) {
        return json.piece(token);
    }
}
