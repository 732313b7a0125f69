package dev.tandem.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * Takes a model's answer apart as it streams in: reasoning ({@code <think>…</think>}), content,
 * and tool calls in the model's format. Text that may still turn out to be a marker is held back,
 * so no marker ever reaches the content; a call's name and id come as soon as the name is known,
 * then argument fragments that later text cannot change, the rest when the call ends. The whole
 * answer fed at once gives the same parts as fed piece by piece.
 */
public final class AnswerParser {
    private static final String THINK = "<think>", END_THINK = "</think>";

    private enum Mode {
        START,
        THINK,
        TEXT,
        CALLS
    }

    private final ToolFormat format;
    private final boolean reasoning;
    private final StringBuilder raw = new StringBuilder();
    private final StringBuilder content = new StringBuilder(), thoughts = new StringBuilder();
    /** Whitespace after the last content, released only when more content follows it. */
    private final StringBuilder space = new StringBuilder();

    private final List<CallState> calls = new ArrayList<>();
    private Mode mode;
    private int pos;
    private int regionStart;
    private int regionFirstCall;
    private boolean sawThinking;

    private static final class CallState {
        String id, name;
        final StringBuilder arguments = new StringBuilder();
    }

    /**
     * format: how calls are written (null: the request has no tools, so nothing is a call);
     * reasoning: the model thinks in {@code <think>} tags; startsThinking: the prompt already opened them.
     */
    public AnswerParser(ToolFormat format, boolean reasoning, boolean startsThinking) {
        this.format = format;
        this.reasoning = reasoning || startsThinking;
        this.mode = startsThinking ? Mode.THINK : Mode.START;
        this.sawThinking = startsThinking;
    }

    public List<AnswerDelta> feed(String text) {
        if (mode != Mode.CALLS && pos > 0) {
            // What is released is never read again outside a call region: keep only the undecided tail.
            raw.delete(0, pos);
            pos = 0;
        }
        raw.append(text);
        List<AnswerDelta> out = new ArrayList<>();
        run(false, out);
        return out;
    }

    /** The rest, once the answer is complete (or cut off by max_tokens). */
    public List<AnswerDelta> finish() {
        List<AnswerDelta> out = new ArrayList<>();
        run(true, out);
        if (calls.isEmpty() && !space.isEmpty()) { // trailing whitespace of a plain answer is kept
            content.append(space);
            out.add(new AnswerDelta.Content(space.toString()));
            space.setLength(0);
        }
        return out;
    }

    /** The parts of everything fed so far (call after {@link #finish}). */
    public ParsedAnswer answer() {
        List<ToolCall> done = calls.stream()
                .map(c -> new ToolCall(c.id, c.name, c.arguments.toString()))
                .toList();
        String text = content.isEmpty() && !done.isEmpty() ? null : content.toString();
        return new ParsedAnswer(text, sawThinking ? thoughts.toString() : null, done);
    }

    private void run(boolean ended, List<AnswerDelta> out) {
        String s = raw.toString();
        while (true) {
            Mode before = mode;
            int at = pos;
            switch (mode) {
                case START -> start(s, ended);
                case THINK -> think(s, ended, out);
                case TEXT -> text(s, ended, out);
                case CALLS -> calls(s, ended, out);
            }
            if (mode == before && pos == at) {
                return;
            }
        }
    }

    private void start(String s, boolean ended) {
        int i = JsonText.skipSpace(s, pos);
        if (i == s.length() && !ended) {
            return;
        }
        if (reasoning && !sawThinking && s.startsWith(THINK, i)) {
            pos = i + THINK.length();
            sawThinking = true;
            mode = Mode.THINK;
            return;
        }
        boolean mayOpen = format != null && format.callsOpenTheAnswer();
        char first = i < s.length() ? s.charAt(i) : 0;
        if (mayOpen
                && (first == (format == ToolFormat.PYTHONIC ? '[' : '{')
                        || s.startsWith(format.startMarkers().getFirst(), i))) {
            regionStart = i;
            pos = i;
            regionFirstCall = calls.size();
            mode = Mode.CALLS;
            return;
        }
        if (!ended
                && (reasoning && !sawThinking && JsonText.couldBecome(s, i, THINK)
                        || mayOpen
                                && JsonText.couldBecome(
                                        s, i, format.startMarkers().getFirst()))) {
            return;
        }
        pos = i; // leading whitespace of an answer is dropped, as between parts
        mode = Mode.TEXT;
    }

