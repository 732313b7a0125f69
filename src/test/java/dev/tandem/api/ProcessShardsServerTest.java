package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server with tandem.shards.mode=process: prefill and decode run in two worker processes on the /dev/shm arena. */
@QuarkusTest
@TestProfile(ProcessShardsServerTest.ProcessMode.class)
class ProcessShardsServerTest {
    public static class ProcessMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.shards.mode", "process", "tandem.engine.threads", "1");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @Test
    void answersComeFromTheShardProcesses() throws Exception {
        JsonNode chat = JSON.readTree(Http.post(root + "v1/chat/completions", "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"The committee met on Monday.\"}],\"max_tokens\":32,\"temperature\":0}").body());
        assertEquals("These were noted, but the first two men were not the most important.", chat.at("/choices/0/message/content").asText());
        JsonNode devices = JSON.readTree(Http.get(root + "v1/devices").body());
        String prefill = devices.at("/shards/prefill").asText();
        String decode = devices.at("/shards/decode").asText();
        assertTrue(prefill.startsWith("ready: prefill (process ") && decode.startsWith("ready: decode (process "), devices.toString());
        long self = ProcessHandle.current().pid();
        assertTrue(!prefill.contains("process " + self + ")") && !decode.contains("process " + self + ")"), "not this JVM");
        assertEquals(200, Http.get(root + "q/health/ready").statusCode());
    }
}
