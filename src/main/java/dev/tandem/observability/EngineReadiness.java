package dev.tandem.observability;

import dev.tandem.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the model is loaded, every shard is ready, and the server is not draining. */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {
    @Inject
    EngineMetrics metrics;

    @Inject
    DeviceInventory devices;

    @Override
    public HealthCheckResponse call() {
        Engine e = metrics.engine();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("engine");
        if (e == null) {
            return b.down().withData("model", "loading").build();
        }
        b.withData("model", e.config().modelName())
                .withData("draining", e.isDraining())
                .withData(
                        "devices",
                        devices.discovery().devices().isEmpty()
                                ? "none: " + devices.discovery().status()
                                : devices.discovery().devices().toString());
        e.shardStates().forEach((role, state) -> b.withData("shard." + role, state));
        return b.status(e.shardsReady() && !e.isDraining()).build();
    }
}
