package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Checkpoint;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The demo model behind one runner, shared by a test class's schedulers; and running a scheduler dry. */
final class DemoRunner implements AutoCloseable {
    final Checkpoint ckpt;
    final ModelRunner runner;

    DemoRunner() throws IOException {
        ckpt = Checkpoint.open(Path.of("models/demo-llama-6m"));
        runner = new ModelRunner(ckpt, new RunnerSettings(16, 256, 64, 16, 2));
    }

    /** One step; what the requests got. */
    static List<StepOutput> step(Scheduler scheduler) {
        List<StepOutput> outputs = new ArrayList<>();
        scheduler.step(outputs::add);
        return outputs;
    }

    /** Steps until the scheduler is idle (failing after 10,000 steps); returns each request's generated ids. */
    static Map<String, int[]> runUntilIdle(Scheduler scheduler) {
        Map<String, List<Integer>> out = new HashMap<>();
        for (int steps = 0; scheduler.hasWork(); steps++) {
            assertTrue(steps < 10_000, "the scheduler finishes");
            for (StepOutput o : DemoRunner.step(scheduler)) {
                if (o.hasToken()) {
                    out.computeIfAbsent(o.requestId(), k -> new ArrayList<>()).add(o.token());
                }
            }
        }
        Map<String, int[]> result = new HashMap<>();
        out.forEach(
                (k, v) -> result.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        return result;
    }

    @Override
    public void close() {
        runner.close();
        ckpt.close();
    }
}
