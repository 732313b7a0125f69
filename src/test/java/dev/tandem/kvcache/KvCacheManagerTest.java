package dev.tandem.kvcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KvCacheManagerTest {
    static final int BS = 4;

    /** A request as the test drives it: its tokens and how many of them its KV holds. */
    static final class Req {
        final String id;
        int[] tokens;
        int computed;

        Req(String id, int[] tokens) {
            this.id = id;
            this.tokens = tokens;
        }
    }

    @Test
    void prefixHitReusesBlocksAndComputesOnlyTheRest() {
        BlockPool pool = new BlockPool(16);
        KvCacheManager kv = new KvCacheManager(pool, BS, true, 7);
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(0, kv.admit("a", a, a.length, a.length));
        kv.cacheComputed("a", a, a.length);
        kv.free("a");
        assertEquals(2, pool.numCached(), "two full blocks stay cached after the request ends");
        int[] b = {1, 2, 3, 4, 5, 6, 7, 8, 99};
        assertEquals(8, kv.admit("b", b, b.length, 1), "both full blocks are reused");
        assertEquals(0, pool.numCached());
        int[] c = {1, 2, 3, 4, 5, 6, 7, 8};
        assertEquals(4, kv.admit("c", c, c.length, 4), "one token is always left to compute");
        assertEquals(kv.blocksFrom("b", 0)[0], kv.blocksFrom("c", 0)[0], "shared first block");
        assertEquals(2, pool.refCount(kv.blocksFrom("b", 0)[0]));
        KvCacheManager off = new KvCacheManager(new BlockPool(16), BS, false, 7);
        off.admit("a", a, a.length, a.length);
        off.cacheComputed("a", a, a.length);
        off.free("a");
        assertEquals(0, off.admit("b", b, b.length, b.length), "prefix caching switched off");
    }

    @Test
    void otherModelKeyNeverHits() {
        BlockPool pool = new BlockPool(8);
        KvCacheManager m1 = new KvCacheManager(pool, BS, true, 1);
        KvCacheManager m2 = new KvCacheManager(pool, BS, true, 2);
        int[] t = {1, 2, 3, 4, 5};
        m1.admit("a", t, t.length, t.length);
        m1.cacheComputed("a", t, t.length);
        m1.free("a");
        assertEquals(0, m2.admit("b", t, t.length, t.length));
    }

    @Test
    void evictsLeastRecentlyUsedCachedBlocksWhenFull() {
        BlockPool pool = new BlockPool(4);
        KvCacheManager kv = new KvCacheManager(pool, BS, true, 0);
        int[] a = {1, 1, 1, 1, 2};
        int[] b = {3, 3, 3, 3, 4};
        kv.admit("a", a, a.length, a.length);
        kv.cacheComputed("a", a, a.length);
        kv.free("a");
        kv.admit("b", b, b.length, b.length);
        kv.cacheComputed("b", b, b.length);
        kv.free("b");
        assertEquals(2, pool.numCached());
        int[] big = {9, 9, 9, 9, 9, 9, 9, 9, 9};
        assertEquals(0, kv.admit("big", big, big.length, 9), "needs 3 blocks: 2 free + evict the oldest cached");
        kv.free("big");
        assertEquals(4, kv.admit("b2", b, b.length, 1), "b's block, freed later, survived");
        assertEquals(-1, kv.admit("huge", new int[40], 40, 40), "too big: refused without change");
        assertEquals(2, kv.blocksFrom("b2", 0).length, "b2 holds the cached block and one for its next token");
    }

    @Test
    void thousandsOfRandomOperationsKeepTheAccountsAndNeverServeWrongKv() {
        Random random = new Random(11);
        int numBlocks = 24;
        BlockPool pool = new BlockPool(numBlocks);
        KvCacheManager kv = new KvCacheManager(pool, BS, true, 3);
        int[][] shadow = new int[numBlocks][BS]; // what each block's KV slots hold: the token written there
        List<Req> live = new ArrayList<>();
        int[][] prefixes = {{5, 6, 7, 8, 1, 2, 3, 4}, {9, 9, 9, 9}, {1, 2, 3, 4, 5, 6}};
        int next = 0;
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 3 || live.isEmpty()) {
                int[] prefix = prefixes[random.nextInt(prefixes.length)];
                int len = 1 + random.nextInt(20);
                int[] tokens = new int[len];
                for (int i = 0; i < len; i++) {
                    tokens[i] = i < prefix.length && random.nextBoolean() ? prefix[i] : random.nextInt(3);
                }
                Req r = new Req("r" + next++, tokens);
                int cached = kv.admit(r.id, tokens, len, len);
                if (cached >= 0) {
                    int[] table = kv.blocksFrom(r.id, 0);
                    for (int p = 0; p < cached; p++) {
                        assertEquals(
                                tokens[p], shadow[table[p / BS]][p % BS], "cached KV must be this request's tokens");
                    }
                    r.computed = cached;
                    compute(pool, kv, r, len, shadow);
                    live.add(r);
                }
            } else if (op < 7) {
                Req r = live.get(random.nextInt(live.size()));
                int len = r.tokens.length + 1;
                if (kv.allocate(r.id, len)) {
                    r.tokens = java.util.Arrays.copyOf(r.tokens, len);
                    r.tokens[len - 1] = random.nextInt(3);
                    compute(pool, kv, r, len, shadow);
                }
            } else {
                // finish, abort and preempt all return the blocks; a preempted request recomputes later
                Req r = live.remove(random.nextInt(live.size()));
                kv.free(r.id);
            }
            checkAccounts(pool, kv, live, numBlocks);
        }
        for (Req r : live) {
            kv.free(r.id);
        }
        assertEquals(numBlocks, pool.numAllocatable());
        assertTrue(kv.usage().prefixHits() > 0, "the workload exercised prefix hits");
    }

    /** Writes tokens [computed, upTo) into the request's blocks: only blocks it alone holds. */
    static void compute(BlockPool pool, KvCacheManager kv, Req r, int upTo, int[][] shadow) {
        int[] table = kv.blocksFrom(r.id, 0);
        for (int b = r.computed / BS; b < table.length; b++) {
            assertEquals(1, pool.refCount(table[b]), "no block is shared by two writers");
        }
        for (int p = r.computed; p < upTo; p++) {
            shadow[table[p / BS]][p % BS] = r.tokens[p];
        }
        r.computed = upTo;
        kv.cacheComputed(r.id, r.tokens, r.computed);
    }

    static void checkAccounts(BlockPool pool, KvCacheManager kv, List<Req> live, int numBlocks) {
        Map<Integer, Integer> refs = new HashMap<>();
        for (Req r : live) {
            for (int b : kv.blocksFrom(r.id, 0)) {
                refs.merge(b, 1, Integer::sum);
            }
        }
        int inUse = 0, cached = 0, free = 0;
        for (int b = 0; b < numBlocks; b++) {
            assertEquals(refs.getOrDefault(b, 0), pool.refCount(b), "refcount of block " + b);
            if (pool.refCount(b) > 0) {
                inUse++;
            } else if (pool.isCachedFull(b)) {
                cached++;
            } else {
                free++;
            }
        }
        assertArrayEquals(
                new int[] {free, cached, inUse},
                new int[] {pool.numAllocatable() - pool.numCached(), pool.numCached(), pool.numInUse()});
        assertEquals(numBlocks, free + cached + inUse);
    }
}
