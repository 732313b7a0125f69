package dev.tandem.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The C bf16 batch kernel (NativeBf16Rows) against a scalar reference, on AMX tiles and at both
 * vector widths: row counts that leave a partial tile, rows longer than one widening step (256
 * columns), columns that are and are not a multiple of the tiles' 32, weights at any offset in
 * their cache line, token counts that leave a
 * partial vector, bias and accumulation, rows split across threads (for AMX only the largest
 * shape: smaller ones run on the calling thread alone).
 */
class NativeBf16RowsTest {
    @AfterEach
    void restoreTheProcessKernels() {
        NativeBf16Rows.useDefaults();
    }

    @ParameterizedTest
    @ValueSource(strings = {"amx", "16", "8"})
    void matchesScalarReference(String kernel) {
        Assumptions.assumeTrue(
                java.nio.file.Files.exists(java.nio.file.Path.of("target/native/libtandem_kernels.so")),
                "no C compiler at build time");
        assertTrue(NativeKernels.available(), NativeKernels.status());
        boolean amx = kernel.equals("amx");
        int lanes = amx ? 16 : Integer.parseInt(kernel);
        Assumptions.assumeTrue(NativeBf16Rows.useAmx(amx) == amx, "the CPU has no AMX, or Linux did not grant it");
        Assumptions.assumeTrue(NativeBf16Rows.useLanes(lanes) == lanes, "the CPU has no " + lanes + "-lane kernel");
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            Matmul matmul = new Matmul(team);
            for (int[] shape : new int[][] {{77, 128}, {40, 520}, {64, 300}, {45, 544}, {160, 64}, {2056, 512}}) {
                int rows = shape[0], cols = shape[1];
                WeightMatrix packed =
                        KernelsTest.matrix(arena, KernelsTest.randoms(rows * cols), rows, cols, TensorFormat.BF16);
                float[] bias = KernelsTest.randoms(rows);
                // Where a checkpoint puts a tensor in its cache line: the AMX kernel shifts its steps to match.
                for (int offset : new int[] {0, 32, 6}) {
                    WeightMatrix w = at(arena, packed, offset);
                    for (int tokens : new int[] {lanes / 2, lanes, lanes + 3, 3 * lanes + 1}) {
                        KernelsTest.assertMatmulMatchesReference(
                                matmul, w, bias, tokens, kernel + ", offset " + offset);
                    }
                }
            }
        }
    }

    /** A copy of w that starts offset bytes into a cache line. */
    private static WeightMatrix at(Arena arena, WeightMatrix w, int offset) {
        MemorySegment data = arena.allocate(w.data().byteSize() + 64, 64)
                .asSlice(offset, w.data().byteSize());
        data.copyFrom(w.data());
        return new WeightMatrix(data, w.format(), w.rows(), w.cols());
    }
}
