package dev.tandem.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The peaks that `tandem bench decode` judges prefill against come from loops that really run: a
 * peak above what any core can issue (two vector units a cycle at 6 GHz) means the timed loop did
 * less work than it counts; one far below a slow core's means it counts less than it does.
 */
class ComputePeakTest {
    static final double GHZ = 1e9;

    @Test
    void f32PeakIsWhatTheVectorUnitsCanIssue() {
        Assumptions.assumeTrue(NativeBf16Rows.lanes() > 0, "no C kernels: " + NativeKernels.status());
        try (ThreadTeam team = new ThreadTeam(2)) {
            ComputePeak.Peak peak = ComputePeak.f32(team);
            double perThreadPerCycleAt6Ghz = peak.macsPerSecond() / team.size() / (6 * GHZ);
            assertTrue(perThreadPerCycleAt6Ghz <= 2 * NativeBf16Rows.lanes(), peak + " is above two FMAs a cycle");
            assertTrue(peak.macsPerSecond() / team.size() >= 1 * GHZ, peak + " is below one GMAC/s a thread");
        }
    }

    @Test
    void int8PeakIsWhatTheVectorUnitsCanIssue() {
        Assumptions.assumeTrue(NativeKernels.level() >= 1, "no AVX2 integer kernels: " + NativeKernels.status());
        try (ThreadTeam team = new ThreadTeam(2)) {
            ComputePeak.Peak peak = ComputePeak.int8(team);
            int bytes = NativeKernels.level() == 3 ? 64 : 32; // a vector's products, 512 or 256 bits
            assertTrue(
                    peak.macsPerSecond() / team.size() / (6 * GHZ) <= 2 * bytes,
                    peak + " is above two " + bytes + "-byte products a cycle");
            assertTrue(peak.macsPerSecond() / team.size() >= 1 * GHZ, peak + " is below one GMAC/s a thread");
        }
    }
}
