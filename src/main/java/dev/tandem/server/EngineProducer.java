package dev.tandem.server;

import dev.tandem.device.Backend;
import dev.tandem.device.Placement;
import dev.tandem.device.ShardRole;
import dev.tandem.engine.Engine;
import dev.tandem.engine.EngineConfig;
import dev.tandem.kernels.KernelPath;
import dev.tandem.kernels.KvDtype;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.GenerationDefaults;
import dev.tandem.model.ModelConfig;
import dev.tandem.model.SentenceTransformersPooling;
import dev.tandem.model.WeightPageCache;
import dev.tandem.observability.DeviceInventory;
import dev.tandem.observability.EngineMetrics;
import dev.tandem.request.Pooling;
import dev.tandem.scheduler.ContinuousBatchingScheduler;
import dev.tandem.scheduler.Scheduler;
import dev.tandem.scheduler.SchedulerConfig;
import dev.tandem.shard.ShardSet;
import dev.tandem.shard.SupervisedShard;
import dev.tandem.shm.StaleSegments;
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
import java.util.Optional;
import java.util.Set;
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

    @Inject
    HardwareSettings hardware;

    @Inject
    DeviceInventory devices;

    @Inject
    OpenVinoSettings openvino;

    private Checkpoint checkpoint;
    private ModelConfig config;
    private OpenVinoBackend.Status openVinoStatus;
    private ShardSet shards;
    private TextTokenizer tokenizer;

    static Path modelPath(EngineSettings s) {
        return Path.of(s.model().orElse(System.getProperty("tandem.home", ".") + "/models/demo-llama-6m"));
    }

    @Produces
    @ApplicationScoped
    Engine engine() {
        Path path = modelPath(settings);
        long t0 = System.nanoTime();
        if (!settings.hugePages()) {
            prepareWeightPages(path, settings.rebuildWeightPageCache());
        }
        try {
            // In process mode the server only reads the config; the shard processes load the weights
            // (or, on backend openvino, the IR: the folder then needs no safetensors at all).
            if (shardSettings.mode() == ShardMode.IN_PROCESS) {
                checkpoint = Checkpoint.open(path, settings.hugePages());
            }
            config = checkpoint != null ? checkpoint.config() : Checkpoint.readConfig(path);
            tokenizer = TextTokenizer.load(path);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot load the model at " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        ModelConfig c = config;
        KvDtype kvDtype = KvDtype.parse(settings.kvCacheDtype());
        PagedKvLayout perBlock =
                new PagedKvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), settings.blockSize(), 1, kvDtype);
        int numBlocks = (int) Math.max(1, ((long) settings.kvCacheMib() << 20) / perBlock.bytesPerBlock());
        int maxModelLen = Math.min(
                settings.maxModelLen().orElse(c.maxPositions()),
                Math.min(c.maxPositions(), numBlocks * settings.blockSize()));
        int maxSeqs = settings.maxNumSeqs();
        int budget = Math.max(settings.maxNumBatchedTokens(), maxSeqs);
        Path shm = sharedMemoryDir(settings);
        if (shm != null) {
            try {
                StaleSegments.reclaim(shm)
                        .forEach(f -> LOG.infof("removed the KV segment %s of a process that is gone", f));
            } catch (IOException e) {
                LOG.warnf("could not look for stale KV segments in %s: %s", shm, e.getMessage());
            }
        }
        GenerationDefaults defaults;
        try {
            defaults = GenerationDefaults.read(path, c.eosTokenIds());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ShardSet.Sizes sizes = new ShardSet.Sizes(
                path,
                settings.hugePages(),
                settings.blockSize(),
                numBlocks,
                budget,
                maxSeqs,
                settings.threads().orElse(Runtime.getRuntime().availableProcessors()),
                defaults.eosTokenIds(),
                shardSettings.warmUp(),
                kvDtype);
        shards = switch (shardSettings.mode()) {
            case PROCESS -> {
                Placement prefill = place(ShardRole.PREFILL, shardSettings.prefill()),
                        decode = place(ShardRole.DECODE, shardSettings.decode());
                yield ShardSet.processes(
                        c,
                        sizes,
                        shm,
                        settings.kvSegmentName(),
                        prefill,
                        decode,
                        ShardSet.decodeNice(prefill, decode, shardSettings.decodeNiceOnSharedCpu()),
                        ShardSet.overlapSteps(prefill, decode, shardSettings.overlapOnSharedCpu()),
                        Map.of(
                                ShardRole.PREFILL,
                                OpenVinoBackend.options(openvino, path, prefill),
                                ShardRole.DECODE,
                                OpenVinoBackend.options(openvino, path, decode)),
                        new SupervisedShard.Policy(
                                shardSettings.stepTimeout(),
                                shardSettings.startupTimeout(),
                                shardSettings.restartBackoff(),
                                shardSettings.maxRestartBackoff()),
                        metrics);
            }
            case IN_PROCESS -> {
                if (shardSettings.prefill().backend() == Backend.OPENVINO
                        || shardSettings.decode().backend() == Backend.OPENVINO) {
                    throw new IllegalArgumentException(
                            "backend openvino runs in shard processes: set tandem.shards.mode=process");
                }
                yield ShardSet.inProcess(checkpoint, sizes, shm, settings.kvSegmentName());
            }
        };
        KvCacheManager kv = new KvCacheManager(
                new BlockPool(numBlocks),
                settings.blockSize(),
                settings.prefixCaching(),
                path.toAbsolutePath().toString().hashCode());
        Scheduler scheduler = new ContinuousBatchingScheduler(
                new SchedulerConfig(
                        budget,
                        maxSeqs,
                        maxModelLen,
                        settings.maxDecodeSteps(),
                        settings.decodeStepsWindow(),
                        shards.overlapSteps,
                        settings.schedulingPolicy(),
                        settings.priorityAging()),
                kv,
                shards.prefill,
                shards.decode,
                metrics,
                shards.interrupt);
        String name = settings.servedModelName()
                .orElse(path.toAbsolutePath().normalize().getFileName().toString());
        Engine engine = new Engine(
                scheduler,
                tokenizer,
                new EngineConfig(
                        name, c.vocabSize(), defaults.eosTokenIds(), settings.maxWaitingRequests(), pooling(path)),
                metrics);
        metrics.bind(engine, scheduler);
        LOG.infof("kernels %s", KernelPath.describe());
        LOG.infof(
                "model %s (%s) loaded in %.2f s: %d KV blocks of %d tokens in %s, context %d, max %d sequences, shard %s",
                name,
                c.architecture(),
                (System.nanoTime() - t0) / 1e9,
                numBlocks,
                settings.blockSize(),
                shards.kvSegment() == null ? "private memory" : shards.kvSegment(),
                maxModelLen,
                maxSeqs,
                shards.describe());
        return engine;
    }

    /**
     * Before anything maps the weights: how much of each file the page cache holds in 2 MiB pages,
     * rebuilt where it is mostly small pages (see WeightPageCache). A folder without safetensors
     * (an OpenVINO IR only) has nothing to prepare.
     */
    private static void prepareWeightPages(Path model, boolean rebuild) {
        Set<Path> files;
        try {
            files = Checkpoint.weightFiles(model);
        } catch (IOException noWeights) {
            return;
        }
        for (Path file : files) {
            try {
                LOG.infof("weights %s", WeightPageCache.prepare(file, rebuild).describe());
            } catch (IOException | RuntimeException e) {
                LOG.warnf("could not look at the page cache of %s: %s", file, e.getMessage());
            }
        }
    }

    private Placement place(ShardRole role, ShardSettings.Role asked) {
        boolean openVino = asked.backend() == Backend.OPENVINO;
        if (openVino && openVinoStatus == null) {
            openVinoStatus =
                    OpenVinoBackend.probe(openvino); // once for both roles: it loads the runtime and lists devices
        }
        OpenVinoBackend.Status ov = openVinoStatus;
        Placement p = openVino
                ? Placement.resolve(
                        role, asked.device(), asked.backend(), hardware.strict(), ov.devices(), ov.missing())
                : Placement.resolve(role, asked.device(), asked.backend(), hardware.strict(), devices.discovery());
        LOG.infof("%s shard: %s", role, p.describe());
        return p;
    }

    /** The configured pooling, else the model's Sentence-Transformers one, else last. */
    private Pooling pooling(Path model) {
        Optional<String> declared;
        try {
            declared = SentenceTransformersPooling.read(model);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the model's Sentence-Transformers modules: " + e.getMessage(), e);
        }
        String mode = settings.pooling().or(() -> declared).orElse("last");
        try {
            return Pooling.parse(mode);
        } catch (IllegalArgumentException e) {
            if (settings.pooling().isPresent()) {
                throw e;
            }
            LOG.warnf("the model declares %s pooling, which Tandem has not; embeddings pool the last token", mode);
            return Pooling.LAST;
        }
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
            return new ChatPrompt(
                    "{{ raise_exception('this model has no chat template; use /v1/completions') }}", Map.of());
        }
        return ChatPrompt.forTokenizer(engine.tokenizer());
    }

    void close(@Disposes Engine engine) {
        engine.drain(Duration.ofSeconds(settings.shutdownGraceSeconds()));
        shards.close();
        tokenizer.close();
        if (checkpoint != null) {
            checkpoint.close();
        }
    }
}
