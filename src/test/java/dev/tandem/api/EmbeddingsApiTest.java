package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** /v1/embeddings over plain HTTP: every input form, float and base64, usage, and bad input. */
@QuarkusTest
class EmbeddingsApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/embeddings")
    URL url;

    JsonNode post(String body) throws Exception {
        var r = Http.post(url.toString(), body);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static float[] floats(JsonNode embedding) {
        float[] v = new float[embedding.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) embedding.get(i).asDouble();
        }
        return v;
    }

    @Test
    void everyInputFormGivesNormalizedVectorsInOrder() throws Exception {
        JsonNode one = post("{\"model\":\"demo-llama-6m\",\"input\":\"The jury said\"}");
        assertEquals("list", one.get("object").asText());
        assertEquals("demo-llama-6m", one.get("model").asText());
        JsonNode e = one.at("/data/0");
        assertEquals("embedding", e.get("object").asText());
        assertEquals(0, e.get("index").asInt());
        float[] jury = floats(e.get("embedding"));
        double norm = 0;
        for (float x : jury) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-5, "L2-normalized");
        assertEquals(4, one.at("/usage/prompt_tokens").asInt());
        assertEquals(4, one.at("/usage/total_tokens").asInt());

        JsonNode many = post("{\"model\":\"demo-llama-6m\",\"input\":[\"Once upon a time\",\"The jury said\"]}");
        assertEquals(2, many.get("data").size());
        assertEquals(1, many.at("/data/1/index").asInt());
        assertArrayEquals(jury, floats(many.at("/data/1/embedding")), "the same text, the same vector, batched");
        assertTrue(!java.util.Arrays.equals(jury, floats(many.at("/data/0/embedding"))));

        JsonNode ids = post("{\"model\":\"demo-llama-6m\",\"input\":[415,484,1208,574]}");
        assertArrayEquals(jury, floats(ids.at("/data/0/embedding")), "token ids of the same text");
        JsonNode idLists = post("{\"model\":\"demo-llama-6m\",\"input\":[[415,484,1208,574],[415,484]]}");
        assertArrayEquals(jury, floats(idLists.at("/data/0/embedding")));
        assertEquals(6, idLists.at("/usage/prompt_tokens").asInt());

        JsonNode b64 = post("{\"model\":\"demo-llama-6m\",\"input\":\"The jury said\",\"encoding_format\":\"base64\"}");
        ByteBuffer bytes = ByteBuffer.wrap(
                        Base64.getDecoder().decode(b64.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(decoded);
        assertArrayEquals(jury, decoded, "base64 of little-endian float32");
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        String[][] cases = {
            {"{\"model\":\"demo-llama-6m\"}", "400", "input"},
            {"{\"model\":\"demo-llama-6m\",\"input\":\"\"}", "400", "input"},
            {"{\"model\":\"demo-llama-6m\",\"input\":[]}", "400", "input"},
            {"{\"model\":\"demo-llama-6m\",\"input\":\"hi\",\"dimensions\":8}", "400", "dimensions"},
            {"{\"model\":\"demo-llama-6m\",\"input\":\"hi\",\"encoding_format\":\"int8\"}", "400", "encoding_format"},
            {"{\"model\":\"demo-llama-6m\",\"input\":[1,99999]}", "400", "input"},
            {"{\"model\":\"demo-llama-6m\",\"input\":\"hi\",\"pooling\":\"mean\"}", "400", "pooling"},
            {"{\"model\":\"other\",\"input\":\"hi\"}", "404", "model"},
        };
        for (String[] c : cases) {
            var r = Http.post(url.toString(), c[0]);
            assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " -> " + r.body());
            assertEquals(c[2], JSON.readTree(r.body()).at("/error/param").asText(), r.body());
        }
    }
}
