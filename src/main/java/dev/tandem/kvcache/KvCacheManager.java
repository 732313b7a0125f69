package dev.tandem.kvcache;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What the scheduler sees of the KV cache: per request, a block table that grows as tokens
 * arrive, with automatic prefix caching. A new request starts on the longest run of cached full
 * blocks matching its tokens (the chain hash of parent hash, block tokens and a model key,
 * confirmed token by token) and computes only the rest. At least one token is always left to
 * compute, so a shared block is never written: writers only touch blocks they alone hold.
 */
public final class KvCacheManager {
    private static final int[] NO_BLOCKS = new int[0];
    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;
    private final long modelKey;
    private final Map<String, RequestBlocks> requests = new HashMap<>();
    private long prefixQueries;
    private long prefixHits;

    private static final class RequestBlocks {
        int[] blocks = new int[8];
        int numBlocks;
        int numHashed;
        long lastHash;
    }

    public KvCacheManager(BlockPool pool, int blockSize, boolean prefixCaching, long modelKey) {
        this.pool = pool;
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        this.modelKey = modelKey;
    }

    public int blockSize() {
        return blockSize;
    }

    /** What the cache holds now, for gauges: blocks held by requests, all blocks, prefix-cache lookups and hits (tokens). */
    public record Usage(int blocksInUse, int blocksTotal, int blocksAllocatable, long prefixQueries, long prefixHits) {}

    public Usage usage() {
        return new Usage(pool.numInUse(), pool.numBlocks(), pool.numAllocatable(), prefixQueries, prefixHits);
    }

    /**
     * Whether more than spareBlocks blocks are free to take and enough of them for the request to
     * grow to totalTokens: the scheduler's lookahead for several decode steps only takes blocks
     * while every running sequence could still grow by one.
     */
    public boolean canAllocate(String requestId, int totalTokens, int spareBlocks) {
        int free = pool.numAllocatable();
        return free > spareBlocks && free >= blocksFor(totalTokens) - request(requestId).numBlocks;
    }

    /**
     * Gives a new request blocks for its cached prefix (reused) plus the tokens it computes now:
     * up to {@code tokenBudget} of the rest of its {@code numTokens} tokens. Returns the number
     * of tokens already in the cache, or -1 (and changes nothing) when the pool has too few blocks.
     * Without readCache the whole prompt is computed (its logprobs are wanted), and still cached.
     */
    public int admit(String requestId, int[] tokens, int numTokens, int tokenBudget) {
        return admit(requestId, tokens, numTokens, tokenBudget, true);
    }

    public int admit(String requestId, int[] tokens, int numTokens, int tokenBudget, boolean readCache) {
        if (requests.containsKey(requestId)) {
            throw new IllegalStateException("request " + requestId + " already holds blocks");
        }
        int[] hits = new int[Math.max(0, (numTokens - 1) / blockSize)];
        int numHits = 0;
        long hash = modelKey;
        if (prefixCaching && readCache) {
            for (; numHits < hits.length; numHits++) {
                long h = chain(hash, tokens, numHits * blockSize);
                int b = pool.lookup(h, tokens, numHits * blockSize, blockSize);
                if (b < 0) {
                    break;
                }
                hits[numHits] = b;
                hash = h;
            }
            prefixQueries += numTokens;
            prefixHits += (long) numHits * blockSize;
        }
        int cachedTokens = numHits * blockSize;
        int numNewTokens = Math.min(numTokens - cachedTokens, tokenBudget);
        int needed = blocksFor(cachedTokens + numNewTokens) - numHits;
        int hitsInQueue = 0;
        for (int i = 0; i < numHits; i++) {
            if (pool.refCount(hits[i]) == 0) {
                hitsInQueue++;
            }
        }
        if (pool.numAllocatable() - hitsInQueue < needed) {
            return -1;
        }
        RequestBlocks r = new RequestBlocks();
        for (int i = 0; i < numHits; i++) {
            pool.share(hits[i]);
            add(r, hits[i]);
        }
        r.numHashed = numHits;
        r.lastHash = hash;
        for (int i = 0; i < needed; i++) {
            add(r, pool.allocate());
        }
        requests.put(requestId, r);
        return cachedTokens;
    }

    /** Makes room for {@code totalTokens} tokens; false (and no change) when the pool has too few blocks. */
    public boolean allocate(String requestId, int totalTokens) {
        RequestBlocks r = request(requestId);
        int needed = blocksFor(totalTokens) - r.numBlocks;
        if (needed <= 0) {
            return true;
        }
        if (pool.numAllocatable() < needed) {
            return false;
        }
        for (int i = 0; i < needed; i++) {
            add(r, pool.allocate());
        }
        return true;
    }

    /** After a step: offers every block that is now full of computed tokens to the prefix cache. */
    public void cacheComputed(String requestId, int[] tokens, int numComputedTokens) {
        if (!prefixCaching) {
            return;
        }
        RequestBlocks r = request(requestId);
        while ((r.numHashed + 1) * blockSize <= numComputedTokens) {
            int from = r.numHashed * blockSize;
            long h = chain(r.lastHash, tokens, from);
            pool.cacheFull(r.blocks[r.numHashed], h, tokens, from, blockSize);
            r.lastHash = h;
            r.numHashed++;
        }
    }

    /** Returns the request's blocks, tail first so the tail is evicted first. */
    public void free(String requestId) {
        RequestBlocks r = requests.remove(requestId);
        if (r == null) {
            return;
        }
        for (int i = r.numBlocks - 1; i >= 0; i--) {
            pool.release(r.blocks[i]);
        }
    }

    /** The request's blocks from logical block {@code from} on: what a shard that has the first ones is sent. */
    public int[] blocksFrom(String requestId, int from) {
        RequestBlocks r = request(requestId);
        // Most decode steps bring no new block: no array for them.
        return from >= r.numBlocks ? NO_BLOCKS : Arrays.copyOfRange(r.blocks, from, r.numBlocks);
    }

    private RequestBlocks request(String requestId) {
        RequestBlocks r = requests.get(requestId);
        if (r == null) {
            throw new IllegalStateException("request " + requestId + " holds no blocks");
        }
        return r;
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    private static void add(RequestBlocks r, int block) {
        if (r.numBlocks == r.blocks.length) {
            r.blocks = Arrays.copyOf(r.blocks, r.numBlocks * 2);
        }
        r.blocks[r.numBlocks++] = block;
    }

    /** Chain hash of one block: the parent's hash and the block's token ids (splitmix64 finaliser). */
    private long chain(long parent, int[] tokens, int from) {
        long h = parent ^ 0x9E3779B97F4A7C15L;
        for (int i = from; i < from + blockSize; i++) {
            h = (h ^ tokens[i]) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
