package dev.tandem.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar's byte automaton made deterministic as it is explored. A parse position is a stack of
 * frames (an automaton state and the frame to return to, shared and interned so that equal stacks
 * are one object); a configuration is the set of stacks the input so far allows, and it gets an
 * int id. Each configuration's step on a byte is computed once and then looked up in its table, so
 * walking the token trie is array reads once the grammar is warm. A configuration also carries its
 * token mask, computed once. When the tables grow past their bounds they are dropped and rebuilt
 * on demand; a {@link Config} held from before is re-interned ({@link #refresh}).
 */
final class GrammarAutomaton {
    static final int DEAD = -1;
    private static final int UNKNOWN = -2;
    private static final int MAX_CONFIGS = 200_000;
    private static final int MAX_FRAMES = 2_000_000;

    static final class Frame {
        final int state, id;
        final Frame parent;
        int stamp;

        Frame(int state, Frame parent, int id) {
            this.state = state;
            this.parent = parent;
            this.id = id;
        }
    }

    static final class Config {
        final int id, generation;
        final Frame[] frames;
        final boolean accepting;
        int[] next;
        long[] mask;

        Config(int id, int generation, Frame[] frames, boolean accepting) {
            this.id = id;
            this.generation = generation;
            this.frames = frames;
            this.accepting = accepting;
        }

        /** Nothing can follow: the only continuation is the end. */
        boolean finished() {
            return frames.length == 0;
        }
    }

    private record Key(int[] frameIds, boolean accepting) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.accepting == accepting && Arrays.equals(k.frameIds, frameIds);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(frameIds) * 2 + (accepting ? 1 : 0);
        }
    }

    private final ByteNfa nfa;
    private final Map<Long, Frame> frames = new HashMap<>();
    private final Map<Key, Config> index = new HashMap<>();
    private final List<Config> configs = new ArrayList<>();
    private int generation, stamp;
    private long maskWords;
    private final long maxMaskWords;

    GrammarAutomaton(ByteNfa nfa, long maxMaskBytes) {
        this.nfa = nfa;
        this.maxMaskWords = maxMaskBytes / 8;
    }

    Config start() {
        return closure(List.of(frame(nfa.ruleStart[nfa.root()], null)));
    }

    Config config(int id) {
        return configs.get(id);
    }

    /** The configuration after byte b (0..255), or DEAD. */
    int step(int configId, int b) {
        Config c = configs.get(configId);
        int[] next = c.next;
        if (next == null) {
            next = c.next = new int[256];
            Arrays.fill(next, UNKNOWN);
        }
        int to = next[b];
        if (to == UNKNOWN) {
            to = next[b] = computeStep(c, b);
        }
        return to;
    }

    /** The same configuration in the current tables (after a reset, it is interned anew). */
    Config refresh(Config c) {
        if (c.generation == generation) {
            return c;
        }
        Map<Frame, Frame> moved = new HashMap<>();
        Frame[] fs = new Frame[c.frames.length];
        for (int i = 0; i < fs.length; i++) {
            fs[i] = reintern(c.frames[i], moved);
        }
        Arrays.sort(fs, (x, y) -> Integer.compare(x.id, y.id));
        int[] ids = new int[fs.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = fs[i].id;
        }
        return intern(ids, fs, c.accepting);
    }

    /** Drops every table when they grew past their bounds; held configurations survive through refresh. */
    void trimIfLarge() {
        if (configs.size() > MAX_CONFIGS || frames.size() > MAX_FRAMES || maskWords > maxMaskWords) {
            frames.clear();
            index.clear();
            configs.clear();
            maskWords = 0;
            generation++;
        }
    }

    void storeMask(Config c, long[] mask) {
        c.mask = mask;
        maskWords += mask.length;
    }

    private Frame reintern(Frame f, Map<Frame, Frame> moved) {
        if (f == null) {
            return null;
        }
        Frame m = moved.get(f);
        if (m == null) {
            m = frame(f.state, reintern(f.parent, moved));
            moved.put(f, m);
        }
        return m;
    }

    private int computeStep(Config c, int b) {
        List<Frame> seeds = new ArrayList<>(2);
        for (Frame f : c.frames) {
            int s = f.state;
            for (int i = nfa.byteRow[s]; i < nfa.byteRow[s + 1]; i++) {
                if (b >= nfa.byteLo[i] && b <= nfa.byteHi[i]) {
                    seeds.add(frame(nfa.byteTo[i], f.parent));
                }
            }
        }
        if (seeds.isEmpty()) {
            return DEAD;
        }
        Config to = closure(seeds);
        return to.frames.length == 0 && !to.accepting ? DEAD : to.id;
    }

    /** Follows empty edges, calls and returns from the seeds to the frames that wait for a byte. */
    private Config closure(List<Frame> seeds) {
        int mark = ++stamp;
        ArrayDeque<Frame> work = new ArrayDeque<>(seeds);
        List<Frame> kernel = new ArrayList<>();
        boolean accepting = false;
        while (!work.isEmpty()) {
            Frame f = work.pop();
            if (f.stamp == mark) {
                continue;
            }
            f.stamp = mark;
            int s = f.state;
            if (nfa.hasByteEdges(s)) {
                kernel.add(f);
            }
            for (int i = nfa.epsRow[s]; i < nfa.epsRow[s + 1]; i++) {
                work.push(frame(nfa.epsTo[i], f.parent));
            }
            for (int i = nfa.callRow[s]; i < nfa.callRow[s + 1]; i++) {
                work.push(frame(nfa.ruleStart[nfa.callRule[i]], frame(nfa.callReturn[i], f.parent)));
            }
            if (nfa.acceptOf[s] >= 0) {
                if (f.parent == null) {
                    accepting = true;
                } else {
                    work.push(f.parent);
                }
            }
        }
        kernel.sort((x, y) -> Integer.compare(x.id, y.id));
        int[] ids = new int[kernel.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = kernel.get(i).id;
        }
        return intern(ids, kernel.toArray(Frame[]::new), accepting);
    }

    private Config intern(int[] ids, Frame[] fs, boolean accepting) {
        Key key = new Key(ids, accepting);
        Config c = index.get(key);
        if (c == null) {
            c = new Config(configs.size(), generation, fs, accepting);
            configs.add(c);
            index.put(key, c);
        }
        return c;
    }

    private Frame frame(int state, Frame parent) {
        long key = (long) state << 32 | (parent == null ? 0xFFFFFFFFL : parent.id);
        Frame f = frames.get(key);
        if (f == null) {
            f = new Frame(state, parent, frames.size());
            frames.put(key, f);
        }
        return f;
    }
}
