package dev.tandem.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What makes a grammar unusable for decoding, found before any token is sampled: a root that
 * matches no string at all, or a rule that can call itself without consuming a byte (left
 * recursion, which would grow the parse stack forever).
 */
final class GrammarChecks {
    private final ByteNfa nfa;

    GrammarChecks(ByteNfa nfa) {
        this.nfa = nfa;
    }

    void check() {
        BitSet productive = fixedPoint(true);
        if (!productive.get(nfa.root())) {
            throw new GrammarException("", "the grammar can match nothing: no string satisfies it");
        }
        BitSet nullable = fixedPoint(false);
        for (int r = 0; r < nfa.ruleNames.length; r++) {
            List<Integer> path = leftCallPath(r, nullable);
            if (path != null) {
                StringBuilder sb = new StringBuilder(nfa.ruleNames[r]);
                for (int x : path) {
                    sb.append(" -> ").append(nfa.ruleNames[x]);
                }
                throw new GrammarException(
                        "",
                        "the grammar is left-recursive (" + sb
                                + " without consuming input); rewrite it with repetition");
            }
        }
    }

    /**
     * Rules that can reach their accept state: through byte edges too (productive), or through
     * empty edges and calls of nullable rules only (nullable).
     */
    private BitSet fixedPoint(boolean throughBytes) {
        BitSet done = new BitSet();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int r = 0; r < nfa.ruleNames.length; r++) {
                if (!done.get(r) && reaches(nfa.ruleStart[r], nfa.ruleAccept[r], done, throughBytes)) {
                    done.set(r);
                    changed = true;
                }
            }
        }
        return done;
    }

    private boolean reaches(int from, int to, BitSet rulesThatPass, boolean throughBytes) {
        BitSet seen = new BitSet();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.push(from);
        while (!work.isEmpty()) {
            int s = work.pop();
            if (s == to) {
                return true;
            }
            if (seen.get(s)) {
                continue;
            }
            seen.set(s);
            for (int i = nfa.epsRow[s]; i < nfa.epsRow[s + 1]; i++) {
                work.push(nfa.epsTo[i]);
            }
            if (throughBytes) {
                for (int i = nfa.byteRow[s]; i < nfa.byteRow[s + 1]; i++) {
                    work.push(nfa.byteTo[i]);
                }
            }
            for (int i = nfa.callRow[s]; i < nfa.callRow[s + 1]; i++) {
                if (rulesThatPass.get(nfa.callRule[i])) {
                    work.push(nfa.callReturn[i]);
                }
            }
        }
        return false;
    }

    /** A chain of rules that rule r calls before consuming input and that leads back to r, or null. */
    private List<Integer> leftCallPath(int r, BitSet nullable) {
        ArrayDeque<List<Integer>> work = new ArrayDeque<>();
        BitSet visitedRules = new BitSet();
        work.add(new ArrayList<>());
        while (!work.isEmpty()) {
            List<Integer> path = work.poll();
            int rule = path.isEmpty() ? r : path.get(path.size() - 1);
            for (int callee : leftCalls(rule, nullable)) {
                List<Integer> next = new ArrayList<>(path);
                next.add(callee);
                if (callee == r) {
                    return next;
                }
                if (!visitedRules.get(callee)) {
                    visitedRules.set(callee);
                    work.add(next);
                }
            }
        }
        return null;
    }

    private List<Integer> leftCalls(int rule, BitSet nullable) {
        List<Integer> out = new ArrayList<>();
        BitSet seen = new BitSet();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.push(nfa.ruleStart[rule]);
        while (!work.isEmpty()) {
            int s = work.pop();
            if (seen.get(s)) {
                continue;
            }
            seen.set(s);
            for (int i = nfa.epsRow[s]; i < nfa.epsRow[s + 1]; i++) {
                work.push(nfa.epsTo[i]);
            }
            for (int i = nfa.callRow[s]; i < nfa.callRow[s + 1]; i++) {
                out.add(nfa.callRule[i]);
                if (nullable.get(nfa.callRule[i])) {
                    work.push(nfa.callReturn[i]);
                }
            }
        }
        return out;
    }
}
