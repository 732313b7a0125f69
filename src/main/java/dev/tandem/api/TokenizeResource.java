package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.jinja.TemplateException;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** vLLM's {@code POST /tokenize} (a prompt, or chat messages through the template) and {@code /detokenize}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenizeResource {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Provider<Engine> engine;

    @Inject
    Provider<ChatPrompt> chatTemplate;

    @POST
    @Path("tokenize")
    public String tokenize(JsonNode body) {
        RequestFields f = new RequestFields(
                body,
                Set.of(
                        "model",
                        "prompt",
                        "messages",
                        "add_special_tokens",
                        "add_generation_prompt",
                        "chat_template_kwargs"));
        Engine e = engine.get();
        if (f.has("model")) {
            ModelNames.check(f, e);
        }
        int[] ids;
        if (f.has("messages")) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> messages = JSON.convertValue(f.node("messages"), List.class);
            try {
                String text =
                        chatTemplate.get().render(messages, null, f.bool("add_generation_prompt", true), Map.of());
                ids = e.tokenizer().encode(text, f.bool("add_special_tokens", false));
            } catch (TemplateException | ClassCastException x) {
                throw ApiException.invalid("messages", "the chat template refused the messages: " + x.getMessage());
            }
        } else {
            ids = e.tokenizer().encode(f.requiredString("prompt"), f.bool("add_special_tokens", true));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("count", ids.length);
        out.put("max_model_len", e.maxModelLen());
        var tokens = out.putArray("tokens");
        for (int id : ids) {
            tokens.add(id);
        }
        return out.toString();
    }

    @POST
    @Path("detokenize")
    public String detokenize(JsonNode body) {
        RequestFields f = new RequestFields(body, Set.of("model", "tokens"));
        Engine e = engine.get();
        if (f.has("model")) {
            ModelNames.check(f, e);
        }
        JsonNode tokens = f.node("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw ApiException.invalid("tokens", "'tokens' must be an array of token ids");
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (!t.isIntegralNumber()
                    || t.asInt() < 0
                    || t.asInt() >= e.config().vocabSize()) {
                throw ApiException.invalid(
                        "tokens",
                        "token ids must be integers in [0, " + e.config().vocabSize() + ")");
            }
            ids[i] = t.asInt();
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("prompt", e.tokenizer().decode(ids, false));
        return out.toString();
    }
}
