package dev.tandem.shard.openvino;

import dev.tandem.shard.OpenVinoOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compile properties a shard passes to OpenVINO. On the NPU, what OpenVINO's NPU plugin needs
 * for LLMs (from its sources, 2025.x): NPUW (NPU_USE_NPUW=YES, NPUW_LLM=YES) with the prompt and
 * response lengths and a power-of-two prefill chunk. Everywhere, CACHE_DIR so that the second
 * start finds the compiled blob instead of compiling again. The configured properties win.
 */
final class CompileProperties {
    private CompileProperties() {}

    static Map<String, String> forDevice(String device, OpenVinoOptions o, int maxContext) {
        Map<String, String> p = new LinkedHashMap<>();
        if (device.startsWith("NPU")) {
            p.put("NPU_USE_NPUW", "YES");
            p.put("NPUW_LLM", "YES");
            p.put("NPUW_LLM_MAX_PROMPT_LEN", Integer.toString(maxContext));
            p.put("NPUW_LLM_MIN_RESPONSE_LEN", Integer.toString(o.prefillChunk()));
            p.put("NPUW_LLM_PREFILL_CHUNK_SIZE", Integer.toString(o.prefillChunk()));
        }
        p.put("CACHE_DIR", o.cacheDir().toAbsolutePath().toString());
        p.putAll(o.properties());
        return p;
    }
}
