package dev.tandem.server;

import dev.tandem.device.Backend;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Where the prefill and decode shards run, and how they are supervised. */
@ConfigMapping(prefix = "tandem.shards")
public interface ShardSettings {
    /**
     * {@code process}: each shard is a supervised worker process on the shared KV segment;
     * {@code in-process}: one shard in the server's own process serves both step kinds.
     */
    @WithDefault("process")
    ShardMode mode();

    /** A step that runs longer means a hung shard: it is killed and restarted. */
    @WithDefault("60s")
    Duration stepTimeout();

    /** How long a shard process may take to load its model and report ready. */
    @WithDefault("180s")
    Duration startupTimeout();

    /**
     * Throwaway forward passes (400) that a CPU shard runs, on a private KV arena, before it
     * reports ready, so that the first requests after a start or a restart run JIT-compiled
     * kernels: at most this long (on two cores, with both shards warming up at once: 3.5 s for the
     * demo model; a 1B model spends the whole budget on a few passes). 0 turns it off.
     */
    @WithDefault("5s")
    Duration warmUp();

    /**
     * When both shard processes run on the CPU, and so share its cores, the decode shard runs this
     * much lower in CPU priority (a nice increment, 0 to 19): a prefill step holds up first tokens,
     * so it gets the cores first, and decode steps take what is left, as when one process runs the
     * two one after the other. A shard on a device of its own keeps the normal priority.
     */
    @WithDefault("8")
    int decodeNiceOnSharedCpu();

    /**
     * When both shard processes run on the CPU, whether the prefill step and the decode step of
     * one scheduling step run at once (true) or the prefill step first, then the decode step
     * (false), as in one process. On shared cores overlapping steps only contend: each step's
     * kernel threads wait for the other's. Shards on devices of their own always overlap.
     */
    @WithDefault("false")
    boolean overlapOnSharedCpu();

    /** Wait before restarting a dead shard; doubles while restarted shards keep dying young. */
    @WithDefault("200ms")
    Duration restartBackoff();

    /** The longest wait between restarts of a shard that keeps dying. */
    @WithDefault("30s")
    Duration maxRestartBackoff();

    Role prefill();

    Role decode();

    /** One shard's device and backend. */
    interface Role {
        /** NPU, GPU, CPU or AUTO (NPU for prefill, GPU for decode where present, else CPU). */
        @WithDefault("AUTO")
        String device();

        /** cpu or openvino. */
        @WithDefault("cpu")
        Backend backend();
    }
}
