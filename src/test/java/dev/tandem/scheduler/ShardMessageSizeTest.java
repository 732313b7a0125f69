package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.SamplingParams;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.SequenceStep;
import dev.tandem.shard.Shard;
import dev.tandem.shard.StepBatch;
import dev.tandem.shard.StepCodec;
import dev.tandem.shard.StepKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What crosses the socket per step at 16 sequences of 4k context: each step is a diff (a request
 * in full once, then new blocks only), so a decode step's message does not grow with the context.
 * The shard here only encodes the steps (as a process shard's client does) and answers a token per
 * sample; the figures are printed for documentation/benchmarks.md.
 */
class ShardMessageSizeTest {
    static final int SEQUENCES = 16, PROMPT = 4096, OUTPUT = 48, BLOCK = 16;

    /** Encodes every step, keeping the sizes of the steps in which every sequence decodes and none is new to the shard. */
    static final class EncodingShard implements Shard {
        final List<Integer> decodeStepBytes = new ArrayList<>();
        long prefillBytes;

        @Override
        public List<SampledToken> execute(StepBatch batch) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                StepCodec.writeBatch(new DataOutputStream(bytes), batch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean steady = batch.sequences().stream().allMatch(s -> s.newRequest() == null);
            if (batch.kind() == StepKind.DECODE && batch.sequences().size() == SEQUENCES && steady) {
                decodeStepBytes.add(bytes.size());
            } else {
                prefillBytes += bytes.size();
            }
            List<SampledToken> out = new ArrayList<>();
            for (SequenceStep s : batch.sequences()) {
                for (int j = 0; j < s.numSamples(); j++) {
                    out.add(new SampledToken(s.requestId(), 100 + j, Float.NaN, null, null));
                }
            }
            return out;
        }

        @Override
        public String describe() {
            return "encoding shard";
        }

        @Override
        public void close() {}
    }

    @Test
    void aDecodeStepCarriesNoBlockTablesAndDoesNotGrowWithTheContext() {
        EncodingShard shard = new EncodingShard();
        int blocksPerSequence = (PROMPT + OUTPUT) / BLOCK + 1;
        KvCacheManager kv = new KvCacheManager(new BlockPool(SEQUENCES * blocksPerSequence + 8), BLOCK, false, 1);
        Scheduler scheduler = new ContinuousBatchingScheduler(
                new SchedulerConfig(8192, SEQUENCES, PROMPT + OUTPUT + 16), kv, shard, shard, StepListener.NONE);
        Random r = new Random(3);
        for (int i = 0; i < SEQUENCES; i++) {
            scheduler.add(new Sequence(
                    "chatcmpl-" + Long.toHexString(r.nextLong()) + "-0",
                    r.ints(PROMPT, 0, 30000).toArray(),
                    SamplingParams.builder()
                            .temperature(0f)
                            .maxTokens(OUTPUT)
                            .ignoreEos(true)
                            .build(),
                    List.of(2),
                    -1));
        }
        while (scheduler.hasWork()) {
            DemoRunner.step(scheduler);
        }
        List<Integer> decode = shard.decodeStepBytes;
        assertTrue(decode.size() >= OUTPUT / 2, "steady decode steps were measured: " + decode.size());
        double mean = decode.stream().mapToInt(Integer::intValue).average().orElseThrow();
        int max = decode.stream().mapToInt(Integer::intValue).max().orElseThrow();
        System.out.printf(
                "shard messages at %d sequences x %d tokens of context: decode step %.0f bytes mean, %d max"
                        + " (%.1f per sequence); first sight of each request and prefill steps %d bytes in all%n",
                SEQUENCES, PROMPT, mean, max, mean / SEQUENCES, shard.prefillBytes);
        // id (2 + 26 bytes), start, count, an empty block list, samples, a flag: 45 bytes a sequence;
        // a step that brings a new block adds 4 bytes for it. A whole 4k block table alone is 1 KiB.
        assertTrue(max <= 16 + SEQUENCES * (45 + 4), "largest decode step: " + max + " bytes");
        assertEquals(0, kv.usage().blocksInUse(), "every block is back");
    }
}
