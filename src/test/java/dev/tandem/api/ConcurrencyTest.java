package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.Engine;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Many streaming clients at once get the answers a lone client gets, and every KV block comes back. */
@QuarkusTest
class ConcurrencyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/completions")
    URL completions;

    @Inject
    Engine engine;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    double aborted() {
        return registry.get("tandem.request_success")
                .tag("finished_reason", "abort")
                .counter()
                .count();
    }

    static String body(int i, boolean stream) {
        String prompt = "The city council said " + "that the new road ".repeat(i % 9) + "was number " + i;
        return "{\"model\":\"demo-llama-6m\",\"prompt\":" + JSON.valueToTree(prompt) + ",\"max_tokens\":24,"
                + "\"temperature\":0,\"ignore_eos\":true,\"stream\":" + stream + "}";
    }

    static String streamedText(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        List<String> events = Http.events(in);
        assertEquals("[DONE]", events.get(events.size() - 1));
        for (String e : events.subList(0, events.size() - 1)) {
            for (JsonNode c : JSON.readTree(e).path("choices")) {
                sb.append(c.path("text").asText());
            }
        }
        return sb.toString();
    }

    @Test
    void thirtyTwoStreamingClientsGetTheLoneClientAnswers() throws Exception {
        int n = 32;
        List<String> alone = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            alone.add(JSON.readTree(
                            Http.post(completions.toString(), body(i, false)).body())
                    .at("/choices/0/text")
                    .asText());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return streamedText(Http.openStream(completions.toString(), body(k, true)));
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        },
                        pool));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(alone.get(i), futures.get(i).get(), "client " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        awaitIdle();
    }

    /**
     * Deterministic serving over HTTP: a greedy probe's tokens and logprobs, and a seeded sampled
     * probe's tokens, do not depend on who else is being served.
     */
    @Test
    void probesGetTheSameAnswersAloneAndAmongFifteenSampledRequests() throws Exception {
        String probe =
                "{\"model\":\"demo-llama-6m\",\"prompt\":\"Once upon a time the little robot\",\"max_tokens\":20,"
                        + "\"temperature\":0,\"logprobs\":5,\"ignore_eos\":true}";
        String seeded =
                "{\"model\":\"demo-llama-6m\",\"prompt\":\"The old woman looked at the sea and\",\"max_tokens\":30,"
                        + "\"temperature\":1.2,\"seed\":1234,\"ignore_eos\":true}";
        JsonNode alone =
                JSON.readTree(Http.post(completions.toString(), probe).body()).at("/choices/0");
        String seededAlone = JSON.readTree(
                        Http.post(completions.toString(), seeded).body())
                .at("/choices/0/text")
                .asText();
        assertEquals(20, alone.at("/logprobs/tokens").size(), alone.toString());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<String>> others = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                String sampled = "{\"model\":\"demo-llama-6m\",\"prompt\":"
                        + JSON.valueToTree("Story " + i + ": " + "the dog ".repeat(i)) + ",\"max_tokens\":"
                        + (120 + 4 * i) + ",\"temperature\":1,\"seed\":" + i + ",\"ignore_eos\":true,\"stream\":true}";
                others.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return streamedText(Http.openStream(completions.toString(), sampled));
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        },
                        pool));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (engine.snapshot().numRunning() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(engine.snapshot().numRunning() >= 10, "the sampled requests run while the probe does");
            JsonNode among = JSON.readTree(
                            Http.post(completions.toString(), probe).body())
                    .at("/choices/0");
            String seededAmong = JSON.readTree(
                            Http.post(completions.toString(), seeded).body())
                    .at("/choices/0/text")
                    .asText();
            for (CompletableFuture<String> f : others) {
                f.get();
            }
            assertEquals(alone.path("text").asText(), among.path("text").asText());
            assertEquals(
                    alone.path("logprobs"), among.path("logprobs"), "bitwise equal logprobs, printed as JSON numbers");
            assertEquals(seededAlone, seededAmong, "a seed draws the same tokens from the same probabilities");
        } finally {
            pool.shutdownNow();
        }
        awaitIdle();
    }

    @Test
    void clientsThatDisconnectMidStreamGiveTheirBlocksBack() throws Exception {
        double abortedBefore = aborted();
        List<InputStream> streams = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String longer = body(i, true).replace("\"max_tokens\":24", "\"max_tokens\":400");
            streams.add(Http.openStream(completions.toString(), longer));
        }
        for (InputStream in : streams) {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int data = 0;
            while (data < 3) {
                if (r.readLine().startsWith("data: ")) {
                    data++;
                }
            }
            in.close();
        }
        awaitIdle();
        try (java.util.stream.Stream<java.nio.file.Path> shm =
                java.nio.file.Files.list(java.nio.file.Path.of("/dev/shm"))) {
            assertEquals(
                    1,
                    shm.filter(p -> p.getFileName()
                                    .toString()
                                    .equals("tandem-kv-"
                                            + ProcessHandle.current().pid()))
                            .count(),
                    "the server's KV arena is a /dev/shm segment named with its pid");
        }
        assertEquals(12, aborted() - abortedBefore, "each disconnect aborted its request (400 tokens were asked for)");
        assertTrue(engine.isAlive(java.time.Duration.ofSeconds(5)));
    }

    void awaitIdle() throws InterruptedException {
        awaitIdle(engine);
    }

    /** Waits (up to 15 s) until no request runs and no KV block is held, then asserts it. */
    static void awaitIdle(Engine engine) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline
                && (engine.snapshot().numRunning() > 0 || engine.snapshot().kvBlocksUsed() > 0)) {
            Thread.sleep(20);
        }
        assertEquals(0, engine.snapshot().numRunning(), "no request left running");
        assertEquals(0, engine.snapshot().kvBlocksUsed(), "every KV block is free (or merely cached) again");
    }
}
