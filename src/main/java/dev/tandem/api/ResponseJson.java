package dev.tandem.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.GeneratedToken;
import dev.tandem.tokenizer.TextTokenizer;
import dev.tandem.tools.AnswerDelta;
import dev.tandem.tools.ParsedAnswer;
import dev.tandem.tools.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The JSON shapes of OpenAI responses and chunks, for completions and chat. */
final class ResponseJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;
    private final TextTokenizer tokenizer;

    ResponseJson(boolean chat, String model, TextTokenizer tokenizer) {
        this.chat = chat;
        this.id = (chat ? "chatcmpl-" : "cmpl-")
                + java.util.UUID.randomUUID().toString().replace("-", "");
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.tokenizer = tokenizer;
    }

    String id() {
        return id;
    }

    ObjectNode envelope(boolean chunk) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    /** A streamed chunk for one choice: text delta, optional logprobs of its tokens, optional finish reason. */
    String chunk(
            int index,
            String text,
            List<GeneratedToken> tokens,
            boolean withLogprobs,
            String finishReason,
            boolean role) {
        ObjectNode o = envelope(true);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", index);
        if (chat) {
            ObjectNode delta = c.putObject("delta");
            if (role) {
                delta.put("role", "assistant");
            }
            if (text != null && (role || !text.isEmpty())) {
                delta.put("content", text);
            }
        } else {
            c.put("text", text == null ? "" : text);
        }
        logprobs(c, tokens, withLogprobs, 0);
        c.put("finish_reason", finishReason);
        return o.toString();
    }

    /** One choice of a complete response. */
    void choice(
            ArrayNode choices,
            int index,
            String text,
            List<GeneratedToken> tokens,
            boolean withLogprobs,
            String finishReason,
            int textOffset) {
        ObjectNode c = choices.addObject();
        c.put("index", index);
        if (chat) {
            ObjectNode m = c.putObject("message");
            m.put("role", "assistant");
            m.put("content", text);
        } else {
            c.put("text", text);
        }
        logprobs(c, tokens, withLogprobs, textOffset);
        c.put("finish_reason", finishReason);
    }

    /**
     * A streamed chat chunk of a taken-apart answer: content, reasoning_content and tool_calls
     * deltas (a call's id, type and name in its first, argument fragments after), logprobs, finish reason.
     */
    String chatDelta(
            int index,
            List<AnswerDelta> deltas,
            List<GeneratedToken> tokens,
            boolean withLogprobs,
            String finishReason) {
        ObjectNode o = envelope(true);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", index);
        ObjectNode delta = c.putObject("delta");
        StringBuilder content = new StringBuilder(), reasoning = new StringBuilder();
        ArrayNode calls = null;
        ObjectNode last = null;
        for (AnswerDelta d : deltas) {
            switch (d) {
                case AnswerDelta.Content t -> content.append(t.text());
                case AnswerDelta.Reasoning t -> reasoning.append(t.text());
                case AnswerDelta.CallStart start -> {
                    calls = calls == null ? delta.putArray("tool_calls") : calls;
                    last = calls.addObject()
                            .put("index", start.index())
                            .put("id", start.id())
                            .put("type", "function");
                    last.putObject("function").put("name", start.name()).put("arguments", "");
                }
                case AnswerDelta.CallArguments args -> {
                    calls = calls == null ? delta.putArray("tool_calls") : calls;
                    if (last == null || last.get("index").asInt() != args.index()) {
                        last = calls.addObject().put("index", args.index());
                        last.putObject("function").put("arguments", "");
                    }
                    ObjectNode fn = (ObjectNode) last.get("function");
                    fn.put("arguments", fn.get("arguments").asText() + args.fragment());
                }
            }
        }
        if (!content.isEmpty()) {
            delta.put("content", content.toString());
        }
        if (!reasoning.isEmpty()) {
            delta.put("reasoning_content", reasoning.toString());
        }
        logprobs(c, tokens, withLogprobs, 0);
        c.put("finish_reason", finishReason);
        return o.toString();
    }

    /** One choice of a complete chat response whose answer was taken apart. */
    void answerChoice(
            ArrayNode choices,
            int index,
            ParsedAnswer answer,
            List<GeneratedToken> tokens,
            boolean withLogprobs,
            String finishReason) {
        ObjectNode c = choices.addObject();
        c.put("index", index);
        ObjectNode m = c.putObject("message");
        m.put("role", "assistant");
        m.put("content", answer.content());
        if (answer.reasoning() != null) {
            m.put("reasoning_content", answer.reasoning());
        }
        if (!answer.calls().isEmpty()) {
            ArrayNode calls = m.putArray("tool_calls");
            for (ToolCall call : answer.calls()) {
                ObjectNode t = calls.addObject().put("id", call.id()).put("type", "function");
                t.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        logprobs(c, tokens, withLogprobs, 0);
        c.put("finish_reason", finishReason);
    }

    static ObjectNode usage(int prompt, int completion, int cached) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        return u;
    }

    private void logprobs(ObjectNode choice, List<GeneratedToken> tokens, boolean withLogprobs, int textOffset) {
        if (!withLogprobs || tokens == null) {
            choice.putNull("logprobs");
            return;
        }
        ObjectNode lp = choice.putObject("logprobs");
        if (chat) {
            ArrayNode content = lp.putArray("content");
            for (GeneratedToken t : tokens) {
                ObjectNode e = tokenEntry(content.addObject(), t.token(), t.logprob());
                ArrayNode top = e.putArray("top_logprobs");
                for (int k = 0; k < t.topTokens().length; k++) {
                    tokenEntry(top.addObject(), t.topTokens()[k], t.topLogprobs()[k]);
                }
            }
        } else {
            ArrayNode toks = lp.putArray("tokens");
            ArrayNode lps = lp.putArray("token_logprobs");
            ArrayNode tops = lp.putArray("top_logprobs");
            ArrayNode offsets = lp.putArray("text_offset");
            int offset = textOffset;
            for (GeneratedToken t : tokens) {
                String s = piece(t.token());
                toks.add(s);
                lps.add(t.logprob());
                ObjectNode top = tops.addObject();
                for (int k = 0; k < t.topTokens().length; k++) {
                    top.put(piece(t.topTokens()[k]), t.topLogprobs()[k]);
                }
                offsets.add(offset);
                offset += t.text().length();
            }
        }
    }

    private ObjectNode tokenEntry(ObjectNode e, int token, float logprob) {
        String s = piece(token);
        e.put("token", s);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xFF);
        }
        return e;
    }

    /** One token's text, as the logprobs of a response show it. */
    String piece(int token) {
        return tokenizer.decode(new int[] {token}, false);
    }
}
