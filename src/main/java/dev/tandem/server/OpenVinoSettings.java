package dev.tandem.server;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** The OpenVINO backend: where its runtime and the model's IR are, and how it compiles for the NPU and GPU. */
@ConfigMapping(prefix = "tandem.openvino")
public interface OpenVinoSettings {
    /**
     * libopenvino_c.so, or the folder holding it; unset: the folders of LD_LIBRARY_PATH (as
     * OpenVINO's setupvars.sh sets it), /opt/intel/openvino*, /usr/lib/x86_64-linux-gnu, /usr/local/lib.
     */
    Optional<String> library();

    /** The stateless OpenVINO IR (.xml, its .bin beside it); unset: openvino_model.xml in the model folder. */
    Optional<String> ir();

    /** Tokens per static prefill chunk on the NPU (NPUW_LLM_PREFILL_CHUNK_SIZE); a power of two. */
    @WithDefault("128")
    int prefillChunk();

    /** Where OpenVINO caches compiled models (CACHE_DIR), so that the second start skips compiling; unset: ~/.cache/tandem/openvino. */
    Optional<String> cacheDir();

    /** Extra compile properties for the NPU shard, KEY=VALUE each (they override Tandem's NPUW defaults). */
    Optional<List<String>> npuProperties();

    /** Extra compile properties for the GPU shard, KEY=VALUE each. */
    Optional<List<String>> gpuProperties();
}
