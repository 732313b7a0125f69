package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.Engine;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The server with its prefill and decode shards in two worker processes on the /dev/shm arena,
 * and what happens when a worker is killed or hangs: every stream still completes with the text
 * it would have had (greedy), readiness dips and recovers, metrics count the restart, and no
 * block, segment or process is left behind.
 */
@QuarkusTest
@TestProfile(ProcessShardsServerTest.ProcessMode.class)
class ProcessShardsServerTest {
    public static class ProcessMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // No prefix caching: a crashed prefill must really be recomputed, and the reference
            // answers must not warm the cache for the runs under test.
            return Map.of(
                    "tandem.shards.mode",
                    "process",
                    "tandem.engine.threads",
                    "1",
                    "tandem.engine.prefix-caching",
                    "false",
                    "tandem.engine.max-num-batched-tokens",
                    "64",
                    "tandem.shards.step-timeout",
                    "3s",
                    "tandem.shards.restart-backoff",
                    "100ms");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern PID = Pattern.compile("process (\\d+)\\)");

    @TestHTTPResource("/")
    URL root;

    @Inject
    Engine engine;

    @Inject
    MeterRegistry registry;

    @Test
    void answersComeFromTheShardProcesses() throws Exception {
        JsonNode chat = JSON.readTree(Http.post(
                        root + "v1/chat/completions",
                        "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":"
                                + "\"user\",\"content\":\"The committee met on Monday.\"}],\"max_tokens\":32,\"temperature\":0}")
                .body());
        assertEquals(
                "These were noted, but the first two men were not the most important.",
                chat.at("/choices/0/message/content").asText());
        JsonNode devices = JSON.readTree(Http.get(root + "v1/devices").body());
        String prefill = devices.at("/shards/prefill").asText();
        String decode = devices.at("/shards/decode").asText();
        assertTrue(
                prefill.startsWith("ready: prefill (process ") && decode.startsWith("ready: decode (process "),
                devices.toString());
        assertTrue(prefill.contains("on CPU") && decode.contains("on CPU"), devices.toString());
        long self = ProcessHandle.current().pid();
        assertTrue(
                !prefill.contains("process " + self + ")") && !decode.contains("process " + self + ")"),
                "not this JVM");
        assertEquals(200, Http.get(root + "q/health/ready").statusCode());
    }

