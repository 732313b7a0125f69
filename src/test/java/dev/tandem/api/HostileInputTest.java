package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.kernels.KernelPath;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Malformed and hostile requests each get a clear OpenAI error with a 4xx status; the server stays healthy. */
@QuarkusTest
class HostileInputTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    void refused(String path, int status, String param, String body) throws Exception {
        refused(path, status, param, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void refused(String path, int status, String param, byte[] body) throws Exception {
        HttpResponse<String> r = Http.post(root + path, body);
        assertEquals(status, r.statusCode(), path + " " + r.body());
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertTrue(
                error != null
                        && error.path("message").isTextual()
                        && !error.path("message").asText().isBlank(),
                r.body());
        assertTrue(error.has("type") && error.has("param") && error.has("code"), r.body());
        if (param != null) {
            assertEquals(param, error.path("param").asText(), r.body());
        }
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        String c = "v1/completions";
        String chat = "v1/chat/completions";
        refused(c, 400, null, "{\"model\": \"demo-llama-6m\", \"prompt\": ");
        refused(c, 400, null, "[1, 2, 3]");
        refused(c, 400, "max_tokens", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"max_tokens\":\"lots\"}");
        refused(c, 400, "max_tokens", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"max_tokens\":1000000000}");
        refused(c, 400, "max_tokens", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"max_tokens\":-5}");
        refused(c, 400, "temperature", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"temperature\":-1}");
        refused(c, 400, "top_p", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"top_p\":0}");
        refused(c, 400, "n", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"n\":0}");
        refused(c, 400, "frobnicate", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"frobnicate\":true}");
        refused(c, 400, "prompt", "{\"model\":\"demo-llama-6m\"}");
        refused(c, 400, "prompt", "{\"model\":\"demo-llama-6m\",\"prompt\":[]}");
        refused(c, 400, "prompt", "{\"model\":\"demo-llama-6m\",\"prompt\":[1, \"a\"]}");
        refused(c, 400, "prompt", "{\"model\":\"demo-llama-6m\",\"prompt\":[99999]}");
        refused(c, 400, "suffix", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"suffix\":\"x\"}");
        refused(c, 400, "logit_bias", "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"logit_bias\":{\"abc\":1}}");
        refused(
                c,
                400,
                "stream_options",
                "{\"model\":\"demo-llama-6m\",\"prompt\":\"hi\",\"stream_options\":{\"include_usage\":true}}");
        refused(c, 404, "model", "{\"model\":\"gpt-4o\",\"prompt\":\"hi\"}");
        refused(
                c,
                400,
                null,
                "{\"model\":\"demo-llama-6m\",\"prompt\":" + JSON.valueToTree("word ".repeat(1500)) + "}");
        refused(chat, 400, "messages", "{\"model\":\"demo-llama-6m\",\"messages\":[]}");
        refused(
                chat,
                400,
                "messages[0].role",
                "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}");
        refused(
                chat,
                400,
                "messages[0].content",
                "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x\"}}]}]}");
        refused(
                chat,
                400,
                "response_format.json_schema",
                "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                        + "\"response_format\":{\"type\":\"json_schema\"}}");
        byte[] invalidUtf8 = "{\"model\":\"demo-llama-6m\",\"prompt\":\"\u0001XX\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        invalidUtf8[invalidUtf8.length - 5] = (byte) 0xC3;
        invalidUtf8[invalidUtf8.length - 4] = (byte) 0x28;
        refused(c, 400, null, invalidUtf8);
        byte[] huge = new byte[10 << 20];
        java.util.Arrays.fill(huge, (byte) 'a');
        refused(c, 413, null, huge);
        refused("tokenize", 400, "prompt", "{\"prompt\": 5}");
        refused("detokenize", 400, "tokens", "{\"tokens\": [\"a\"]}");

        assertEquals(200, Http.get(root + "q/health/ready").statusCode(), "still ready after all that");
        HttpResponse<String> ok = Http.post(
                root + c,
                "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":3,\"temperature\":0}");
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void tokenizeAndDetokenizeAsVllmHasThem() throws Exception {
        JsonNode t =
                JSON.readTree(Http.post(root + "tokenize", "{\"model\":\"demo-llama-6m\",\"prompt\":\"Hello world\"}")
                        .body());
        assertEquals("[42,593,81,814]", t.get("tokens").toString());
        assertEquals(4, t.get("count").asInt());
        JsonNode chat = JSON.readTree(Http.post(
                        root + "tokenize",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"The committee met on Monday.\"}]}")
                .body());
        assertEquals(
                "[1,401,268,201,415,724,2542,1044,321,365,621,330,16,2,201,1,572,390,414,201]",
                chat.get("tokens").toString());
        JsonNode d = JSON.readTree(
                Http.post(root + "detokenize", "{\"tokens\":[42,593,81,814]}").body());
        assertEquals("Hello world", d.get("prompt").asText());
    }

    @Test
    void healthAndMetrics() throws Exception {
        for (String probe : new String[] {"live", "ready", "started"}) {
            HttpResponse<String> r = Http.get(root + "q/health/" + probe);
            assertEquals(200, r.statusCode(), probe + ": " + r.body());
        }
        assertTrue(Http.get(root + "q/health/ready").body().contains("shard.decode"));
        assertTrue(Http.get(root + "q/health/ready").body().contains("\"devices\""));
        JsonNode devices = JSON.readTree(Http.get(root + "v1/devices").body());
        assertTrue(
                devices.get("discovery").isTextual() && devices.get("devices").isArray(), devices.toString());
        assertTrue(devices.at("/shards/decode").asText().startsWith("ready: "), devices.toString());
        Http.post(
                root + "v1/completions", "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":4}");
        String metrics = Http.get(root + "metrics").body();
        for (String name : new String[] {
            "tandem_num_requests_running",
            "tandem_num_requests_waiting",
            "tandem_kv_cache_blocks_used",
            "tandem_kv_cache_blocks_capacity",
            "tandem_kv_cache_usage_perc",
            "tandem_prefix_cache_queries_total",
            "tandem_prefix_cache_hits_total",
            "tandem_time_to_first_token_seconds_bucket",
            "tandem_time_per_output_token_seconds_bucket",
            "tandem_e2e_request_latency_seconds_bucket",
            "tandem_prompt_tokens_total",
            "tandem_generation_tokens_total",
            "tandem_num_preemptions_total",
            "tandem_step_duration_seconds_bucket{kind=\"decode\"",
            "tandem_step_batch_size_sequences_bucket{kind=\"prefill\"",
            "tandem_request_success_total{finished_reason=\"length\""
        }) {
            assertTrue(metrics.contains(name), "metric " + name);
        }
        List<String> kernelPath = metrics.lines()
                .filter(l -> l.startsWith("tandem_kernel_path_info{"))
                .toList();
        assertEquals(1, kernelPath.size(), metrics);
        for (String label : new String[] {
            "path=\"" + KernelPath.current() + "\"",
            "vector_bits=\"" + KernelPath.vectorBits() + "\"",
            "requested=\"" + KernelPath.requested().name().toLowerCase(java.util.Locale.ROOT) + "\""
        }) {
            assertTrue(
                    kernelPath.get(0).contains(label), "the info gauge names the kernel path that runs: " + kernelPath);
        }
        assertTrue(kernelPath.get(0).endsWith(" 1.0"), kernelPath.get(0));
        assertEquals(200, Http.get(root + "q/metrics").statusCode(), "Quarkus' default path too");
    }
}
