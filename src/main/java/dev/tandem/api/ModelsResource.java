package dev.tandem.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/models}: the one model this server serves. */
@Path("/v1/models")
public class ModelsResource {
    private static final long STARTED = System.currentTimeMillis() / 1000;

    @Inject
    Provider<Engine> engine;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String list() {
        Engine e = engine.get();
        ObjectNode root = ResponseJson.JSON.createObjectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", e.config().modelName());
        m.put("object", "model");
        m.put("created", STARTED);
        m.put("owned_by", "tandem");
        m.put("max_model_len", e.maxModelLen());
        return root.toString();
    }
}