    @Test
    void killingTheDecodeShardDuringSixteenStreamsLosesNoText() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            bodies.add(completion("\"The city council said that road " + i + " was\"", 120));
        }
        Fault fault = new Fault("decode");
        List<String> streamed =
                streamAll(bodies, 3, () -> ProcessHandle.of(fault.pid).ifPresent(ProcessHandle::destroyForcibly));
        assertEquals(answersAlone(bodies), streamed);
        fault.assertRecovered();
    }

    /**
     * Structured output across a shard restart: the new decode worker gets each request again and
     * replays its outputs through the grammar, so every stream goes on inside it and ends as the
     * same valid JSON that the request gets alone.
     */
    @Test
    void grammarStreamsContinueInsideTheGrammarAcrossADecodeShardRestart() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\",\"maxLength\":60},"
                + "\"year\":{\"type\":\"integer\",\"minimum\":1900,\"maximum\":2100},\"tags\":{\"type\":\"array\","
                + "\"items\":{\"type\":\"string\",\"maxLength\":20},\"maxItems\":5}},\"required\":[\"title\",\"year\",\"tags\"]}";
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bodies.add(
                    "{\"model\":\"demo-llama-6m\",\"prompt\":\"Story " + i + ":\",\"max_tokens\":400,\"temperature\":1,"
                            + "\"seed\":" + i + ",\"stream\":true,\"structured_outputs\":{\"json\":" + schema + "}}");
        }
        List<String> alone = answersAlone(bodies);
        Fault fault = new Fault("decode");
        List<String> streamed =
                streamAll(bodies, 4, () -> ProcessHandle.of(fault.pid).ifPresent(ProcessHandle::destroyForcibly));
        assertEquals(alone, streamed);
        for (String text : streamed) {
            StructuredOutputTest.assertValid(JSON.readTree(schema), text, "after the restart");
        }
        fault.assertRecovered();
    }

    @Test
    void killingThePrefillShardDuringALongChunkedPrefillLosesNoText() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bodies.add(completion(
                    JSON.writeValueAsString(new Random(i).ints(900, 100, 4000).toArray()), 8));
        }
        List<String> alone = answersAlone(bodies);
        Fault fault = new Fault("prefill");
        AtomicBoolean firstTokenBeforeKill = new AtomicBoolean();
        // 2,700 prompt tokens in 64-token chunks: the kill lands in the middle of prefill.
        List<String> streamed = streamAll(bodies, 0, () -> {
            sleep(300);
            firstTokenBeforeKill.set(engine.snapshot().numRunning() == 0);
            ProcessHandle.of(fault.pid).ifPresent(ProcessHandle::destroyForcibly);
        });
        assertEquals(alone, streamed);
        assertFalse(firstTokenBeforeKill.get(), "the prompts were still being prefilled when the shard was killed");
        fault.assertRecovered();
    }

    @Test
    void aHungDecodeShardIsReplacedWithinTheStepTimeout() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(completion("\"The jury said " + i + "\"", 80));
        }
        Fault fault = new Fault("decode");
        long[] stoppedAt = new long[1];
        List<String> streamed = streamAll(bodies, 2, () -> {
            stoppedAt[0] = System.nanoTime();
            run("kill", "-STOP", Long.toString(fault.pid));
        });
        assertEquals(answersAlone(bodies), streamed);
        double detected = (fault.firstNotReadyNanos - stoppedAt[0]) / 1e9;
        assertTrue(
                detected > 2.5 && detected < 3 + 1.5,
                "hang detected after the 3 s step timeout, not before, took " + detected + " s");
        fault.assertRecovered();
    }

    String completion(String prompt, int maxTokens) {
        return "{\"model\":\"demo-llama-6m\",\"prompt\":" + prompt + ",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"ignore_eos\":true,\"stream\":true}";
    }

    List<String> answersAlone(List<String> bodies) throws Exception {
        List<String> out = new ArrayList<>();
        for (String body : bodies) {
            out.add(text(Http.events(Http.openStream(root + "v1/completions", body))));
        }
        return out;
    }

    static String text(List<String> events) throws Exception {
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder sb = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            sb.append(JSON.readTree(e).at("/choices/0/text").asText());
        }
        return sb.toString();
    }

    /** Streams every body at once; when each stream has had afterEvents events, runs the fault; returns the texts. */
    List<String> streamAll(List<String> bodies, int afterEvents, Runnable fault) throws Exception {
        CountDownLatch started = new CountDownLatch(bodies.size());
        List<CompletableFuture<String>> texts = new ArrayList<>();
        for (String body : bodies) {
            texts.add(CompletableFuture.supplyAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(
                        Http.openStream(root + "v1/completions", body), StandardCharsets.UTF_8))) {
                    List<String> events = new ArrayList<>();
                    boolean counted = false;
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (line.startsWith("data: ")) {
                            events.add(line.substring(6));
                        }
                        if (!counted && events.size() >= afterEvents) {
                            started.countDown();
                            counted = true;
                        }
                    }
                    return text(events);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        assertTrue(started.await(60, TimeUnit.SECONDS), "every stream started");
        fault.run();
        List<String> out = new ArrayList<>();
        for (CompletableFuture<String> t : texts) {
            out.add(t.get(120, TimeUnit.SECONDS));
        }
        return out;
    }

    /** Watches one shard through a fault: its pid before, readiness while it is down, and the cleanup after. */
    final class Fault {
        final String role;
        final long pid;
        final double restartsBefore;
        volatile long firstNotReadyNanos;
        volatile boolean sawNotReady;
        final Thread watcher;

        Fault(String role) throws Exception {
            this.role = role;
            this.pid = shardPid(role);
            this.restartsBefore = restarts();
            assertEquals(200, Http.get(root + "q/health/ready").statusCode());
            watcher = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        if (Http.get(root + "q/health/ready").statusCode() == 503 && !sawNotReady) {
                            firstNotReadyNanos = System.nanoTime();
                            sawNotReady = true;
                        }
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception ignored) {
                        // keep watching
                    }
                }
            });
        }

        double restarts() {
            return registry.get("tandem.shard_restarts")
                    .tag("role", role)
                    .counter()
                    .count();
        }

        void assertRecovered() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Http.get(root + "q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            watcher.interrupt();
            assertTrue(sawNotReady, "readiness turned false while the " + role + " shard was down");
            assertEquals(200, Http.get(root + "q/health/ready").statusCode(), "and true again once it was back");
            assertEquals(restartsBefore + 1, restarts(), "the restart is counted");
            assertTrue(registry.get("tandem.shard_failures")
                            .tag("role", role)
                            .counter()
                            .count()
                    >= 1);
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the lost worker is gone");
            long fresh = shardPid(role);
            assertNotEquals(pid, fresh);
            ConcurrencyTest.awaitIdle(engine);
            Set<Long> children = ProcessHandle.current()
                    .children()
                    .filter(ProcessHandle::isAlive)
                    .map(ProcessHandle::pid)
                    .collect(Collectors.toSet());
            assertEquals(
                    Set.of(shardPid("prefill"), shardPid("decode")), children, "exactly the two current workers run");
            try (var shm = Files.list(Path.of("/dev/shm"))) {
                List<String> mine = shm.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("tandem-"))
                        .toList();
                assertEquals(
                        List.of("tandem-kv-" + ProcessHandle.current().pid()),
                        mine,
                        "only the server's arena is in /dev/shm");
            }
        }
    }

    long shardPid(String role) throws Exception {
        String state = JSON.readTree(Http.get(root + "v1/devices").body())
                .at("/shards/" + role)
                .asText();
        Matcher m = PID.matcher(state);
        assertTrue(m.find(), state);
        return Long.parseLong(m.group(1));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void run(String... command) {
        try {
            assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
