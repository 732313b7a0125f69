package dev.tandem.shard;

import dev.tandem.shm.KvArena;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Cuts a multi-step decode short. While every running sequence decodes, the decode shard runs
 * several rounds per step; a request that arrives (or is aborted) meanwhile should not wait for
 * all of them. The server raises this flag, the shard reads it between rounds and returns after
 * the round it is in, and the scheduler clears it when it plans the next step. It is a word in
 * the KV arena's signals, so a shard process sees the server's write at once, without a message.
 */
public final class DecodeInterrupt {
    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();
    private final MemorySegment word;

    private DecodeInterrupt(MemorySegment word) {
        this.word = word;
    }

    /** The flag in this arena: the same word for the server and every shard that maps it. */
    public static DecodeInterrupt of(KvArena arena) {
        return new DecodeInterrupt(arena.signals());
    }

    /** A flag of this process alone (a scheduler or shard without a shared arena, tests). */
    public static DecodeInterrupt local() {
        return new DecodeInterrupt(Arena.ofAuto().allocate(ValueLayout.JAVA_INT));
    }

    /** Asks the decode step in flight, if any, to stop after its current round; from any thread. */
    public void raise() {
        WORD.setVolatile(word, 0L, 1);
    }

    public void clear() {
        WORD.setVolatile(word, 0L, 0);
    }

    public boolean isRaised() {
        return (int) WORD.getVolatile(word, 0L) != 0;
    }
}
