package dev.tandem.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Finding where JSON values end in text that may still be growing (a streamed answer). */
final class JsonText {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The text stops inside the value: more may come. */
    static final int INCOMPLETE = -1;
    /** The text cannot be JSON here. */
    static final int INVALID = -2;

    private JsonText() {}

    static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Where the JSON value at i ends (exclusive), {@link #INCOMPLETE} or {@link #INVALID}. */
    static int valueEnd(String s, int i) {
        if (i >= s.length()) {
            return INCOMPLETE;
        }
        char c = s.charAt(i);
        if (c == '"') {
            return stringEnd(s, i);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            for (int k = i; k < s.length(); k++) {
                char d = s.charAt(k);
                if (d == '"') {
                    int e = stringEnd(s, k);
                    if (e < 0) {
                        return e;
                    }
                    k = e - 1;
                } else if (d == '{' || d == '[') {
                    depth++;
                } else if ((d == '}' || d == ']') && --depth == 0) {
                    return k + 1;
                }
            }
            return INCOMPLETE;
        }
        int k = i;
        while (k < s.length() && "+-0123456789.eEtruefalsn".indexOf(s.charAt(k)) >= 0) {
            k++;
        }
        if (k == i) {
            return INVALID;
        }
        return k == s.length() ? INCOMPLETE : k;
    }

    /** Where the JSON string at i (its opening quote) ends, or {@link #INCOMPLETE}. */
    static int stringEnd(String s, int i) {
        for (int k = i + 1; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '\\') {
                k++;
            } else if (c == '"') {
                return k + 1;
            }
        }
        return INCOMPLETE;
    }

    /** The value of the JSON string s[from, to), or null when it is not one. */
    static String string(String s, int from, int to) {
        try {
            return JSON.readValue(s.substring(from, to), String.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Whether s[i..] is a proper prefix of word (so more text may still make it the word). */
    static boolean couldBecome(String s, int i, String word) {
        int n = s.length() - i;
        return n < word.length() && word.startsWith(s.substring(i));
    }
}
