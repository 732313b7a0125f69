package dev.tandem.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.grammar.StructuredOutput;
import dev.tandem.request.OutputGrammar;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tool calls as grammars, in the model's own format, so that even a model that has never seen a
 * tool writes a call its parser reads and whose arguments match the function's schema: an answer
 * of calls only (tool_choice required or a named function), or, under auto, a lazy grammar that
 * holds strict functions to their schema once the model has written the format's start marker.
 */
public final class ToolGrammar {
    private ToolGrammar() {}

    /** An answer of one call (or, where parallel, one or more) to one of the allowed functions. */
    public static OutputGrammar forced(ToolFormat format, List<FunctionTool> allowed, boolean parallel) {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < allowed.size(); i++) {
            calls.add(call(format, allowed.get(i), "args" + i, schemas));
        }
        String one = calls.size() == 1 ? calls.getFirst() : "(" + String.join(" | ", calls) + ")";
        String body = switch (format) {
            case HERMES -> list(lit("<tool_call>\n") + " " + one + " " + lit("\n</tool_call>"), lit("\n"), parallel);
            case LLAMA3_JSON -> list(one, lit("; "), parallel);
            case MISTRAL -> lit("[TOOL_CALLS][") + " " + list(one, lit(", "), parallel) + " " + lit("]");
            case PYTHONIC -> lit("[") + " " + list(one, lit(", "), parallel) + " " + lit("]");
        };
        return OutputGrammar.whole(StructuredOutput.composed(body, schemas));
    }

    /**
     * Under auto: once the model opens a call, strict functions keep to their schema (the others
     * take any JSON object). Empty where no function is strict or the format has no start marker
     * in plain text (Mistral's is a special token, pythonic calls have none).
     */
    public static Optional<OutputGrammar> strictAfterOpening(ToolFormat format, List<FunctionTool> tools) {
        if (tools.stream().noneMatch(FunctionTool::strict)
                || format == ToolFormat.MISTRAL
                || format == ToolFormat.PYTHONIC) {
            return Optional.empty();
        }
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            FunctionTool t = tools.get(i);
            String args = t.strict() ? "args" + i : "object";
            if (t.strict()) {
                schemas.put(args, parameters(t));
            }
            String key = format == ToolFormat.HERMES ? "arguments" : "parameters";
            rest.add(lit(t.name() + "\", \"" + key + "\": ") + " " + args + " " + lit("}"));
        }
        String names = "(" + String.join(" | ", rest) + ")";
        return Optional.of(
                format == ToolFormat.HERMES
                        ? OutputGrammar.after(
                                "<tool_call>",
                                StructuredOutput.composed(
                                        "\"\\n\"? " + lit("{\"name\": \"") + " " + names + " " + lit("\n</tool_call>"),
                                        schemas))
                        : OutputGrammar.after("{\"name\": \"", StructuredOutput.composed(names, schemas)));
    }

    private static String call(ToolFormat format, FunctionTool t, String args, Map<String, JsonNode> schemas) {
        if (format == ToolFormat.PYTHONIC) {
            return pythonic(t, args, schemas);
        }
        schemas.put(args, parameters(t));
        String key = format == ToolFormat.LLAMA3_JSON ? "parameters" : "arguments";
        return lit("{\"name\": \"" + t.name() + "\", \"" + key + "\": ") + " " + args + " " + lit("}");
    }

    /** name(key=value, …): the schema's required properties, in its order (a forced call needs no more). */
    private static String pythonic(FunctionTool t, String args, Map<String, JsonNode> schemas) {
        List<String> required = new ArrayList<>();
        parameters(t).path("required").forEach(r -> required.add(r.asText()));
        StringBuilder sb = new StringBuilder(lit(t.name() + "("));
        int k = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        parameters(t).path("properties").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (required.contains(p.getKey())) {
                String rule = args + "-" + k;
                schemas.put(rule, p.getValue());
                sb.append(' ')
                        .append(lit((k++ == 0 ? "" : ", ") + p.getKey() + "="))
                        .append(' ')
                        .append(rule);
            }
        }
        return sb.append(' ').append(lit(")")).toString();
    }

    private static JsonNode parameters(FunctionTool t) {
        return t.parameters() != null
                ? t.parameters()
                : JsonText.JSON
                        .createObjectNode()
                        .put("type", "object")
                        .set("properties", JsonText.JSON.createObjectNode());
    }

    private static String list(String item, String separator, boolean several) {
        return several ? item + " (" + separator + " " + item + ")*" : item;
    }

    private static String lit(String text) {
        return StructuredOutput.literal(text);
    }
}
