package dev.tandem.server;

import dev.tandem.scheduler.SchedulingPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** How the server loads its model and sizes its engine. */
@ConfigMapping(prefix = "tandem.engine")
public interface EngineSettings {
    /** Hugging Face checkpoint folder; default: the embedded demo model beside the launcher. */
    Optional<String> model();

    /** The name clients use in "model"; default: the model folder's name. */
    Optional<String> servedModelName();

    /** Most sequences running at once (the decode batch size). */
    @WithDefault("32")
    int maxNumSeqs();

    /** Most tokens in one step: decode tokens plus prompt chunks (chunked prefill). */
    @WithDefault("256")
    int maxNumBatchedTokens();

    /**
     * Most decode steps the decode shard runs in one go while every running sequence decodes and no
     * request waits (multi-step decoding: one round trip to a shard process for several tokens per
     * sequence). A request that arrives or is aborted meanwhile cuts them short after the step in
     * progress. 1 turns it off.
     */
    @WithDefault("32")
    int maxDecodeSteps();

    /**
     * How long those decode steps may take together, judged by the step time measured lately: how
     * bursty streamed tokens are. Models whose steps are longer than this decode one step at a time.
     */
    @WithDefault("20ms")
    Duration decodeStepsWindow();

    /**
     * Which waiting request runs next: fcfs (arrival order; a request with a non-zero priority is
     * refused) or priority (the request's priority field, smaller first, as vLLM; when blocks run
     * out the lowest-priority, latest request is preempted first).
     */
    @WithDefault("fcfs")
    SchedulingPolicy schedulingPolicy();

    /**
     * Under the priority policy, a waiting request gains one priority level per this interval, so
     * a low priority waits a bounded time behind a stream of urgent requests; 0 turns aging off.
     */
    @WithDefault("10s")
    Duration priorityAging();

    /**
     * How /v1/embeddings pools the last hidden states: last (the last token's, vLLM's default for
     * decoder-only models) or mean; default: what the model's Sentence-Transformers modules.json
     * declares, else last.
     */
    Optional<String> pooling();

    /** Context length; default: the model's max_position_embeddings, capped by the KV cache. */
    OptionalInt maxModelLen();

    /**
     * How the KV cache stores keys and values: auto (the computed f32 values) or int8 (a byte per
     * value and a scale per token and head, dequantized inside attention: about 3.8x the blocks in
     * the same memory at head size 64).
     */
    @WithDefault("auto")
    String kvCacheDtype();

    /** Memory for the paged KV cache, in MiB. */
    @WithDefault("1024")
    int kvCacheMib();

    /**
     * Where the KV arena lives as a POSIX shared-memory segment, mapped by every shard; segments of
     * dead Tandem processes found there are removed at start. "none" keeps it in private memory.
     */
    @WithDefault("/dev/shm")
    String kvSharedMemoryDir();

    /** The segment's name: the file is tandem-NAME-PID. */
    @WithDefault("kv")
    String kvSegmentName();

    /** Tokens per KV block. */
    @WithDefault("16")
    int blockSize();

    /** Reuse the KV of shared prompt prefixes across requests. */
    @WithDefault("true")
    boolean prefixCaching();

    /**
     * Copy the weights into transparent huge pages in each process that runs the model (faster
     * decode; a private copy per shard process instead of the shared page cache).
     */
    @WithDefault("false")
    boolean hugePages();

    /**
     * At start, when the page cache holds a weight file mostly in 4 KiB pages, drop the file's
     * cached pages and read it again in 2 MiB folios, which every shard then maps with 2 MiB pages
     * (shared, no copy). Done only where a test window of the file comes back in 2 MiB folios;
     * false only reports the share in the log.
     */
    @WithDefault("true")
    boolean rebuildWeightPageCache();

    /** Requests that may wait for a slot before new ones get 429. */
    @WithDefault("256")
    int maxWaitingRequests();

    /** Kernel threads; default: all cores. */
    OptionalInt threads();

    /** How long a shutdown lets running requests finish before aborting them, in seconds. */
    @WithDefault("30")
    int shutdownGraceSeconds();
}
