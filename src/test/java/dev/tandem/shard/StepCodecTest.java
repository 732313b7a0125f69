package dev.tandem.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.request.SamplingParams;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepCodecTest {
    static SamplingParams params(Random r) {
        return SamplingParams.builder()
                .temperature(r.nextFloat() * 2)
                .topP(0.5f + r.nextFloat() / 2)
                .topK(r.nextInt(50))
                .minP(r.nextFloat() / 2)
                .seed(r.nextBoolean() ? OptionalLong.of(r.nextLong()) : OptionalLong.empty())
                .presencePenalty(r.nextFloat())
                .frequencyPenalty(-r.nextFloat())
                .repetitionPenalty(1 + r.nextFloat())
                .logitBias(r.nextBoolean() ? Map.of(r.nextInt(100), -3.5f) : Map.of())
                .maxTokens(100)
                .minTokens(r.nextInt(5))
                .ignoreEos(r.nextBoolean())
                .stopTokenIds(List.of(r.nextInt(1000)))
                .stopStrings(r.nextBoolean() ? List.of("stop", "ünï😀") : List.of())
                .build();
    }

    @Test
    void batchesAndTokensSurviveTheWire() throws IOException {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            List<SequenceStep> steps = new ArrayList<>();
            for (int i = 0; i < r.nextInt(5); i++) {
                NewRequest fresh = r.nextBoolean()
                        ? null
                        : new NewRequest(
                                "req-" + i,
                                r.ints(r.nextInt(20), 0, 5000).toArray(),
                                r.ints(r.nextInt(5), 0, 5000).toArray(),
                                params(r),
                                r.nextInt(3) - 1,
                                r.nextInt(4) - 1);
                steps.add(new SequenceStep(
                        "req-" + i,
                        r.nextInt(500),
                        1 + r.nextInt(30),
                        r.ints(r.nextInt(8), 0, 100).toArray(),
                        r.nextInt(9),
                        fresh));
            }
            StepBatch batch = new StepBatch(
                    r.nextBoolean() ? StepKind.PREFILL : StepKind.DECODE,
                    steps,
                    r.nextBoolean() ? List.of("gone-1", "gone-2") : List.of());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StepCodec.writeBatch(new DataOutputStream(bytes), batch);
            StepBatch back = StepCodec.readBatch(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(batch.kind(), back.kind());
            assertEquals(batch.finishedRequestIds(), back.finishedRequestIds());
            assertEquals(steps.size(), back.sequences().size());
            for (int i = 0; i < steps.size(); i++) {
                SequenceStep a = steps.get(i), b = back.sequences().get(i);
                assertEquals(a.requestId(), b.requestId());
                assertEquals(a.startPosition(), b.startPosition());
                assertEquals(a.numTokens(), b.numTokens());
                assertArrayEquals(a.newBlocks(), b.newBlocks());
                assertEquals(a.numSamples(), b.numSamples());
                assertEquals(a.newRequest() == null, b.newRequest() == null);
                if (a.newRequest() != null) {
                    assertArrayEquals(
                            a.newRequest().promptTokens(), b.newRequest().promptTokens());
                    assertArrayEquals(
                            a.newRequest().outputTokens(), b.newRequest().outputTokens());
                    assertEquals(
                            a.newRequest().params(),
                            b.newRequest().params(),
                            "sampling params are records: equal field by field");
                    assertEquals(a.newRequest().numTopLogprobs(), b.newRequest().numTopLogprobs());
                    assertEquals(
                            a.newRequest().numPromptLogprobs(), b.newRequest().numPromptLogprobs());
                }
            }
            List<SampledToken> tokens = List.of(
                    new SampledToken("a", 7, -0.25f, null, null),
                    new SampledToken("b", 9, -1.5f, new int[] {9, 3}, new float[] {-1.5f, -2f}),
                    SampledToken.notComputed("a"));
            ByteArrayOutputStream t = new ByteArrayOutputStream();
            StepCodec.writeTokens(new DataOutputStream(t), tokens);
            List<SampledToken> tb =
                    StepCodec.readTokens(new DataInputStream(new ByteArrayInputStream(t.toByteArray())));
            assertEquals(7, tb.get(0).token());
            assertTrue(tb.get(0).topTokens() == null);
            assertArrayEquals(new int[] {9, 3}, tb.get(1).topTokens());
            assertArrayEquals(new float[] {-1.5f, -2f}, tb.get(1).topLogprobs());
            assertTrue(
                    tb.get(0).isComputed() && !tb.get(2).isComputed(),
                    "a sample a cut-short step skipped stays skipped");
        }
    }

    @Test
    void foreignOrCorruptBytesAreRefused() {
        assertThrows(
                IOException.class,
                () -> StepCodec.readBatch(
                        new DataInputStream(new ByteArrayInputStream("GET / HTTP/1.1\r\n\r\n".getBytes()))));
        byte[] corrupt = {0x54, 0x4E, 0x44, 0x4D, 0, 1, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(
                IOException.class, () -> StepCodec.readBatch(new DataInputStream(new ByteArrayInputStream(corrupt))));
    }
}
