package dev.tandem.tools;

import com.fasterxml.jackson.databind.JsonNode;

/** A function the request offers the model: its name, what it does, the JSON Schema of its arguments, strict or not. */
public record FunctionTool(String name, String description, JsonNode parameters, boolean strict) {}
