package dev.tandem.observability;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** Serves the Prometheus text at {@code /metrics} (where vLLM and most scrapers look) as well as at /q/metrics. */
@ApplicationScoped
public class MetricsRoute {
    @Inject
    PrometheusMeterRegistry registry;

    void register(@Observes Router router) {
        router.get("/metrics")
                .handler(rc -> rc.response()
                        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(registry.scrape()));
    }
}
