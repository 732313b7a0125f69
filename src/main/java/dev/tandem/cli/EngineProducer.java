package dev.tandem.cli;

import dev.tandem.engine.Engine;
import dev.tandem.engine.EngineConfig;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.kvcache.StaleSegments;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelConfig;
import dev.tandem.observability.EngineMetrics;
import dev.tandem.scheduler.Scheduler;
import dev.tandem.scheduler.SchedulerConfig;
import dev.tandem.shard.LocalShard;
import dev.tandem.shard.ProcessShard;
import dev.tandem.shard.Shard;
import dev.tandem.shard.ShardWorker;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.TextTokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;

/** Builds the serving stack from the configuration: model, runner, shards, KV cache, scheduler, engine. */
@ApplicationScoped
public class EngineProducer {
    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Inject
    EngineSettings settings;
    @Inject
    EngineMetrics metrics;
    @Inject
    ShardSettings shardSettings;

    private Checkpoint checkpoint;
    private ModelRunner runner;
    private Shard prefillShard;
    private Shard decodeShard;
    private TextTokenizer tokenizer;

    static Path modelPath(EngineSettings s) {
        return Path.of(s.model().orElse(System.getProperty("tandem.home", ".") + "/models/demo-llama-6m"));
    }

    @Produces
    @ApplicationScoped
    Engine engine() {
        Path path = modelPath(settings);
        long t0 = System.nanoTime();
        try {
            checkpoint = Checkpoint.open(path);
            tokenizer = TextTokenizer.load(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model at " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        ModelConfig c = checkpoint.config();
        PagedKvLayout perBlock = new PagedKvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), settings.blockSize(), 1);
        int numBlocks = (int) Math.max(1, ((long) settings.kvCacheMib() << 20) / perBlock.bytesPerBlock());
        int maxModelLen = Math.min(settings.maxModelLen().orElse(c.maxPositions()),
                Math.min(c.maxPositions(), numBlocks * settings.blockSize()));
        int maxSeqs = settings.maxNumSeqs();
        int budget = Math.max(settings.maxNumBatchedTokens(), maxSeqs);
        Path shm = sharedMemoryDir(settings);
        if (shm != null) {
            try {
                StaleSegments.reclaim(shm).forEach(f -> LOG.infof("removed the KV segment %s of a process that is gone", f));
            } catch (IOException e) {
                LOG.warnf("could not look for stale KV segments in %s: %s", shm, e.getMessage());
            }
        }
        runner = new ModelRunner(checkpoint, new RunnerSettings(settings.blockSize(), numBlocks, budget, maxSeqs,
                settings.threads().orElse(Runtime.getRuntime().availableProcessors()), shm, settings.kvSegmentName()));
        GenerationDefaults defaults;
        try {
            defaults = GenerationDefaults.read(path, c.eosTokenIds());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int threads = settings.threads().orElse(Runtime.getRuntime().availableProcessors());
        if (shardSettings.mode().equals("process")) {
            if (runner.kvSegment() == null) {
                throw new IllegalStateException("tandem.shards.mode=process needs the KV arena in shared memory"
                        + " (tandem.engine.kv-shared-memory-dir)");
            }
            prefillShard = processShard("prefill", path, runner.kvSegment(), settings.blockSize(), numBlocks, budget, maxSeqs, threads, defaults.eosTokenIds());
            decodeShard = processShard("decode", path, runner.kvSegment(), settings.blockSize(), numBlocks, budget, maxSeqs, threads, defaults.eosTokenIds());
        } else if (shardSettings.mode().equals("in-process")) {
            prefillShard = new LocalShard("cpu", runner, defaults.eosTokenIds());
            decodeShard = prefillShard;
        } else {
            throw new IllegalArgumentException("tandem.shards.mode must be process or in-process, got " + shardSettings.mode());
        }
        KvCacheManager kv = new KvCacheManager(new BlockPool(numBlocks), settings.blockSize(), settings.prefixCaching(),
                path.toAbsolutePath().toString().hashCode());
        // In-process mode: one shard object serves both step kinds, one after the other.
        Scheduler scheduler = new Scheduler(new SchedulerConfig(budget, maxSeqs, maxModelLen), kv, prefillShard, decodeShard, metrics);
        String name = settings.servedModelName().orElse(path.toAbsolutePath().normalize().getFileName().toString());
        Engine engine = new Engine(scheduler, tokenizer, new EngineConfig(name, c.vocabSize(), defaults.eosTokenIds(),
                settings.maxWaitingRequests()), metrics);
        metrics.bind(engine, scheduler);
        LOG.infof("model %s (%s) loaded in %.2f s: %d KV blocks of %d tokens in %s, context %d, max %d sequences, shard %s",
                name, c.architecture(), (System.nanoTime() - t0) / 1e9, numBlocks, settings.blockSize(),
                runner.kvSegment() == null ? "private memory" : runner.kvSegment(), maxModelLen, maxSeqs,
                prefillShard == decodeShard ? prefillShard.describe() : prefillShard.describe() + " + " + decodeShard.describe());
        return engine;
    }

    /** A worker process for one role on the server's KV segment; its socket goes in the temporary directory. */
    private static Shard processShard(String role, Path model, Path segment, int blockSize, int numBlocks, int budget, int maxSeqs,
                                      int threads, java.util.List<Integer> eos) {
        Path socket = Path.of(System.getProperty("java.io.tmpdir"), segment.getFileName() + "-" + role + ".sock");
        return new ProcessShard(new ShardWorker.Options(role, model, segment, socket, blockSize, numBlocks, budget, maxSeqs, threads, eos));
    }

    private static Path sharedMemoryDir(EngineSettings s) {
        if (s.kvSharedMemoryDir().equals("none")) {
            return null;
        }
        Path dir = Path.of(s.kvSharedMemoryDir());
        if (!java.nio.file.Files.isDirectory(dir)) {
            LOG.warnf("%s does not exist: the KV cache stays in private memory", dir);
            return null;
        }
        return dir;
    }

    @Produces
    @ApplicationScoped
    ChatPrompt chatPrompt(Engine engine) {
        if (engine.tokenizer().config().chatTemplate().isEmpty()) {
            return new ChatPrompt("{{ raise_exception('this model has no chat template; use /v1/completions') }}", Map.of());
        }
        return ChatPrompt.forTokenizer(engine.tokenizer());
    }

    void close(@Disposes Engine engine) {
        engine.drain(Duration.ofSeconds(settings.shutdownGraceSeconds()));
        prefillShard.close();
        if (decodeShard != prefillShard) {
            decodeShard.close();
        }
        runner.close();
        tokenizer.close();
        checkpoint.close();
    }
}
