package dev.tandem.tools;

/** What an {@link AnswerParser} releases as the model's text comes in, in order. */
public sealed interface AnswerDelta {
    /** Text for the user (the message's content). */
    record Content(String text) implements AnswerDelta {}

    /** Text of the model's reasoning ({@code <think>…</think>}), kept out of the content. */
    record Reasoning(String text) implements AnswerDelta {}

    /** A call begins: its index among the answer's calls, its id and the function's name. */
    record CallStart(int index, String id, String name) implements AnswerDelta {}

    /** More of a call's arguments: the fragments of one call, joined, are its arguments. */
    record CallArguments(int index, String fragment) implements AnswerDelta {}
}
