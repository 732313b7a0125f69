package dev.tandem.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.device.Backend;
import dev.tandem.device.DeviceKind;
import dev.tandem.device.Placement;
import dev.tandem.device.ShardRole;
import org.junit.jupiter.api.Test;

/** How the shards' placement decides their priority and whether their steps overlap. */
class ShardSetTest {
    private static final Placement PREFILL_CPU =
            new Placement(ShardRole.PREFILL, DeviceKind.CPU, Backend.CPU, "cpu", "");
    private static final Placement DECODE_CPU = new Placement(ShardRole.DECODE, DeviceKind.CPU, Backend.CPU, "cpu", "");
    private static final Placement PREFILL_NPU =
            new Placement(ShardRole.PREFILL, DeviceKind.NPU, Backend.OPENVINO, "NPU", "");
    private static final Placement DECODE_GPU =
            new Placement(ShardRole.DECODE, DeviceKind.GPU, Backend.OPENVINO, "GPU", "");

    @Test
    void stepsOverlapOnDevicesOfTheirOwnAndOnASharedCpuOnlyWhenAsked() {
        assertFalse(ShardSet.overlapSteps(PREFILL_CPU, DECODE_CPU, false));
        assertTrue(ShardSet.overlapSteps(PREFILL_CPU, DECODE_CPU, true));
        assertTrue(ShardSet.overlapSteps(PREFILL_NPU, DECODE_GPU, false));
        assertTrue(
                ShardSet.overlapSteps(PREFILL_NPU, DECODE_CPU, false),
                "one shard on the CPU does not share its cores with an NPU");
    }

    @Test
    void theDecodeShardYieldsOnlyASharedCpu() {
        assertEquals(8, ShardSet.decodeNice(PREFILL_CPU, DECODE_CPU, 8));
        assertEquals(0, ShardSet.decodeNice(PREFILL_NPU, DECODE_GPU, 8));
        assertEquals(0, ShardSet.decodeNice(PREFILL_NPU, DECODE_CPU, 8));
        assertThrows(IllegalArgumentException.class, () -> ShardSet.decodeNice(PREFILL_CPU, DECODE_CPU, 20));
    }
}
