package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Measures how fast this machine streams memory into the cores, with the same threads and vector
 * loads the kernels use: the roofline that decode speed is judged against (decode reads every
 * weight once per token).
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    /** Best-of-rounds read bandwidth in bytes/s over a buffer of the given size (well above the caches). */
    public static double readBytesPerSecond(ThreadTeam team, long bytes, int rounds) {
        try (Arena arena = Arena.ofShared()) {
            return readBytesPerSecond(team, arena.allocate(bytes, 64), rounds);
        }
    }

    /** The same over a given buffer (e.g. huge pages, to measure the memory the weights are in). */
    public static double readBytesPerSecond(ThreadTeam team, MemorySegment buffer, int rounds) {
        long bytes = buffer.byteSize();
        buffer.fill((byte) 1);
        int chunks = team.size() * 16;
        long perChunk = bytes / chunks / (F.vectorByteSize() * 4L) * (F.vectorByteSize() * 4L);
        float[] sink = new float[chunks];
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            team.run(chunks, (chunk, worker) -> sink[chunk] = sum(buffer, chunk * perChunk, perChunk));
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, perChunk * chunks / seconds);
        }
        float total = 0;
        for (float s : sink) {
            total += s;
        }
        if (Float.isNaN(total)) {
            throw new IllegalStateException("unreachable: keeps the sums alive");
        }
        return best;
    }

    private static float sum(MemorySegment s, long from, long length) {
        FloatVector a0 = FloatVector.zero(F),
                a1 = FloatVector.zero(F),
                a2 = FloatVector.zero(F),
                a3 = FloatVector.zero(F);
        long step = F.vectorByteSize();
        for (long o = from; o < from + length; o += 4 * step) {
            a0 = a0.add(Vectors.loadF32(s, o));
            a1 = a1.add(Vectors.loadF32(s, o + step));
            a2 = a2.add(Vectors.loadF32(s, o + 2 * step));
            a3 = a3.add(Vectors.loadF32(s, o + 3 * step));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
