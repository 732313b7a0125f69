package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.kernels.KvDtype;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ModelConfig;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server with --kv-cache-dtype int8 and two shard processes: the prefill shard writes int8
 * KV that the decode shard reads in the same segment, and the same memory holds ~3.8x the blocks.
 */
@QuarkusTest
@TestProfile(Int8KvServerTest.Int8Kv.class)
class Int8KvServerTest {
    public static class Int8Kv implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "tandem.shards.mode", "process",
                    "tandem.engine.kv-cache-dtype", "int8",
                    "tandem.engine.kv-cache-mib", "64",
                    "tandem.engine.threads", "1");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @Test
    void generatesThroughTheHandoffAndShowsTheLargerCapacity() throws Exception {
        var r = Http.post(
                root + "v1/completions",
                "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(24, body.at("/usage/completion_tokens").asInt());
        assertTrue(body.at("/choices/0/text").asText().length() > 10, body.toString());

        ModelConfig c = Checkpoint.readConfig(Path.of("models/demo-llama-6m"));
        long int8Block =
                new PagedKvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), 16, 1, KvDtype.INT8).bytesPerBlock();
        long f32Block = new PagedKvLayout(c.numLayers(), c.numKvHeads(), c.headDim(), 16, 1).bytesPerBlock();
        String metrics = Http.get(root + "metrics").body();
        double capacity = metrics.lines()
                .filter(l -> l.startsWith("tandem_kv_cache_blocks_capacity"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow();
        assertEquals((64L << 20) / int8Block, (long) capacity, "blocks of the int8 layout in 64 MiB");
        assertTrue(capacity > 3.5 * ((64L << 20) / f32Block), "about 3.8x the f32 blocks: " + capacity);
    }
}
