package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.Engine;
import dev.tandem.request.OutputGrammar;
import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.jinja.TemplateException;
import dev.tandem.tools.ToolGrammar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Validates a {@code /v1/chat/completions} body and renders its messages with the model's chat template. */
final class ChatParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Set<String> NAMES = new HashSet<>(SamplingFields.NAMES);

    static {
        NAMES.addAll(List.of(
                "messages",
                "top_logprobs",
                "max_completion_tokens",
                "tools",
                "tool_choice",
                "parallel_tool_calls",
                "chat_template_kwargs",
                "add_generation_prompt"));
        NAMES.addAll(StructuredOutputFields.NAMES);
    }

    private ChatParser() {}

    static GenerationRequest parse(JsonNode body, Engine engine, ChatPrompt template, ToolStyle style) {
        RequestFields f = new RequestFields(body, NAMES);
        String model = ModelNames.check(f, engine);
        boolean stream = f.bool("stream", false);
        boolean includeUsage = SamplingFields.includeUsage(f, stream);
        boolean logprobs = f.bool("logprobs", false);
        int top = (int) f.integer("top_logprobs", 0, 0, 20);
        if (f.has("top_logprobs") && !logprobs) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs' set to true");
        }
        ToolFields tools = ToolFields.parse(f);
        Optional<OutputGrammar> grammar = grammar(f, tools, style);
        List<Map<String, Object>> messages = ToolPrompt.messages(
                messages(f.node("messages")), tools.active() ? tools.tools() : List.of(), style.templateRendersTools());
        List<?> templateTools =
                tools.active() && style.templateRendersTools() ? ToolPrompt.forTemplate(tools.tools()) : null;
        Map<String, Object> kwargs =
                f.has("chat_template_kwargs") ? JSON.convertValue(f.node("chat_template_kwargs"), Map.class) : Map.of();
        String rendered;
        try {
            rendered = template.render(messages, templateTools, f.bool("add_generation_prompt", true), kwargs);
        } catch (TemplateException | ClassCastException e) {
            throw ApiException.invalid("messages", "the chat template refused the messages: " + e.getMessage());
        }
        AnswerParsing parsing = AnswerParsing.of(
                tools.active() ? style.format() : null,
                style.reasoning(),
                style.reasoning() && rendered.stripTrailing().endsWith("<think>"),
                style);
        int[] prompt = engine.tokenizer().encode(rendered, false);
        String maxName = f.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = SamplingFields.maxTokens(f, maxName, null, prompt.length, engine.maxModelLen());
        int n = SamplingFields.n(f);
        List<ChoiceInput> choices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            choices.add(new ChoiceInput(
                    i,
                    0,
                    prompt,
                    SamplingFields.parse(
                            f,
                            maxTokens,
                            SamplingFields.seed(f, i),
                            engine.config().vocabSize(),
                            grammar),
                    null));
        }
        return new GenerationRequest(
                model,
                choices,
                1,
                stream,
                includeUsage,
                logprobs ? top : -1,
                parsing,
                SamplingFields.priority(f, engine),
                -1);
    }

    /**
     * The grammar of the answer: response_format's; or, for a forced tool call, the call in the
     * model's format; or, under auto with strict functions, a lazy one from the call's start marker.
     */
    static Optional<OutputGrammar> grammar(RequestFields f, ToolFields tools, ToolStyle style) {
        Optional<OutputGrammar> format = StructuredOutputFields.grammar(f).map(OutputGrammar::whole);
        if (!tools.active()) {
            return format;
        }
        if (tools.choice().forced()) {
            if (format.isPresent()) {
                throw ApiException.invalid(
                        "tool_choice", "a forced tool call and a response format cannot both decide the answer");
            }
            return Optional.of(StructuredOutputFields.at(
                    "tools", () -> ToolGrammar.forced(style.format(), tools.allowed(), tools.parallel())));
        }
        return format.isPresent()
                ? format
                : StructuredOutputFields.at(
                        "tools", () -> ToolGrammar.strictAfterOpening(style.format(), tools.tools()));
    }

    private static List<Map<String, Object>> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()
                    || !m.path("role").isTextual()
                    || !ROLES.contains(m.get("role").asText())) {
                throw ApiException.invalid(where + ".role", where + " needs a role of " + ROLES);
            }
            Map<String, Object> message = new LinkedHashMap<>(JSON.convertValue(m, Map.class));
            message.put(
                    "content", content(m.get("content"), where, m.get("role").asText()));
            out.add(message);
        }
        return out;
    }

    /** String content, or text parts joined by newlines (as vLLM joins them); other part types are refused. */
    private static Object content(JsonNode c, String where, String role) {
        if (c == null || c.isNull()) {
            if (role.equals("assistant")) {
                return null;
            }
            throw ApiException.invalid(where + ".content", where + " needs content");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw ApiException.invalid(where + ".content", "content must be a string or an array of parts");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : c) {
            String type = part.path("type").asText();
            if (!type.equals("text")) {
                throw ApiException.unsupported(where + ".content", "content part type '" + type + "'");
            }
            if (!part.path("text").isTextual()) {
                throw ApiException.invalid(where + ".content", "a text part needs a string 'text'");
            }
            sb.append(sb.isEmpty() ? "" : "\n").append(part.get("text").asText());
        }
        return sb.toString();
    }
}
