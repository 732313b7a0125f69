package dev.tandem.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.model.Checkpoint;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The warm-up runs its prefills and decode steps (of 1, 4 and 16 sequences) to the end within a
 * generous budget, and none when turned off. (That it never touches the shared arena is proven by
 * the shard fault tests: a decode shard restarted mid-stream warms up, and the streams still end
 * with the text they would have had.)
 */
class KernelWarmUpTest {
    @Test
    void runsAllItsPassesAndNoneWhenOff() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Path.of("models/demo-llama-6m"))) {
            assertEquals(KernelWarmUp.PASSES, KernelWarmUp.run(ckpt, 16, 2, Duration.ofSeconds(60)));
            assertEquals(0, KernelWarmUp.run(ckpt, 16, 2, Duration.ZERO));
        }
    }
}
