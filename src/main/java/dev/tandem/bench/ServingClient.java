package dev.tandem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** The benchmark's HTTP client: streaming completions with per-request timings (see {@link StreamingPost}). */
public final class ServingClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String url;
    private final String apiKey;

    public record Timing(double ttft, double e2e, int outputTokens) {
        public double tpot() {
            return outputTokens > 1 ? (e2e - ttft) / (outputTokens - 1) : 0;
        }
    }

    public record Run(List<Timing> timings, double seconds) {
        public double requestsPerSecond() {
            return timings.size() / seconds;
        }

        public double outputTokensPerSecond() {
            return timings.stream().mapToInt(Timing::outputTokens).sum() / seconds;
        }

        public double ttft(int p) {
            return percentile(timings.stream().mapToDouble(Timing::ttft).toArray(), p);
        }

        public double tpot(int p) {
            return percentile(timings.stream().mapToDouble(Timing::tpot).toArray(), p);
        }

        public double e2e(int p) {
            return percentile(timings.stream().mapToDouble(Timing::e2e).toArray(), p);
        }

        public ObjectNode toJson(ObjectMapper mapper, int concurrency) {
            ObjectNode o = mapper.createObjectNode();
            o.put("concurrency", concurrency);
            o.put("requests", timings.size());
            o.put("duration_s", seconds);
            o.put("request_throughput", requestsPerSecond());
            o.put("output_throughput", outputTokensPerSecond());
            for (int p : new int[] {50, 90, 99}) {
                o.put("ttft_p" + p + "_ms", ttft(p) * 1e3);
                o.put("tpot_p" + p + "_ms", tpot(p) * 1e3);
                o.put("e2e_p" + p + "_ms", e2e(p) * 1e3);
            }
            o.put(
                    "ttft_mean_ms",
                    timings.stream().mapToDouble(Timing::ttft).average().orElse(0) * 1e3);
            o.put(
                    "tpot_mean_ms",
                    timings.stream().mapToDouble(Timing::tpot).average().orElse(0) * 1e3);
            return o;
        }
    }

    public ServingClient(String url, String apiKey) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.apiKey = apiKey;
    }

    public String modelName() throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url + "/v1/models")).GET();
        auth(b);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/models answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body()).at("/data/0/id").asText();
    }

    /** One streaming completion with ignore_eos; returns its timings. */
    public Timing complete(String model, int[] prompt, int maxTokens) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        var p = body.putArray("prompt");
        Arrays.stream(prompt).forEach(p::add);
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("ignore_eos", true);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        long first = 0;
        int tokens = 0;
        try (StreamingPost post =
                new StreamingPost(URI.create(url + "/v1/completions"), apiKey, json, 30 * 60 * 1000)) {
            if (post.status() != 200) {
                throw new IllegalStateException("POST /v1/completions answered " + post.status() + ": "
                        + new String(post.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(post.body(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                    continue;
                }
                // Parsed only while the first token is awaited and for the usage chunk: the client
                // shares the cores with the server it measures, so it should spend little per token.
                if (first != 0 && !line.contains("\"usage\"")) {
                    continue;
                }
                JsonNode chunk = JSON.readTree(line.substring(6));
                if (chunk.hasNonNull("usage")) {
                    tokens = chunk.get("usage").get("completion_tokens").asInt();
                } else if (first == 0 && !chunk.at("/choices/0/text").asText().isEmpty()) {
                    first = System.nanoTime();
                }
            }
        }
        long end = System.nanoTime();
        return new Timing(((first == 0 ? end : first) - t0) / 1e9, (end - t0) / 1e9, tokens);
    }

    public double timeToFirstToken(String model, int[] prompt) throws Exception {
        return complete(model, prompt, 1).e2e();
    }

    /** Sends every prompt with {@code concurrency} clients in parallel. */
    public Run run(String model, List<int[]> prompts, int maxTokens, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger next = new AtomicInteger();
        List<Timing> timings = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                clients.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < prompts.size(); i = next.getAndIncrement()) {
                        timings.add(complete(model, prompts.get(i), maxTokens));
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Run(List.copyOf(timings), (System.nanoTime() - t0) / 1e9);
    }

    private void auth(HttpRequest.Builder b) {
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
    }

    static double percentile(double[] values, int p) {
        if (values.length == 0) {
            return 0;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v[Math.min(v.length - 1, (int) Math.ceil(p / 100.0 * v.length) - 1)];
    }
}
