package dev.tandem.tools;

/** Whether the model may, must or must not call: none, auto, required, or one named function. */
public record ToolChoice(Kind kind, String function) {
    public enum Kind {
        NONE,
        AUTO,
        REQUIRED,
        FUNCTION
    }

    public static final ToolChoice NONE = new ToolChoice(Kind.NONE, null);
    public static final ToolChoice AUTO = new ToolChoice(Kind.AUTO, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Kind.REQUIRED, null);

    public static ToolChoice function(String name) {
        return new ToolChoice(Kind.FUNCTION, name);
    }

    /** Whether the answer must be calls only (held to a grammar from its first token). */
    public boolean forced() {
        return kind == Kind.REQUIRED || kind == Kind.FUNCTION;
    }
}
