package dev.tandem.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.device.Device;
import dev.tandem.device.Discovery;
import dev.tandem.engine.Engine;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/devices}: the NPUs and GPUs discovery found (or why none), and what each shard runs on. */
@Path("/v1/devices")
public class DevicesResource {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DeviceInventory inventory;

    @Inject
    EngineMetrics metrics;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String devices() {
        Discovery d = inventory.discovery();
        ObjectNode root = JSON.createObjectNode();
        root.put("discovery", d.status());
        var list = root.putArray("devices");
        for (Device device : d.devices()) {
            ObjectNode o = list.addObject();
            o.put("kind", device.kind().name());
            o.put("name", device.name());
            o.put("vendor_id", String.format("0x%04x", device.vendorId()));
            o.put("device_id", String.format("0x%04x", device.deviceId()));
            o.put("integrated", device.integrated());
            o.put("memory_bytes", device.memoryBytes());
        }
        Engine e = metrics.engine();
        ObjectNode shards = root.putObject("shards");
        if (e != null) {
            e.shardStates().forEach(shards::put);
        }
        return root.toString();
    }
}
