package dev.tandem.tools;

import java.util.List;

/** A whole answer taken apart: content (null when the answer is only calls), reasoning (null when none) and calls. */
public record ParsedAnswer(String content, String reasoning, List<ToolCall> calls) {}
