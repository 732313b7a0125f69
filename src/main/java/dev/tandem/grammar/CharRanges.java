package dev.tandem.grammar;

import java.util.ArrayList;
import java.util.List;

/** Sets of code points as sorted, disjoint, inclusive ranges {lo0, hi0, lo1, hi1, ...}. */
final class CharRanges {
    static final int MAX = 0x10FFFF;
    static final int[] ANY = {0, 0xD7FF, 0xE000, MAX};

    private CharRanges() {}

    /** Sorts and merges pairs given in any order. */
    static int[] normalize(List<int[]> pairs) {
        List<int[]> sorted = new ArrayList<>(pairs);
        sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] p : sorted) {
            if (p[0] > p[1]) {
                continue;
            }
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && p[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], p[1]);
            } else {
                merged.add(new int[] {p[0], p[1]});
            }
        }
        int[] out = new int[merged.size() * 2];
        for (int i = 0; i < merged.size(); i++) {
            out[2 * i] = merged.get(i)[0];
            out[2 * i + 1] = merged.get(i)[1];
        }
        return out;
    }

    /** Every scalar value (no surrogates) not in the set. */
    static int[] negate(int[] ranges) {
        List<int[]> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > next) {
                out.add(new int[] {next, ranges[i] - 1});
            }
            next = ranges[i + 1] + 1;
        }
        if (next <= MAX) {
            out.add(new int[] {next, MAX});
        }
        return withoutSurrogates(normalize(out));
    }

    static int[] withoutSurrogates(int[] ranges) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            int lo = ranges[i], hi = ranges[i + 1];
            if (hi < 0xD800 || lo > 0xDFFF) {
                out.add(new int[] {lo, hi});
            } else {
                out.add(new int[] {lo, 0xD7FF});
                out.add(new int[] {0xE000, hi});
            }
        }
        return normalize(out);
    }

    static List<int[]> pairs(int[] ranges) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            out.add(new int[] {ranges[i], ranges[i + 1]});
        }
        return out;
    }

    /** Whether the flattened [from, to] ranges hold c. */
    static boolean contains(int[] set, int c) {
        for (int i = 0; i < set.length; i += 2) {
            if (c >= set[i] && c <= set[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** The ranges of set without those of remove. */
    static int[] minus(int[] set, int[] remove) {
        int[] negRemove = negate(normalize(pairs(remove)));
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < set.length; i += 2) {
            for (int j = 0; j < negRemove.length; j += 2) {
                int lo = Math.max(set[i], negRemove[j]), hi = Math.min(set[i + 1], negRemove[j + 1]);
                if (lo <= hi) {
                    out.add(new int[] {lo, hi});
                }
            }
        }
        return normalize(out);
    }
}
