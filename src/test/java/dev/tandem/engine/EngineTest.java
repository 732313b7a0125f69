package dev.tandem.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.model.Checkpoint;
import dev.tandem.request.FinishReason;
import dev.tandem.request.SamplingParams;
import dev.tandem.scheduler.ContinuousBatchingScheduler;
import dev.tandem.scheduler.Scheduler;
import dev.tandem.scheduler.SchedulerConfig;
import dev.tandem.scheduler.StepListener;
import dev.tandem.shard.DecodeInterrupt;
import dev.tandem.shard.LocalShard;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.Shard;
import dev.tandem.shard.StepBatch;
import dev.tandem.testsupport.ForwardingShard;
import dev.tandem.testsupport.SchedulerConfigs;
import dev.tandem.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EngineTest {
    static final Path DEMO = Path.of("models/demo-llama-6m");

    record Result(String text, RequestSummary summary) {}

    static CompletableFuture<Result> submit(Engine e, String id, int[] prompt, SamplingParams p) {
        CompletableFuture<Result> f = new CompletableFuture<>();
        StringBuilder sb = new StringBuilder();
        e.submit(new EngineRequest(id, prompt, p, -1), new RequestObserver() {
            @Override
            public void onToken(GeneratedToken token) {
                sb.append(token.text());
            }

            @Override
            public void onFinish(RequestSummary summary) {
                f.complete(new Result(sb.append(summary.finalText()).toString(), summary));
            }
        });
        return f;
    }

    static SamplingParams params(int maxTokens, List<String> stop) {
        return SamplingParams.builder()
                .temperature(0f)
                .seed(1)
                .maxTokens(maxTokens)
                .stopStrings(stop)
                .build();
    }

    @Test
    void stopStringsEndTheTextAndDrainingRefusesNewRequests() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(DEMO);
                TextTokenizer tok = TextTokenizer.load(DEMO);
                ModelRunner runner = new ModelRunner(ckpt, new RunnerSettings(16, 128, 64, 8, 2))) {
            LocalShard shard = new LocalShard("cpu", runner, List.of(0, 2));
            Scheduler scheduler = new ContinuousBatchingScheduler(
                    new SchedulerConfig(64, 8, 1024),
                    new KvCacheManager(new BlockPool(128), 16, true, 1),
                    shard,
                    shard,
                    StepListener.NONE);
            Engine engine =
                    new Engine(scheduler, tok, new EngineConfig("demo", 4096, List.of(0, 2), 16), EngineListener.NONE);
            int[] jury = tok.encode("The jury said", true);
            Result full = submit(engine, "a", jury, params(32, List.of())).get(30, TimeUnit.SECONDS);
            assertEquals(", \"I don't know what I'm doing. I'm not going to be a good job\".", full.text());
            assertEquals(FinishReason.STOP, full.summary().finishReason(), "EOS");
            Result cut = submit(engine, "b", jury, params(32, List.of("doing"))).get(30, TimeUnit.SECONDS);
            assertEquals(", \"I don't know what I'm ", cut.text(), "stop string never emitted");
            assertEquals(FinishReason.STOP, cut.summary().finishReason());
            Result length = submit(engine, "c", jury, params(3, List.of())).get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.LENGTH, length.summary().finishReason());
            assertEquals(3, length.summary().completionTokens());

            CompletableFuture<Result> running = submit(
                    engine,
                    "d",
                    jury,
                    SamplingParams.builder()
                            .temperature(0f)
                            .seed(1)
                            .maxTokens(200)
                            .ignoreEos(true)
                            .build());
            engine.drain(Duration.ofSeconds(30));
            assertEquals(
                    200,
                    running.get(1, TimeUnit.SECONDS).summary().completionTokens(),
                    "a running request finishes within the grace");
            EngineRejectedException e =
                    assertThrows(EngineRejectedException.class, () -> submit(engine, "e", jury, params(3, List.of())));
            assertEquals(EngineRejectedException.Why.SHUTTING_DOWN, e.why());
            assertEquals(0, scheduler.stats().kvBlocksInUse(), "every block is back");
        }
    }

    /** A shard that holds its first step of several rounds until released, and keeps that step's tokens. */
    static final class HeldShard extends ForwardingShard {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile List<SampledToken> held;

        HeldShard(Shard inner) {
            super(inner);
        }

        @Override
        public List<SampledToken> execute(StepBatch batch) {
            if (held != null || entered.getCount() == 0 || batch.numRounds() == 1) {
                return inner.execute(batch);
            }
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            List<SampledToken> tokens = inner.execute(batch);
            held = tokens;
            return tokens;
        }
    }

    @Test
    void aRequestArrivingDuringSeveralDecodeStepsCutsThemShort() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(DEMO);
                TextTokenizer tok = TextTokenizer.load(DEMO);
                ModelRunner runner = new ModelRunner(ckpt, new RunnerSettings(16, 128, 64, 8, 2))) {
            DecodeInterrupt interrupt = DecodeInterrupt.local();
            HeldShard shard = new HeldShard(new LocalShard("cpu", runner, List.of(0, 2), interrupt));
            // 32 decode steps per round trip whenever only decoding goes on (the window never binds).
            Scheduler scheduler = new ContinuousBatchingScheduler(
                    SchedulerConfigs.multiStep(64, 8, 32),
                    new KvCacheManager(new BlockPool(128), 16, true, 1),
                    shard,
                    shard,
                    StepListener.NONE,
                    interrupt);
            Engine engine =
                    new Engine(scheduler, tok, new EngineConfig("demo", 4096, List.of(0, 2), 16), EngineListener.NONE);
            int[] jury = tok.encode("The jury said", true);
            int[] cat = tok.encode("Once upon a time", true);
            SamplingParams long100 = SamplingParams.builder()
                    .temperature(0f)
                    .seed(1)
                    .maxTokens(100)
                    .ignoreEos(true)
                    .build();
            CompletableFuture<Result> first = submit(engine, "a", jury, long100);
            assertTrue(shard.entered.await(30, TimeUnit.SECONDS), "a's decode steps started");
            CompletableFuture<Result> second = submit(engine, "b", cat, params(20, List.of()));
            assertTrue(interrupt.isRaised(), "the arrival raised the interrupt while the steps were in flight");
            shard.release.countDown();
            Result a = first.get(30, TimeUnit.SECONDS);
            Result b = second.get(30, TimeUnit.SECONDS);
            assertEquals(32, shard.held.size(), "the held step planned 32 samples");
            assertTrue(
                    shard.held.getFirst().isComputed()
                            && shard.held.stream().skip(1).noneMatch(SampledToken::isComputed),
                    "it stopped after its first round");
            // Alone, with nothing to cut them short, the same requests give the same texts.
            assertEquals(
                    submit(engine, "a2", jury, long100)
                            .get(30, TimeUnit.SECONDS)
                            .text(),
                    a.text());
            assertEquals(
                    submit(engine, "b2", cat, params(20, List.of()))
                            .get(30, TimeUnit.SECONDS)
                            .text(),
                    b.text());
            assertEquals(100, a.summary().completionTokens());
            engine.close();
            assertEquals(0, scheduler.stats().kvBlocksInUse(), "every block is back");
        }
    }
}
