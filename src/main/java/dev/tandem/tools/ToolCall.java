package dev.tandem.tools;

/** A call the model made: the function's name and its arguments as JSON text. */
public record ToolCall(String id, String name, String arguments) {}
