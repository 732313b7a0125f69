package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL of deploy/grafana/tandem.json: panel targets and template variable queries. */
final class GrafanaDashboard {
    static final Path FILE = Path.of("deploy/grafana/tandem.json");
    static final Pattern TANDEM_METRIC = Pattern.compile("\\btandem_[a-z0-9_]+");

    private GrafanaDashboard() {}

    static JsonNode json() throws Exception {
        return new ObjectMapper().readTree(FILE.toFile());
    }

    /** Every query as Grafana writes it, with its variables still in. */
    static List<String> queries() throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode dashboard = json();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                out.add(variable.path("definition").asText());
            }
        }
        return out;
    }

    /** A query as Prometheus can run it: variables replaced the way Grafana would for "all instances". */
    static String runnable(String query) {
        Matcher labelValues = Pattern.compile("label_values\\((\\w+), *\\w+\\)").matcher(query);
        if (labelValues.matches()) {
            return labelValues.group(1);
        }
        return query.replace("$__rate_interval", "1m").replace("$instance", ".*");
    }

    static Set<String> tandemMetrics(String query) {
        Set<String> names = new TreeSet<>();
        Matcher m = TANDEM_METRIC.matcher(query);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
