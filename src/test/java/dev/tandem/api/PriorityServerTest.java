package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** A server under --scheduling-policy priority, one sequence at a time: who waits, who goes first, the metrics. */
@QuarkusTest
@TestProfile(PriorityServerTest.Priority.class)
class PriorityServerTest {
    public static class Priority implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tandem.engine.scheduling-policy", "priority", "tandem.engine.max-num-seqs", "1");
        }
    }

    @TestHTTPResource("/")
    URL root;

    static String completion(int maxTokens, int priority) {
        return "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":" + maxTokens
                + ",\"ignore_eos\":true,\"priority\":" + priority + "}";
    }

    CompletableFuture<Void> send(String path, String body, String name, ConcurrentLinkedQueue<String> done) {
        return CompletableFuture.runAsync(() -> {
            try {
                HttpResponse<String> r = Http.post(root + path, body);
                assertEquals(200, r.statusCode(), r.body());
                done.add(name);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    void awaitSeries(String name, String priority, double expected) throws Exception {
        for (int i = 0; i < 500; i++) {
            try {
                if (value(Http.get(root + "metrics").body(), name, priority) == expected) {
                    return;
                }
            } catch (AssertionError notYetExported) {
                // the class's meters appear with its first request
            }
            Thread.sleep(10);
        }
        throw new AssertionError(name + "{priority=" + priority + "} never reached " + expected);
    }

    /** The value of a series with the label priority=p, or NaN (and the priority series in the message) if absent. */
    static double value(String metrics, String name, String priority) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") && line.contains("priority=\"" + priority + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        List<String> seen = metrics.lines().filter(l -> l.contains("priority")).toList();
        throw new AssertionError(name + "{priority=\"" + priority + "\"} not exported; priority series: " + seen);
    }

    @Test
    void theSmallerPriorityRunsFirstAndEachClassHasItsMeters() throws Exception {
        ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> busy = send("v1/completions", completion(1000, 0), "busy", done);
        awaitSeries("tandem_priority_requests_running", "0", 1.0); // busy holds the only slot
        CompletableFuture<Void> low = send("v1/completions", completion(4, 7), "low", done);
        awaitSeries("tandem_priority_requests_waiting", "7", 1.0);
        String chat = "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"max_tokens\":4,\"priority\":-2}";
        CompletableFuture<Void> urgent = send("v1/chat/completions", chat, "urgent", done);
        CompletableFuture.allOf(busy, low, urgent).get();
        assertEquals(List.of("busy", "urgent", "low"), List.copyOf(done), "urgent arrived later but ran first");

        String metrics = Http.get(root + "metrics").body();
        for (String p : List.of("-2", "0", "7")) {
            assertEquals(1.0, value(metrics, "tandem_priority_time_to_first_token_seconds_count", p), "TTFT of " + p);
            assertEquals(0.0, value(metrics, "tandem_priority_requests_waiting", p), "waiting of " + p);
            assertEquals(0.0, value(metrics, "tandem_priority_requests_running", p), "running of " + p);
        }
    }
}
