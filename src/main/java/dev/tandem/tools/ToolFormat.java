package dev.tandem.tools;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * How a model family writes tool calls, which decides how its answers are parsed and how a forced
 * call is spelled. Chosen from the chat template, as llama.cpp does, or named in the configuration
 * ({@code --tool-call-parser}, as vLLM).
 */
public enum ToolFormat {
    /** Hermes, Qwen 2.5 and Qwen 3: {@code <tool_call>{"name": …, "arguments": {…}}</tool_call>}, one block per call. */
    HERMES("hermes", List.of("<tool_call>"), List.of("<tool_call>", "</tool_call>")),
    /** Llama 3.1 / 3.3: an answer that is {@code {"name": …, "parameters": {…}}} (calls joined by ';'), maybe after {@code <|python_tag|>}. */
    LLAMA3_JSON("llama3_json", List.of("<|python_tag|>"), List.of("<|python_tag|>")),
    /** Llama 3.2 / 4: an answer that is a Python list of calls, {@code [get_weather(city="Paris"), f()]}. */
    PYTHONIC("pythonic", List.of("<|python_start|>"), List.of("<|python_start|>", "<|python_end|>")),
    /** Mistral: {@code [TOOL_CALLS]} then a JSON list of calls (v3) or {@code name[ARGS]{…}} per call (v11). */
    MISTRAL("mistral", List.of("[TOOL_CALLS]"), List.of("[TOOL_CALLS]", "[ARGS]", "[CALL_ID]"));

    private static final Random IDS = new SecureRandom();
    private static final char[] ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final String configName;
    private final List<String> startMarkers;
    private final List<String> markerTokens;

    ToolFormat(String configName, List<String> startMarkers, List<String> markerTokens) {
        this.configName = configName;
        this.startMarkers = startMarkers;
        this.markerTokens = markerTokens;
    }

    /** Texts that open calls anywhere in an answer. */
    List<String> startMarkers() {
        return startMarkers;
    }

    /**
     * The format's markers, which some tokenizers hold as special tokens: the detokenizer drops
     * those, so the caller hands their text to the parser itself.
     */
    public List<String> markerTokens() {
        return markerTokens;
    }

    /** Whether calls may also open the answer without any marker (the answer is the call). */
    boolean callsOpenTheAnswer() {
        return this == LLAMA3_JSON || this == PYTHONIC;
    }

    /** The format a chat template writes calls in; Hermes where the template says nothing of tools. */
    public static ToolFormat detect(String chatTemplate) {
        String t = chatTemplate == null ? "" : chatTemplate;
        if (t.contains("[TOOL_CALLS]")) {
            return MISTRAL;
        }
        if (t.contains("<tool_call>")) {
            return HERMES;
        }
        if (t.contains("<|python_start|>") || t.contains("[func_name1(")) {
            return PYTHONIC;
        }
        if (t.contains("<|python_tag|>") || t.contains("<|start_header_id|>") && t.contains("\"parameters\"")) {
            return LLAMA3_JSON;
        }
        return HERMES;
    }

    /** The setting's format (hermes, llama3_json, pythonic, mistral), or empty for auto: read it from the template. */
    public static Optional<ToolFormat> configured(String setting) {
        return setting.trim().equalsIgnoreCase("auto") ? Optional.empty() : Optional.of(named(setting.trim()));
    }

    /** The format of a configuration name (hermes, llama3_json, pythonic, mistral). */
    public static ToolFormat named(String name) {
        for (ToolFormat f : values()) {
            if (f.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown tool call parser '" + name + "'; known: "
                + Arrays.stream(values()).map(f -> f.configName).toList());
    }

    /** A new call id: Mistral's templates require nine letters and digits, the others take OpenAI's call_… form. */
    String newCallId() {
        int n = this == MISTRAL ? 9 : 24;
        StringBuilder sb = new StringBuilder(this == MISTRAL ? "" : "call_");
        for (int i = 0; i < n; i++) {
            sb.append(ALNUM[IDS.nextInt(ALNUM.length)]);
        }
        return sb.toString();
    }
}
