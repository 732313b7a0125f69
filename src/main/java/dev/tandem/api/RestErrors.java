package dev.tandem.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** OpenAI error objects for the REST endpoints, and the API key check in front of them. */
public class RestErrors {
    // A provider: filters are built at static init, before configuration mappings exist.
    @Inject
    jakarta.inject.Provider<ApiConfig> config;

    @ServerRequestFilter
    public Response checkKey(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/q/")
                || path.equals("/metrics")
                || ApiKeys.allowed(config.get(), request.getHeaderString("Authorization"))) {
            return null;
        }
        return toResponse(ErrorBodies.unauthorized());
    }

    @ServerExceptionMapper
    public Response map(Exception e, jakarta.ws.rs.core.UriInfo uri, jakarta.ws.rs.core.Request request) {
        Throwable cause =
                e instanceof jakarta.ws.rs.WebApplicationException w && w.getCause() != null ? w.getCause() : e;
        // No resource or route for the path (or not this method): as OpenAI answers an unknown URL.
        if (e instanceof jakarta.ws.rs.NotFoundException || e instanceof jakarta.ws.rs.NotAllowedException) {
            jakarta.ws.rs.WebApplicationException w = (jakarta.ws.rs.WebApplicationException) e;
            String what =
                    "Invalid URL (" + request.getMethod() + " /" + uri.getPath().replaceFirst("^/", "") + ")";
            return toResponse(new ErrorBodies.Error(
                    w.getResponse().getStatus(),
                    ErrorBodies.body(what, "invalid_request_error", null, "unknown_url"),
                    null));
        }
        return toResponse(ErrorBodies.of(cause));
    }

    private static Response toResponse(ErrorBodies.Error error) {
        Response.ResponseBuilder b =
                Response.status(error.status()).type("application/json").entity(error.body());
        if (error.retryAfter() != null) {
            b.header("Retry-After", error.retryAfter());
        }
        return b.build();
    }
}
