package dev.tandem.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A range of code points as sequences of byte ranges in UTF-8 (the split of RE2 and Go's
 * utf8 range compiler): [U+0080, U+07FF] is the one sequence [C2-DF][80-BF], and a range that does
 * not align with the byte boundaries becomes several sequences.
 */
final class Utf8Ranges {
    private static final int[] LIMITS = {0x7F, 0x7FF, 0xFFFF, 0x10FFFF};

    private Utf8Ranges() {}

    /** Each element is one sequence: {lo0, hi0, lo1, hi1, ...}, one pair per byte. */
    static List<int[]> sequences(int lo, int hi) {
        List<int[]> out = new ArrayList<>();
        int start = lo;
        for (int limit : LIMITS) {
            if (start > hi) {
                break;
            }
            if (start <= limit) {
                split(start, Math.min(hi, limit), out);
                start = limit + 1;
            }
        }
        return out;
    }

    private static void split(int lo, int hi, List<int[]> out) {
        int n = length(lo);
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo), b = encode(hi);
        int[] seq = new int[2 * n];
        for (int i = 0; i < n; i++) {
            seq[2 * i] = a[i] & 0xFF;
            seq[2 * i + 1] = b[i] & 0xFF;
        }
        out.add(seq);
    }

    private static int length(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    static byte[] encode(int cp) {
        return switch (length(cp)) {
            case 1 -> new byte[] {(byte) cp};
            case 2 -> new byte[] {(byte) (0xC0 | cp >> 6), (byte) (0x80 | (cp & 0x3F))};
            case 3 ->
                new byte[] {(byte) (0xE0 | cp >> 12), (byte) (0x80 | (cp >> 6 & 0x3F)), (byte) (0x80 | (cp & 0x3F))};
            default ->
                new byte[] {
                    (byte) (0xF0 | cp >> 18),
                    (byte) (0x80 | (cp >> 12 & 0x3F)),
                    (byte) (0x80 | (cp >> 6 & 0x3F)),
                    (byte) (0x80 | (cp & 0x3F))
                };
        };
    }
}
