package dev.tandem.grammar;

import java.util.Arrays;

/**
 * Every token's bytes in one trie, its nodes numbered in depth-first order so that a node's
 * subtree is the run of nodes up to {@code subtreeEnd}: a walk that finds a byte the grammar
 * refuses skips the whole run at once. tokens[tokenRow[n] .. tokenRow[n+1]) are the ids whose
 * bytes end at node n.
 */
final class TokenTrie {
    final byte[] byteOf;
    final int[] parent, subtreeEnd, tokenRow, tokens;

    TokenTrie(TokenVocabulary vocab) {
        byte[][] bytes = vocab.tokenBytes();
        Integer[] order = java.util.stream.IntStream.range(0, bytes.length)
                .filter(i -> bytes[i] != null)
                .boxed()
                .toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        int capacity = 1;
        for (int id : order) {
            capacity += bytes[id].length;
        }
        byte[] byteOf = new byte[capacity];
        int[] parent = new int[capacity], end = new int[capacity], countAt = new int[capacity];
        int[] open = new int[1024]; // open[d]: the node at depth d on the current path
        int numNodes = 1, depth = 0;
        byte[] previous = new byte[0];
        tokens = new int[order.length];
        int t = 0;
        for (int id : order) {
            byte[] b = bytes[id];
            int common = 0;
            while (common < Math.min(b.length, previous.length) && common < depth && b[common] == previous[common]) {
                common++;
            }
            for (int d = depth; d > common; d--) {
                end[open[d]] = numNodes;
            }
            depth = common;
            for (int d = common; d < b.length; d++) {
                if (d + 1 >= open.length) {
                    open = Arrays.copyOf(open, open.length * 2);
                }
                byteOf[numNodes] = b[d];
                parent[numNodes] = open[d];
                open[d + 1] = numNodes++;
            }
            depth = b.length;
            countAt[open[depth]]++;
            tokens[t++] = id;
            previous = b;
        }
        for (int d = depth; d >= 0; d--) {
            end[open[d]] = numNodes;
        }
        this.byteOf = Arrays.copyOf(byteOf, numNodes);
        this.parent = Arrays.copyOf(parent, numNodes);
        this.subtreeEnd = Arrays.copyOf(end, numNodes);
        this.tokenRow = new int[numNodes + 1];
        for (int n = 0; n < numNodes; n++) {
            tokenRow[n + 1] = tokenRow[n] + countAt[n];
        }
    }

    int numNodes() {
        return byteOf.length;
    }
}