    private void think(String s, boolean ended, List<AnswerDelta> out) {
        int end = s.indexOf(END_THINK, pos);
        if (end >= 0) {
            emitThought(s.substring(pos, end), out);
            pos = end + END_THINK.length();
            mode = Mode.START;
            return;
        }
        int safe = ended ? s.length() : s.length() - heldBack(s, pos, List.of(END_THINK));
        emitThought(s.substring(pos, safe), out);
        pos = safe;
    }

    private void text(String s, boolean ended, List<AnswerDelta> out) {
        List<String> markers = format == null ? List.of() : format.startMarkers();
        int first = -1;
        for (String m : markers) {
            int k = s.indexOf(m, pos);
            if (k >= 0 && (first < 0 || k < first)) {
                first = k;
            }
        }
        if (first >= 0) {
            emitContent(s.substring(pos, first), out);
            pos = first;
            regionStart = first;
            regionFirstCall = calls.size();
            mode = Mode.CALLS;
            return;
        }
        int safe = ended ? s.length() : s.length() - heldBack(s, pos, markers);
        emitContent(s.substring(pos, safe), out);
        pos = safe;
    }

    private void calls(String s, boolean ended, List<AnswerDelta> out) {
        CallScan.Region r = CallScan.scan(format, s, regionStart, ended);
        if (r.failed()) {
            if (calls.size() == regionFirstCall) {
                // Not a call after all: its text is content, and scanning goes on after its first character.
                int next = regionStart + 1;
                emitContent(s.substring(regionStart, next), out);
                pos = next;
                mode = Mode.TEXT;
                return;
            }
            pos = s.length(); // a broken call after good ones in one region: the good ones stand, the rest is dropped
            mode = Mode.TEXT;
            return;
        }
        for (int k = 0; k < r.calls().size(); k++) {
            CallScan.Call c = r.calls().get(k);
            int index = regionFirstCall + k;
            if (c.name() == null || index > calls.size()) {
                break;
            }
            if (index == calls.size()) {
                CallState state = new CallState();
                state.id = format.newCallId();
                state.name = c.name();
                calls.add(state);
                out.add(new AnswerDelta.CallStart(index, state.id, state.name));
            }
            CallState state = calls.get(index);
            String args = c.complete() && c.arguments().isEmpty() ? "{}" : c.arguments();
            if (args.length() > state.arguments.length() && args.startsWith(state.arguments.toString())) {
                String fragment = args.substring(state.arguments.length());
                state.arguments.append(fragment);
                out.add(new AnswerDelta.CallArguments(index, fragment));
            }
        }
        if (r.end() >= 0) {
            pos = r.end();
            mode = Mode.TEXT;
        } else if (ended) {
            pos = s.length();
        }
    }

    private void emitThought(String text, List<AnswerDelta> out) {
        if (!text.isEmpty()) {
            thoughts.append(text);
            out.add(new AnswerDelta.Reasoning(text));
        }
    }

    /** Content, except trailing whitespace, which waits for the content after it (none follows the last call). */
    private void emitContent(String text, List<AnswerDelta> out) {
        if (text.isBlank()) {
            space.append(text);
            return;
        }
        String all = (content.isEmpty() && calls.isEmpty() ? "" : space.toString()) + text;
        space.setLength(0);
        int keep = all.length();
        while (keep > 0 && Character.isWhitespace(all.charAt(keep - 1))) {
            keep--;
        }
        space.append(all, keep, all.length());
        String shown = all.substring(0, keep);
        if (!shown.isEmpty()) {
            content.append(shown);
            out.add(new AnswerDelta.Content(shown));
        }
    }

    /** How many characters at the end of s (from pos on) could be the start of a marker. */
    private static int heldBack(String s, int pos, List<String> markers) {
        int held = 0;
        for (String m : markers) {
            for (int n = Math.min(m.length() - 1, s.length() - pos); n > held; n--) {
                if (s.startsWith(m.substring(0, n), s.length() - n)) {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }
}
