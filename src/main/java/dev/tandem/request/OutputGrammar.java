package dev.tandem.request;

import java.util.Optional;

/**
 * The grammar an output is held to, as GBNF text. Without a trigger it holds from the first token
 * (structured output). With one it is lazy: the output is free until it contains the trigger
 * text, the text after that must match the grammar, and once the grammar is complete the output is
 * free again until the trigger's next occurrence (a strict tool call that the model opens itself).
 */
public record OutputGrammar(String gbnf, Optional<String> trigger) {
    public OutputGrammar {
        if (trigger.isPresent() && trigger.get().isEmpty()) {
            throw new IllegalArgumentException("a grammar trigger must not be empty");
        }
    }

    public static OutputGrammar whole(String gbnf) {
        return new OutputGrammar(gbnf, Optional.empty());
    }

    public static OutputGrammar after(String trigger, String gbnf) {
        return new OutputGrammar(gbnf, Optional.of(trigger));
    }
}
