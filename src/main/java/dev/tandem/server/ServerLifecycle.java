package dev.tandem.server;

import dev.tandem.engine.Engine;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Loads the model as the server starts (not on the first request), only when serving. */
@ApplicationScoped
public class ServerLifecycle {
    @Inject
    Provider<Engine> engine;

    @ConfigProperty(name = "tandem.serve", defaultValue = "false")
    boolean serve;

    void onStart(@Observes StartupEvent event) {
        if (serve || LaunchMode.current() == LaunchMode.TEST) {
            engine.get().snapshot();
        }
    }
}
