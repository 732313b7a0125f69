package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/tandem.json only asks for series this server exports, and covers what an operator
 * watches. (PrometheusScrapeTest also runs every one of its queries against a real Prometheus.)
 */
@QuarkusTest
class GrafanaDashboardTest {
    @TestHTTPResource("/")
    URL root;

    @Test
    void everyQueryNamesAnExportedSeries() throws Exception {
        Http.post(root + "v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":3}");
        Set<String> exported = new HashSet<>();
        for (String line : Http.get(root + "metrics").body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
        List<String> queries = GrafanaDashboard.queries();
        assertTrue(queries.size() >= 15, "queries: " + queries.size());
        Set<String> unknown = new TreeSet<>();
        for (String query : queries) {
            Set<String> names = GrafanaDashboard.tandemMetrics(query);
            assertFalse(names.isEmpty(), "query names no Tandem series: " + query);
            for (String name : names) {
                if (!exported.contains(name)) {
                    unknown.add(name);
                }
            }
        }
        assertEquals(Set.of(), unknown, "series the dashboard asks for but /metrics does not have");
    }

    @Test
    void coversWhatAnOperatorWatches() throws Exception {
        Set<String> titles = new TreeSet<>();
        for (JsonNode panel : GrafanaDashboard.json().path("panels")) {
            titles.add(panel.path("title").asText());
            assertEquals(
                    "${datasource}",
                    panel.path("datasource").path("uid").asText(),
                    "panel uses the chosen data source");
        }
        for (String title : List.of(
                "Throughput",
                "Time to first token",
                "Time per output token",
                "Requests running and waiting",
                "KV cache usage",
                "Prefix cache hit rate",
                "Preemptions",
                "Shard restarts and failures",
                "Step time per shard")) {
            assertTrue(titles.contains(title), "panel " + title + " in " + titles);
        }
        String all = String.join("\n", GrafanaDashboard.queries());
        for (String series : List.of(
                "tandem_time_to_first_token_seconds_bucket",
                "tandem_time_per_output_token_seconds_bucket",
                "tandem_shard_restarts_total",
                "tandem_step_duration_seconds_bucket",
                "tandem_prefix_cache_hits_total")) {
            assertTrue(all.contains(series), series);
        }
    }
}
