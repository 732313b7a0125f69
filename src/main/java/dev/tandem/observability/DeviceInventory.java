package dev.tandem.observability;

import dev.tandem.device.Discovery;
import dev.tandem.device.LevelZeroDiscovery;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Runs device discovery once at startup, logs what it found, and keeps it for /v1/devices and readiness. */
@ApplicationScoped
public class DeviceInventory {
    private static final Logger LOG = Logger.getLogger(DeviceInventory.class);
    private volatile Discovery discovery;

    void onStart(@Observes StartupEvent event) {
        Discovery d = discovery();
        LOG.infof(
                "devices: %s%s",
                d.devices().isEmpty() ? "none" : d.devices(), d.devices().isEmpty() ? " (" + d.status() + ")" : "");
    }

    public Discovery discovery() {
        Discovery d = discovery;
        if (d == null) {
            d = LevelZeroDiscovery.discover();
            discovery = d;
        }
        return d;
    }
}
