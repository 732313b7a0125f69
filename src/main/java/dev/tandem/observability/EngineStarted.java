package dev.tandem.observability;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the model is loaded and the engine runs. */
@Startup
@ApplicationScoped
public class EngineStarted implements HealthCheck {
    @Inject
    EngineMetrics metrics;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("engine-started")
                .status(metrics.engine() != null)
                .build();
    }
}
