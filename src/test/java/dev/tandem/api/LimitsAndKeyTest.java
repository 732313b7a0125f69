package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** With an API key configured and a tiny queue: 401 without the key, 429 with Retry-After when full. */
@QuarkusTest
@TestProfile(LimitsAndKeyTest.Limited.class)
class LimitsAndKeyTest {
    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "tandem.api.key",
                    "s3cret",
                    "tandem.engine.max-num-seqs",
                    "1",
                    "tandem.engine.max-waiting-requests",
                    "1");
        }
    }

    static final String BODY =
            "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":300,\"ignore_eos\":true}";

    @TestHTTPResource("/")
    URL root;

    @Test
    void requestsNeedTheKey() throws Exception {
        HttpResponse<String> none = Http.post(root + "v1/completions", BODY.replace("300", "2"));
        assertEquals(401, none.statusCode());
        assertTrue(none.body().contains("invalid_api_key"), none.body());
        assertEquals(
                401,
                Http.post(root + "v1/completions", BODY, "Authorization", "Bearer wrong")
                        .statusCode());
        assertEquals(401, Http.get(root + "v1/models").statusCode());
        assertEquals(
                200,
                Http.post(root + "v1/completions", BODY.replace("300", "2"), "Authorization", "Bearer s3cret")
                        .statusCode());
        assertEquals(200, Http.get(root + "q/health/ready").statusCode(), "probes need no key");
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return Http.post(root + "v1/completions", BODY, "Authorization", "Bearer s3cret");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        int ok = 0;
        int limited = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                assertTrue(r.body().contains("queue_full"), r.body());
                limited++;
            }
        }
        assertTrue(ok >= 1 && limited >= 1, "ok " + ok + ", limited " + limited);
    }
}
