package dev.tandem.kvcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockTableTest {
    @Test
    void growsOneBlockAtATimeAndReturnsEveryBlock() {
        BlockPool pool = new BlockPool(5);
        BlockTable a = new BlockTable(16);
        BlockTable b = new BlockTable(16);
        assertTrue(a.ensureCapacity(1, pool));
        assertEquals(1, a.numBlocks());
        assertTrue(a.ensureCapacity(16, pool));
        assertEquals(1, a.numBlocks(), "16 tokens still fit one block");
        assertTrue(a.ensureCapacity(17, pool));
        assertEquals(2, a.numBlocks());
        assertTrue(b.ensureCapacity(48, pool));
        assertFalse(b.ensureCapacity(49, pool), "pool exhausted");
        assertEquals(3, b.numBlocks(), "a failed grow changes nothing");
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < a.numBlocks(); i++) used.add(a.blocks()[i]);
        for (int i = 0; i < b.numBlocks(); i++) used.add(b.blocks()[i]);
        assertEquals(5, used.size(), "no block is in two tables");
        a.releaseAll(pool);
        b.releaseAll(pool);
        assertEquals(5, pool.numFree());
    }
}
