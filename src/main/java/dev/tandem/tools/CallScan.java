package dev.tandem.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads one region of calls (from its start marker on) as far as the text goes, in each format's
 * syntax. Scanning again from the region's start each time more text comes keeps the parser free
 * of half-states; a region is a few hundred characters.
 */
final class CallScan {
    private static final Set<String> ARGUMENT_KEYS = Set.of("arguments", "parameters");

    /** One call as far as the text shows it: name null until known; arguments so far (final once complete). */
    record Call(String name, String arguments, boolean complete) {}

    /** The calls of a region, and where it ends (-1: not yet); failed when the text is no call after all. */
    record Region(List<Call> calls, int end, boolean failed) {
        static Region failure() {
            return new Region(List.of(), -1, true);
        }
    }

    private CallScan() {}

    /** Scans the region at from; ended: no more text will come. */
    static Region scan(ToolFormat format, String s, int from, boolean ended) {
        return switch (format) {
            case HERMES -> hermes(s, from, ended);
            case MISTRAL -> mistral(s, from, ended);
            case LLAMA3_JSON -> llama(s, from, ended);
            case PYTHONIC -> PythonCalls.scan(s, from, ended);
        };
    }

    private static Region hermes(String s, int from, boolean ended) {
        int i = JsonText.skipSpace(s, from + "<tool_call>".length());
        List<Call> calls = new ArrayList<>();
        int end = object(s, i, calls);
        if (end == JsonText.INVALID) {
            return Region.failure();
        }
        if (end == JsonText.INCOMPLETE) {
            return new Region(calls, -1, false);
        }
        int j = JsonText.skipSpace(s, end);
        if (s.startsWith("</tool_call>", j)) {
            return new Region(calls, j + "</tool_call>".length(), false);
        }
        if (!ended && (j == s.length() || JsonText.couldBecome(s, j, "</tool_call>"))) {
            return new Region(calls, -1, false);
        }
        return new Region(calls, end, false); // no closing tag: the call ends with its object
    }

    private static Region mistral(String s, int from, boolean ended) {
        int i = JsonText.skipSpace(s, from + "[TOOL_CALLS]".length());
        List<Call> calls = new ArrayList<>();
        if (i == s.length()) {
            return new Region(calls, -1, false);
        }
        if (s.charAt(i) == '[') { // v3: a JSON list of call objects
            for (i = JsonText.skipSpace(s, i + 1); ; ) {
                int end = object(s, i, calls);
                if (end < 0) {
                    return end == JsonText.INVALID ? Region.failure() : new Region(calls, -1, false);
                }
                i = JsonText.skipSpace(s, end);
                if (i == s.length()) {
                    return new Region(calls, ended ? i : -1, false);
                }
                if (s.charAt(i) == ']') {
                    return new Region(calls, i + 1, false);
                }
                if (s.charAt(i) != ',') {
                    return Region.failure();
                }
                i = JsonText.skipSpace(s, i + 1);
            }
        }
        // v11: name[ARGS]{…}, v13: name[CALL_ID]id[ARGS]{…}
        int args = s.indexOf("[ARGS]", i);
        if (args < 0) {
            boolean nameSoFar = s.substring(i).matches("[A-Za-z0-9_.\\-]*(\\[[A-Z_]*)?");
            return nameSoFar && !ended ? new Region(calls, -1, false) : Region.failure();
        }
        int callId = s.indexOf("[CALL_ID]", i);
        String name =
                s.substring(i, callId >= 0 && callId < args ? callId : args).trim();
        if (!name.matches("[A-Za-z0-9_.\\-]+")) {
            return Region.failure();
        }
        int v = JsonText.skipSpace(s, args + "[ARGS]".length());
        int end = JsonText.valueEnd(s, v);
        if (end == JsonText.INVALID) {
            return Region.failure();
        }
        boolean complete = end >= 0 || ended;
        calls.add(new Call(name, end >= 0 ? s.substring(v, end) : s.substring(v), complete));
        return new Region(calls, end >= 0 ? end : ended ? s.length() : -1, false);
    }

    private static Region llama(String s, int from, boolean ended) {
        int i = s.startsWith("<|python_tag|>", from) ? from + "<|python_tag|>".length() : from;
        List<Call> calls = new ArrayList<>();
        for (i = JsonText.skipSpace(s, i); ; ) {
            if (i == s.length()) {
                return new Region(calls, ended ? i : -1, false);
            }
            int end = object(s, i, calls);
            if (end < 0) {
                return end == JsonText.INVALID ? Region.failure() : new Region(calls, -1, false);
            }
            if (calls.getLast().name() == null) {
                return Region.failure(); // a JSON answer, not a call
            }
            int j = JsonText.skipSpace(s, end);
            if (j < s.length() && s.charAt(j) == ';') {
                i = JsonText.skipSpace(s, j + 1);
            } else if (j == s.length() && !ended) {
                return new Region(calls, -1, false);
            } else {
                return new Region(calls, end, false);
            }
        }
    }

    /**
     * Scans a call object {"name": …, "arguments"|"parameters": …} at i and adds it (as far as it
     * goes) to calls; returns where it ends, {@link JsonText#INCOMPLETE} or {@link JsonText#INVALID}.
     */
    static int object(String s, int i, List<Call> calls) {
        if (i == s.length()) {
            return JsonText.INCOMPLETE;
        }
        if (s.charAt(i) != '{') {
            return JsonText.INVALID;
        }
        String name = null;
        String args = null;
        for (i = JsonText.skipSpace(s, i + 1); ; ) {
            if (i == s.length()) {
                break;
            }
            if (s.charAt(i) == '}') {
                calls.add(new Call(name, args == null ? "{}" : args, true));
                return i + 1;
            }
            if (s.charAt(i) != '"') {
                return JsonText.INVALID;
            }
            int keyEnd = JsonText.stringEnd(s, i);
            if (keyEnd < 0) {
                break;
            }
            String key = JsonText.string(s, i, keyEnd);
            int colon = JsonText.skipSpace(s, keyEnd);
            if (colon == s.length()) {
                break;
            }
            if (s.charAt(colon) != ':') {
                return JsonText.INVALID;
            }
            int v = JsonText.skipSpace(s, colon + 1);
            int end = JsonText.valueEnd(s, v);
            if (end == JsonText.INVALID) {
                return end;
            }
            boolean isArgs = ARGUMENT_KEYS.contains(key) && args == null;
            if (end == JsonText.INCOMPLETE) {
                if (isArgs && v < s.length() && s.charAt(v) != '"') {
                    args = s.substring(v); // every character of an unfinished object is final once written
                }
                break;
            }
            if ("name".equals(key) && s.charAt(v) == '"') {
                name = JsonText.string(s, v, end);
            } else if (isArgs) {
                // Arguments given as a JSON string holding JSON: the string's value is the arguments.
                args = s.charAt(v) == '"' ? JsonText.string(s, v, end) : s.substring(v, end);
            }
            i = JsonText.skipSpace(s, end);
            if (i < s.length() && s.charAt(i) == ',') {
                i = JsonText.skipSpace(s, i + 1);
            } else if (i < s.length() && s.charAt(i) != '}') {
                return JsonText.INVALID;
            }
        }
        calls.add(new Call(name, args == null ? "" : args, false));
        return JsonText.INCOMPLETE;
    }
}
