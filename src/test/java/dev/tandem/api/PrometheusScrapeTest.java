package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.Engine;
import dev.tandem.testsupport.BuildEnvironment;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's package) scrapes the server while clients stream answers; what its
 * HTTP API then reports for the TTFT histogram and the token counters agrees with what the clients
 * saw, and every query of the Grafana dashboard runs and has data. promtool accepts /metrics. Skipped without Prometheus, unless TANDEM_REQUIRE_TOOLS=1.
 */
@QuarkusTest
class PrometheusScrapeTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final ObjectMapper JSON = new ObjectMapper();
    static final int REQUESTS = 6;

    @TestHTTPResource("/")
    URL root;

    @Inject
    Engine engine;

    static void requireTools() {
        BuildEnvironment.requireTool(
                Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL),
                PROMETHEUS + " and " + PROMTOOL + " (apt-get install prometheus)");
    }

    @Test
    void promtoolAcceptsTheMetrics() throws Exception {
        requireTools();
        Http.post(root + "v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":3}");
        Process check = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (var stdin = check.getOutputStream()) {
            stdin.write(Http.get(root + "metrics").body().getBytes(StandardCharsets.UTF_8));
        }
        String problems = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), "promtool check metrics: " + problems);
    }

    @Test
    void prometheusSeesWhatTheClientsSaw() throws Exception {
        requireTools();
        // The client's first stream pays for its connection and class loading: not part of a TTFT.
        streamChat(-1);
        ConcurrencyTest.awaitIdle(engine);
        Path dir = Files.createTempDirectory("tandem-prometheus");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String prometheusUrl = "http://127.0.0.1:" + port;
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 500ms
                scrape_configs:
                  - job_name: tandem
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["%s:%d"]
                """.formatted(root.getHost(), root.getPort()));
        Process prometheus = new ProcessBuilder(
                        PROMETHEUS.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        try {
            awaitValue(prometheusUrl, "up{job=\"tandem\"}", 1.0);
            Thread.sleep(1200); // two scrapes with the state before the traffic
            double countBefore = query(prometheusUrl, "tandem_time_to_first_token_seconds_count");
            double sumBefore = query(prometheusUrl, "tandem_time_to_first_token_seconds_sum");
            double tokensBefore = query(prometheusUrl, "tandem_generation_tokens_total");

            double clientTtftSum = 0;
            int clientTokens = 0;
            for (int i = 0; i < REQUESTS; i++) {
                double[] seen = streamChat(i);
                clientTtftSum += seen[0];
                clientTokens += (int) seen[1];
            }
            assertEquals(REQUESTS * 12, clientTokens);

            awaitValue(prometheusUrl, "tandem_time_to_first_token_seconds_count - " + countBefore, REQUESTS);
            awaitValue(prometheusUrl, "tandem_generation_tokens_total - " + tokensBefore, clientTokens);
            double serverTtftSum = query(prometheusUrl, "tandem_time_to_first_token_seconds_sum") - sumBefore;
            // The server's TTFT ends when the token is sent, the client's when it has arrived.
            assertTrue(
                    serverTtftSum > 0 && serverTtftSum <= clientTtftSum * 1.05 + 0.01,
                    "server TTFT sum " + serverTtftSum + " s vs client " + clientTtftSum + " s");
            // And the same order of magnitude (a unit slip would be 1000x off): the client's side adds
            // its HTTP round trip and SSE parsing, tens of ms against a server TTFT of ~20 ms here.
            assertTrue(
                    serverTtftSum >= clientTtftSum * 0.1,
                    "server TTFT sum " + serverTtftSum + " s vs client " + clientTtftSum + " s");
            double p50 = query(
                    prometheusUrl, "histogram_quantile(0.5, sum by (le) (tandem_time_to_first_token_seconds_bucket))");
            assertTrue(p50 > 0 && p50 < 30, "TTFT median from the histogram: " + p50);
            for (String dashboardQuery : GrafanaDashboard.queries()) {
                String promql = GrafanaDashboard.runnable(dashboardQuery);
                assertTrue(results(prometheusUrl, promql).size() > 0, "the dashboard's query has data: " + promql);
            }
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
            BuildEnvironment.deleteTree(dir);
        }
    }

    /** Streams one chat answer of 12 tokens; returns {seconds to its first content, completion tokens from usage}. */
    double[] streamChat(int i) throws Exception {
        long start = System.nanoTime();
        double ttft = -1;
        int tokens = 0;
        try (InputStream in = Http.openStream(
                root + "v1/chat/completions",
                "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":\"Story " + i
                        + "\"}],\"max_tokens\":12,\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}")) {
            for (String data : Http.events(in)) {
                if (data.equals("[DONE]")) {
                    continue;
                }
                JsonNode chunk = JSON.readTree(data);
                if (ttft < 0
                        && !chunk.path("choices")
                                .path(0)
                                .path("delta")
                                .path("content")
                                .asText()
                                .isEmpty()) {
                    ttft = (System.nanoTime() - start) / 1e9;
                }
                if (chunk.hasNonNull("usage")) {
                    tokens += chunk.path("usage").path("completion_tokens").asInt();
                }
            }
        }
        return new double[] {ttft, tokens};
    }

    /** The result vector of an instant query. */
    static JsonNode results(String prometheusUrl, String promql) throws Exception {
        JsonNode body = JSON.readTree(
                Http.get(prometheusUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                        .body());
        assertEquals("success", body.path("status").asText(), promql + ": " + body);
        return body.path("data").path("result");
    }

    /** The single value of an instant query, NaN when the result is empty. */
    static double query(String prometheusUrl, String promql) throws Exception {
        List<JsonNode> result = results(prometheusUrl, promql).valueStream().toList();
        if (result.isEmpty()) {
            return Double.NaN;
        }
        assertEquals(1, result.size(), promql + " gave " + result);
        return Double.parseDouble(result.get(0).path("value").path(1).asText());
    }

    static void awaitValue(String prometheusUrl, String promql, double expected) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            try {
                last = query(prometheusUrl, promql);
                if (Math.abs(last - expected) < 1e-6) {
                    return;
                }
            } catch (java.io.IOException starting) {
                // Prometheus is not listening yet.
            }
            Thread.sleep(200);
        }
        assertEquals(expected, last, 1e-6, promql);
    }
}
