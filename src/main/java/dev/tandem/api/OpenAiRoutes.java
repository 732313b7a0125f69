package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.engine.Engine;
import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tools.ToolFormat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.Optional;

/**
 * {@code POST /v1/completions}, {@code /v1/chat/completions} and {@code /v1/responses}. These are Vert.x routes
 * rather than REST resources because one endpoint answers either JSON or an event stream,
 * chosen after validating the body, and a closed connection must abort the request at once.
 */
@ApplicationScoped
public class OpenAiRoutes {
    @Inject
    Provider<Engine> engine;

    @Inject
    Provider<ChatPrompt> chatTemplate;

    @Inject
    ApiConfig config;

    /** Turns a request body into the call that answers it through the sink. */
    @FunctionalInterface
    private interface CallFactory {
        ApiCall create(JsonNode body, Engine engine, ResponseSink sink);
    }

    void register(@Observes Router router) {
        // A misspelt parser stops the server at start, saying which exist.
        toolFormat = ToolFormat.configured(config.toolCallParser());
        route(
                router,
                "/v1/completions",
                (body, e, sink) -> new GenerationCall(e, CompletionsParser.parse(body, e), false, sink));
        route(
                router,
                "/v1/chat/completions",
                (body, e, sink) ->
                        new GenerationCall(e, ChatParser.parse(body, e, chatTemplate.get(), toolStyle(e)), true, sink));
        route(router, "/v1/embeddings", EmbeddingsCall::new);
        route(
                router,
                "/v1/responses",
                (body, e, sink) ->
                        new ResponsesCall(e, ResponsesParser.parse(body, e, chatTemplate.get(), toolStyle(e)), sink));
    }

    private Optional<ToolFormat> toolFormat;
    private volatile ToolStyle toolStyle;

    /** Read from the template on the first chat request (the engine and template are lazy beans). */
    private ToolStyle toolStyle(Engine e) {
        ToolStyle style = toolStyle;
        if (style == null) {
            style = ToolStyle.of(chatTemplate.get(), e.tokenizer(), toolFormat);
            toolStyle = style;
        }
        return style;
    }

    private void route(Router router, String path, CallFactory calls) {
        router.post(path)
                .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                .blockingHandler(rc -> handle(rc, calls), false)
                .failureHandler(rc -> {
                    if (rc.statusCode() == 413) {
                        send(
                                rc.response(),
                                new ErrorBodies.Error(
                                        413,
                                        ErrorBodies.body(
                                                "the request body exceeds " + config.maxBodyBytes() + " bytes",
                                                "invalid_request_error",
                                                null,
                                                "body_too_large"),
                                        null));
                    } else {
                        send(
                                rc.response(),
                                ErrorBodies.of(
                                        rc.failure() != null
                                                ? rc.failure()
                                                : new IllegalStateException("status " + rc.statusCode())));
                    }
                });
    }

    private void handle(RoutingContext rc, CallFactory calls) {
        if (!ApiKeys.allowed(config, rc.request().getHeader("Authorization"))) {
            send(rc.response(), ErrorBodies.unauthorized());
            return;
        }
        try {
            JsonNode body = ResponseJson.JSON.readTree(
                    rc.body().buffer() == null
                            ? new byte[0]
                            : rc.body().buffer().getBytes());
            Engine e = engine.get();
            ApiCall call = calls.create(body, e, new VertxSink(rc.response()));
            rc.response().closeHandler(v -> call.abort());
            call.start();
        } catch (Exception ex) {
            if (!rc.response().headWritten()) {
                send(rc.response(), ErrorBodies.of(ex));
            }
        }
    }

    static void send(HttpServerResponse response, ErrorBodies.Error error) {
        if (response.headWritten()) {
            return;
        }
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        if (error.retryAfter() != null) {
            response.putHeader("Retry-After", error.retryAfter());
        }
        response.end(error.body());
    }

    /** Writes through Vert.x, whose response methods may be called from the engine thread. */
    private record VertxSink(HttpServerResponse response) implements ResponseSink {
        @Override
        public void json(int status, String body) {
            if (!response.closed() && !response.ended()) {
                response.setStatusCode(status)
                        .putHeader("Content-Type", "application/json")
                        .end(body);
            }
        }

        @Override
        public void startEvents() {
            response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache");
        }

        @Override
        public void event(String data) {
            if (!response.closed() && !response.ended()) {
                response.write("data: " + data + "\n\n");
            }
        }

        @Override
        public void event(String name, String data) {
            if (!response.closed() && !response.ended()) {
                response.write("event: " + name + "\ndata: " + data + "\n\n");
            }
        }

        @Override
        public void endEvents() {
            if (!response.closed() && !response.ended()) {
                response.end();
            }
        }
    }
}
