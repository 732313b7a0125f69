package dev.tandem.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.request.SamplingParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplerTest {
    /** logits = ln(1..4), so softmax gives exactly 0.1, 0.2, 0.3, 0.4. */
    static float[] logits() {
        return new float[] {(float) Math.log(1), (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
    }

    static SamplingParams params(float temperature, float topP, int topK, float minP, long seed) {
        return SamplingParams.builder()
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .minP(minP)
                .seed(seed)
                .maxTokens(100)
                .build();
    }

    static float[] keptDistribution(SamplingParams p) {
        Sampler s = new Sampler(4);
        s.sample(logits(), 0, new SequenceSampling(p, 4, new int[0]), List.of());
        float[] kept = new float[4];
        float total = 0;
        for (int i = 0; i < 4; i++) {
            total += s.probability(i);
        }
        for (int i = 0; i < 4; i++) {
            kept[i] = s.probability(i) / total;
        }
        return kept;
    }

    @Test
    void temperatureSharpensTheDistribution() {
        // T = 0.5 squares the probabilities: 1,4,9,16 over 30.
        assertArrayEquals(
                new float[] {1 / 30f, 4 / 30f, 9 / 30f, 16 / 30f}, keptDistribution(params(0.5f, 1f, 0, 0f, 1)), 1e-6f);
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, keptDistribution(params(1f, 1f, 0, 0f, 1)), 1e-6f);
    }

    @Test
    void topKKeepsTheKMostProbable() {
        assertArrayEquals(new float[] {0f, 0f, 3 / 7f, 4 / 7f}, keptDistribution(params(1f, 1f, 2, 0f, 1)), 1e-6f);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        // 0.4 alone is < 0.5; 0.4 + 0.3 reaches it.
        assertArrayEquals(new float[] {0f, 0f, 3 / 7f, 4 / 7f}, keptDistribution(params(1f, 0.5f, 0, 0f, 1)), 1e-6f);
        assertArrayEquals(new float[] {0f, 0f, 0f, 1f}, keptDistribution(params(1f, 0.4f, 0, 0f, 1)), 1e-6f);
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheTop() {
        // threshold 0.6 * 0.4 = 0.24: only 0.3 and 0.4 stay.
        assertArrayEquals(new float[] {0f, 0f, 3 / 7f, 4 / 7f}, keptDistribution(params(1f, 1f, 0, 0.6f, 1)), 1e-6f);
    }

    @Test
    void drawsFollowTheDistribution() {
        Sampler s = new Sampler(4);
        SequenceSampling seq = new SequenceSampling(params(1f, 1f, 0, 0f, 7), 4, new int[0]);
        int[] counts = new int[4];
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            int token = s.sample(logits(), 0, seq, List.of());
            seq.accept(token);
            counts[token]++;
        }
        for (int i = 0; i < 4; i++) {
            assertEquals((i + 1) / 10.0, counts[i] / (double) n, 0.01, "token " + i);
        }
    }

    @Test
    void aSeedReproducesTheSameTokens() {
        int[] a = draws(123), b = draws(123), c = draws(124);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    static int[] draws(long seed) {
        Sampler s = new Sampler(4);
        SequenceSampling seq = new SequenceSampling(params(1f, 1f, 0, 0f, seed), 4, new int[0]);
        int[] out = new int[32];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(logits(), 0, seq, List.of());
            seq.accept(out[i]);
        }
        return out;
    }

    @Test
    void greedyTakesTheArgmaxAndBiasCanOverrideIt() {
        Sampler s = new Sampler(4);
        assertEquals(
                3, s.sample(logits(), 0, new SequenceSampling(SamplingParams.greedy(5), 4, new int[0]), List.of()));
        SamplingParams biased = SamplingParams.builder()
                .temperature(0f)
                .logitBias(Map.of(0, 10f))
                .maxTokens(5)
                .build();
        assertEquals(0, s.sample(logits(), 0, new SequenceSampling(biased, 4, new int[0]), List.of()));
    }

    @Test
    void penaltiesAsVllmDefinesThem() {
        float[] l = {2f, -1f, 3f, 0.5f};
        TokenCounts counts = new TokenCounts(4);
        counts.addPrompt(0);
        counts.addPrompt(1);
        counts.addOutput(2);
        counts.addOutput(2);
        counts.addOutput(2);
        LogitsProcessors.penalties(l, 0, counts, 1f, 0.5f, 2f);
        // token 0: 2/2 = 1 (prompt only: no frequency/presence); token 1: -1*2 = -2;
        // token 2: 3/2 - 0.5*3 - 1 = -1; token 3 unseen: unchanged.
        assertArrayEquals(new float[] {1f, -2f, -1f, 0.5f}, l, 1e-6f);
    }

    @Test
    void minTokensMasksEosUntilReached() {
        SamplingParams p = SamplingParams.builder()
                .temperature(0f)
                .maxTokens(5)
                .minTokens(2)
                .stopTokenIds(List.of(2))
                .build();
        Sampler s = new Sampler(4);
        SequenceSampling seq = new SequenceSampling(p, 4, new int[0]);
        assertEquals(1, s.sample(logits(), 0, seq, List.of(3)), "EOS 3 and stop token 2 masked");
        seq.accept(1);
        seq.accept(1);
        assertEquals(3, s.sample(logits(), 0, seq, List.of(3)));
    }

    @Test
    void invalidParametersAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> params(1f, 0f, 0, 0f, 1));
        assertEquals("top_p must be in (0, 1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> params(-1f, 1f, 0, 0f, 1));
    }
}
