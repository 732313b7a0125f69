package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.model.Checkpoint;
import dev.tandem.shard.LocalShard;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import java.util.ArrayList;
import java.util.List;

/** A scheduler over one in-process shard of a checkpoint (64 KV blocks of 16 tokens, prefix caching on). */
record OneShardStack(KvCacheManager kv, Scheduler scheduler, ModelRunner runner) implements AutoCloseable {
    /** budget: tokens per step (the prefill chunk); logitRows: the runner's logit rows; maxSeqs: sequences at once. */
    static OneShardStack of(Checkpoint ckpt, int budget, int logitRows, int maxSeqs) {
        ModelRunner runner = new ModelRunner(ckpt, new RunnerSettings(16, 64, budget, logitRows, 2));
        KvCacheManager kv = new KvCacheManager(new BlockPool(64), 16, true, 1);
        LocalShard shard = new LocalShard("cpu", runner, List.of());
        return new OneShardStack(
                kv,
                new ContinuousBatchingScheduler(
                        new SchedulerConfig(budget, maxSeqs, 1024), kv, shard, shard, StepListener.NONE),
                runner);
    }

    /** Steps until the scheduler is idle (failing after 1,000 steps); returns every output. */
    List<StepOutput> runUntilIdle() {
        List<StepOutput> outputs = new ArrayList<>();
        for (int steps = 0; scheduler.hasWork(); steps++) {
            assertTrue(steps < 1000);
            outputs.addAll(DemoRunner.step(scheduler));
        }
        return outputs;
    }

    @Override
    public void close() {
        runner.close();
    }
}
