package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.bench.ServingClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem bench serve}: drives a running server's /v1/completions like vLLM's
 * benchmark_serving (random token-id prompts, streaming, ignore_eos) at each concurrency, and
 * prints request throughput, output tokens/s and TTFT/TPOT/E2E percentiles, as a table and JSON.
 * With --shared-prefix-tokens it measures time to first token with a cold and a cached prefix.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Benchmark a running server over HTTP.")
public class ServingBenchCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8000")
    String url;

    @Option(names = "--api-key")
    String apiKey;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,16")
    int[] concurrency;

    @Option(names = "--requests-per-client", defaultValue = "2", description = "requests each concurrent client sends")
    int perClient;

    @Option(names = "--prompt-tokens", defaultValue = "128")
    int promptTokens;

    @Option(names = "--output-tokens", defaultValue = "64")
    int outputTokens;

    @Option(
            names = "--shared-prefix-tokens",
            defaultValue = "0",
            description = "measure TTFT cold vs cached with a prefix this long")
    int sharedPrefix;

    @Option(names = "--prefix-trials", defaultValue = "5")
    int prefixTrials;

    @Option(names = "--token-range", defaultValue = "4000", description = "prompt ids are drawn from [100, this)")
    int tokenRange;

    @Option(names = "--json", description = "also write the results to this file")
    Path json;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(
            names = "--warmup-tokens",
            defaultValue = "64",
            description = "output tokens per warm-up request (warm-up is discarded)")
    int warmupTokens;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "5",
            description =
                    "repeat the warm-up run at the highest concurrency for at least" + " this long (one run at least)")
    double warmupSeconds;

    @Option(
            names = "--prompt-ids",
            split = ",",
            description = "send exactly this prompt (token ids) instead of random ones,"
                    + " e.g. to compare with `tandem generate --prompt-ids`")
    int[] promptIds;

    @Override
    public Integer call() throws Exception {
        ServingClient client = new ServingClient(url, apiKey);
        String model = client.modelName();
        Random random = new Random(seed);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        out.put("url", url);
        out.put("model", model);
        out.put("prompt_tokens", promptIds != null ? promptIds.length : promptTokens);
        out.put("output_tokens", outputTokens);
        // Warm-up, discarded: runs at the highest concurrency and one single stream compile the
        // server's (and its shard processes', and this client's) hot paths for both batch shapes;
        // the per-step code runs once per step, so it takes a few hundred steps to be compiled.
        int maxConcurrency = java.util.Arrays.stream(concurrency).max().orElse(1);
        List<int[]> warm = new ArrayList<>();
        for (int i = 0; i < maxConcurrency; i++) {
            warm.add(ids(random, Math.min(promptTokens, 32)));
        }
        long warmUntil = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            client.run(model, warm, warmupTokens, maxConcurrency);
        } while (System.nanoTime() < warmUntil);
        client.run(model, warm.subList(0, 1), warmupTokens, 1);
        System.out.printf(
                "model %s, prompts of %d tokens, %d output tokens (ignore_eos), %d requests per client%n",
                model, promptIds != null ? promptIds.length : promptTokens, outputTokens, perClient);
        System.out.printf(
                "%-11s %9s %12s %10s %10s %10s %10s %10s %10s%n",
                "concurrency",
                "req/s",
                "output tok/s",
                "TTFT p50",
                "TTFT p90",
                "TTFT p99",
                "TPOT p50",
                "TPOT p90",
                "E2E p50");
        var runs = out.putArray("runs");
        for (int c : concurrency) {
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < c * perClient; i++) {
                prompts.add(promptIds != null ? promptIds : ids(random, promptTokens));
            }
            ServingClient.Run run = client.run(model, prompts, outputTokens, c);
            System.out.printf(
                    "%-11d %9.2f %12.1f %9.0fms %9.0fms %9.0fms %9.1fms %9.1fms %9.0fms%n",
                    c,
                    run.requestsPerSecond(),
                    run.outputTokensPerSecond(),
                    run.ttft(50) * 1e3,
                    run.ttft(90) * 1e3,
                    run.ttft(99) * 1e3,
                    run.tpot(50) * 1e3,
                    run.tpot(90) * 1e3,
                    run.e2e(50) * 1e3);
            runs.add(run.toJson(mapper, c));
        }
        if (sharedPrefix > 0) {
            prefix(client, model, random, out);
        }
        if (json != null) {
            Files.writeString(json, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        }
        System.out.println(mapper.writeValueAsString(out));
        return 0;
    }

    /** TTFT of a request whose long prefix is new (cold) against one that shares it (cached), medians over trials. */
    private void prefix(ServingClient client, String model, Random random, ObjectNode out) throws Exception {
        double[] cold = new double[prefixTrials];
        double[] cached = new double[prefixTrials];
        for (int t = 0; t < prefixTrials; t++) {
            int[] prefix = ids(random, sharedPrefix);
            cold[t] = client.timeToFirstToken(model, concat(prefix, ids(random, 16)));
            cached[t] = client.timeToFirstToken(model, concat(prefix, ids(random, 16)));
        }
        java.util.Arrays.sort(cold);
        java.util.Arrays.sort(cached);
        double c = cold[prefixTrials / 2];
        double h = cached[prefixTrials / 2];
        System.out.printf(
                "shared %d-token prefix + 16 new tokens: TTFT cold %.0f ms, cached %.0f ms, cached/cold %.2f%n",
                sharedPrefix, c * 1e3, h * 1e3, h / c);
        ObjectNode p = out.putObject("prefix_cache");
        p.put("shared_prefix_tokens", sharedPrefix);
        p.put("ttft_cold_ms", c * 1e3);
        p.put("ttft_cached_ms", h * 1e3);
        p.put("cached_over_cold", h / c);
    }

    private int[] ids(Random random, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 100 + random.nextInt(tokenRange - 100);
        }
        return ids;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
