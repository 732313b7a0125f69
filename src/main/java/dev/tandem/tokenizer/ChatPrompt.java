package dev.tandem.tokenizer;

import dev.tandem.tokenizer.jinja.Template;
import dev.tandem.tokenizer.jinja.TemplateException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a conversation with the model's chat template the way transformers'
 * {@code apply_chat_template} does: the special tokens of tokenizer_config.json are variables,
 * then messages, tools, add_generation_prompt and any extra template arguments.
 */
public final class ChatPrompt {
    private final Template template;
    private final String source;
    private final Map<String, String> specialTokens;

    public ChatPrompt(String templateSource, Map<String, String> specialTokens) {
        this.template = Template.compile(templateSource);
        this.source = templateSource;
        this.specialTokens = Map.copyOf(specialTokens);
    }

    public static ChatPrompt forTokenizer(TextTokenizer tokenizer) {
        TokenizerConfig c = tokenizer.config();
        String source = c.chatTemplate()
                .orElseThrow(() -> new IllegalStateException(
                        "the model has no chat template (tokenizer_config.json chat_template or chat_template.jinja)"));
        return new ChatPrompt(source, c.specialTokens());
    }

    /** The template's text (what it mentions tells how the model writes tool calls). */
    public String source() {
        return source;
    }

    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt, Map.of());
    }

    /** @throws TemplateException when the template refuses the conversation (raise_exception) */
    public String render(
            List<? extends Map<String, ?>> messages,
            List<?> tools,
            boolean addGenerationPrompt,
            Map<String, ?> extraArguments) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("messages", messages);
        if (tools != null) {
            context.put("tools", tools);
        }
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putAll(extraArguments);
        return template.render(context);
    }
}
