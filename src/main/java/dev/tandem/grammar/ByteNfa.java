package dev.tandem.grammar;

import dev.tandem.grammar.Grammar.Alt;
import dev.tandem.grammar.Grammar.Chars;
import dev.tandem.grammar.Grammar.Expr;
import dev.tandem.grammar.Grammar.Ref;
import dev.tandem.grammar.Grammar.Repeat;
import dev.tandem.grammar.Grammar.Seq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A grammar as one automaton over UTF-8 bytes per rule (a recursive transition network): each
 * state has byte-range edges, empty edges and calls of other rules (with the state to return to).
 * Each rule has one start state and one accept state. Checked on construction: no rule may call
 * itself before consuming a byte (left recursion), and the root must match something.
 */
final class ByteNfa {
    static final int MAX_STATES = 1_000_000;

    final String[] ruleNames;
    final int[] ruleStart, ruleAccept;
    /** acceptOf[s]: the rule whose accept state s is, else -1. */
    final int[] acceptOf;
    // Edges in compressed rows: state s's byte edges are byteLo/byteHi/byteTo[byteRow[s] .. byteRow[s+1]).
    final int[] byteRow, byteLo, byteHi, byteTo;
    final int[] epsRow, epsTo;
    final int[] callRow, callRule, callReturn;

    private ByteNfa(Builder b) {
        int n = b.numStates;
        ruleNames = b.names.toArray(String[]::new);
        ruleStart = b.starts.stream().mapToInt(Integer::intValue).toArray();
        ruleAccept = b.accepts.stream().mapToInt(Integer::intValue).toArray();
        acceptOf = new int[n];
        java.util.Arrays.fill(acceptOf, -1);
        for (int r = 0; r < ruleAccept.length; r++) {
            acceptOf[ruleAccept[r]] = r;
        }
        byteRow = new int[n + 1];
        epsRow = new int[n + 1];
        callRow = new int[n + 1];
        for (int[] e : b.bytes) {
            byteRow[e[0] + 1]++;
        }
        for (int[] e : b.eps) {
            epsRow[e[0] + 1]++;
        }
        for (int[] e : b.calls) {
            callRow[e[0] + 1]++;
        }
        for (int s = 0; s < n; s++) {
            byteRow[s + 1] += byteRow[s];
            epsRow[s + 1] += epsRow[s];
            callRow[s + 1] += callRow[s];
        }
        byteLo = new int[b.bytes.size()];
        byteHi = new int[b.bytes.size()];
        byteTo = new int[b.bytes.size()];
        int[] fill = java.util.Arrays.copyOf(byteRow, n);
        for (int[] e : b.bytes) {
            int i = fill[e[0]]++;
            byteLo[i] = e[1];
            byteHi[i] = e[2];
            byteTo[i] = e[3];
        }
        epsTo = new int[b.eps.size()];
        fill = java.util.Arrays.copyOf(epsRow, n);
        for (int[] e : b.eps) {
            epsTo[fill[e[0]]++] = e[1];
        }
        callRule = new int[b.calls.size()];
        callReturn = new int[b.calls.size()];
        fill = java.util.Arrays.copyOf(callRow, n);
        for (int[] e : b.calls) {
            int i = fill[e[0]]++;
            callRule[i] = e[1];
            callReturn[i] = e[2];
        }
    }

    static ByteNfa compile(Grammar g) {
        Builder b = new Builder(g);
        for (String name : g.rules().keySet()) {
            b.rule(name);
        }
        for (Map.Entry<String, Expr> e : g.rules().entrySet()) {
            int r = b.rule(e.getKey());
            int end = b.expr(e.getValue(), b.starts.get(r));
            b.eps.add(new int[] {end, b.accepts.get(r)});
        }
        ByteNfa nfa = new ByteNfa(b);
        new GrammarChecks(nfa).check();
        return nfa;
    }

    int numStates() {
        return acceptOf.length;
    }

    int root() {
        for (int r = 0; r < ruleNames.length; r++) {
            if (ruleNames[r].equals(Grammar.ROOT)) {
                return r;
            }
        }
        throw new IllegalStateException("no root rule");
    }

    boolean hasByteEdges(int s) {
        return byteRow[s + 1] > byteRow[s];
    }

    private static final class Builder {
        final Grammar grammar;
        final List<String> names = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();
        final List<Integer> starts = new ArrayList<>(), accepts = new ArrayList<>();
        final List<int[]> bytes = new ArrayList<>(), eps = new ArrayList<>(), calls = new ArrayList<>();
        int numStates;

        Builder(Grammar grammar) {
            this.grammar = grammar;
        }

        int rule(String name) {
            return index.computeIfAbsent(name, n -> {
                names.add(n);
                starts.add(state());
                accepts.add(state());
                return names.size() - 1;
            });
        }

        int state() {
            if (numStates == MAX_STATES) {
                throw new GrammarException(
                        "",
                        "the grammar is too large (over " + MAX_STATES
                                + " automaton states); lower its repetition counts or length limits");
            }
            return numStates++;
        }

        /** Adds the automaton of e starting at from; returns its end state. */
        int expr(Expr e, int from) {
            switch (e) {
                case Seq s -> {
                    int at = from;
                    for (Expr x : s.items()) {
                        at = expr(x, at);
                    }
                    return at;
                }
                case Alt a -> {
                    int end = state();
                    for (Expr x : a.options()) {
                        int start = state();
                        eps.add(new int[] {from, start});
                        eps.add(new int[] {expr(x, start), end});
                    }
                    return end;
                }
                case Repeat r -> {
                    int at = from;
                    for (int i = 0; i < r.min(); i++) {
                        at = expr(r.item(), at);
                    }
                    if (r.max() < 0) {
                        int loop = state();
                        eps.add(new int[] {at, loop});
                        eps.add(new int[] {expr(r.item(), loop), loop});
                        return loop;
                    }
                    int end = state();
                    for (int i = r.min(); i < r.max(); i++) {
                        eps.add(new int[] {at, end});
                        at = expr(r.item(), at);
                    }
                    eps.add(new int[] {at, end});
                    return end;
                }
                case Chars c -> {
                    int end = state();
                    for (int i = 0; i < c.ranges().length; i += 2) {
                        for (int[] seq : Utf8Ranges.sequences(c.ranges()[i], c.ranges()[i + 1])) {
                            int at = from;
                            for (int k = 0; k < seq.length; k += 2) {
                                int to = k + 2 == seq.length ? end : state();
                                bytes.add(new int[] {at, seq[k], seq[k + 1], to});
                                at = to;
                            }
                        }
                    }
                    return end;
                }
                case Ref ref -> {
                    int end = state();
                    calls.add(new int[] {from, rule(ref.name()), end});
                    return end;
                }
            }
        }
    }
}
