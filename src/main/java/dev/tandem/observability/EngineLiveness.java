package dev.tandem.observability;

import dev.tandem.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the scheduler loop runs and comes round (it does every 20 ms when idle, after each step when busy). */
@Liveness
@ApplicationScoped
public class EngineLiveness implements HealthCheck {
    private static final Duration STALL = Duration.ofSeconds(60);

    @Inject
    EngineMetrics metrics;

    @Override
    public HealthCheckResponse call() {
        Engine e = metrics.engine();
        if (e == null) {
            return HealthCheckResponse.named("engine-loop")
                    .up()
                    .withData("state", "model not loaded yet")
                    .build();
        }
        return HealthCheckResponse.named("engine-loop")
                .status(e.isAlive(STALL) || e.isDraining())
                .withData("running", e.snapshot().numRunning())
                .withData("waiting", e.snapshot().numWaiting())
                .build();
    }
}
