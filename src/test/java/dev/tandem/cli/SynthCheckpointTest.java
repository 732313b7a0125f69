package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelShape;
import dev.tandem.model.SyntheticCheckpoint;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.tokenizer.SyntheticTokenizer;
import dev.tandem.tokenizer.TextTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic checkpoints load like real ones, and their tokenizer has exactly the model's vocabulary. */
class SynthCheckpointTest {
    @Test
    void tinyQwen3ShapeLoadsRunsAndTokenizes(@TempDir Path dir) throws Exception {
        ModelShape tiny = new ModelShape(
                "tiny-qwen3", "Qwen3ForCausalLM", 1000, 64, 128, 2, 4, 2, 32, 1e6, true, false, 256, 1e-6, 0);
        SyntheticCheckpoint.write(tiny, dir, 5);
        SyntheticTokenizer.write(dir, tiny.vocab());
        try (Checkpoint ckpt = Checkpoint.open(dir);
                TextTokenizer tok = TextTokenizer.load(dir);
                ModelRunner r = new ModelRunner(ckpt, new RunnerSettings(16, 16, 32, 1, 2))) {
            assertEquals(999, tok.singleId("<|im_end|>"), "specials take the last ids");
            String text = "Hello world, synthetic tokenizers encode anything: ünïcode 😀";
            int[] ids = tok.encode(text, true);
            assertEquals(text, tok.decode(ids, false));
            for (int id : ids) {
                assertTrue(id >= 0 && id < tiny.vocab());
            }
            int[] table = r.reversedBlockTable(ids.length);
            float[] logits = r.feed(table, ids, 0, ids.length, false);
            for (int i = 0; i < tiny.vocab(); i++) {
                assertTrue(Float.isFinite(logits[i]), "logit " + i);
            }
        }
        assertArrayEquals(new Object[] {"llama-3.2-1b", 2048, 16}, new Object[] {
            ModelShape.named("llama-3.2-1b").name(),
            ModelShape.named("llama-3.2-1b").hidden(),
            ModelShape.named("llama-3.2-1b").layers()
        });
    }
}
