package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import dev.tandem.engine.EngineRequest;
import dev.tandem.engine.GeneratedToken;
import dev.tandem.engine.RequestObserver;
import dev.tandem.engine.RequestSummary;
import dev.tandem.request.FinishReason;
import dev.tandem.request.SamplingParams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/embeddings}: every input is a prefill-only request through the scheduler (batched
 * with generation traffic), whose pooled, L2-normalized last hidden state comes back; the vectors
 * go out in input order, as floats or as base64 of little-endian float32 (encoding_format).
 */
final class EmbeddingsCall implements ApiCall {
    private static final Set<String> NAMES = Set.of("model", "input", "encoding_format", "dimensions", "user");

    private final Engine engine;
    private final ResponseSink sink;
    private final String model;
    private final boolean base64;
    private final List<int[]> inputs = new ArrayList<>();
    private final float[][] vectors;
    private final List<Input> submitted = new ArrayList<>();
    private final String id = "embd-" + UUID.randomUUID().toString().replace("-", "");
    private int numDone;
    private boolean failed;

    EmbeddingsCall(JsonNode body, Engine engine, ResponseSink sink) {
        RequestFields f = new RequestFields(body, NAMES);
        this.engine = engine;
        this.sink = sink;
        this.model = ModelNames.check(f, engine);
        String format = f.string("encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid("encoding_format", "'encoding_format' must be float or base64, got " + format);
        }
        this.base64 = format.equals("base64");
        if (f.has("dimensions")) {
            // The model's hidden size is the only size it has (no Matryoshka truncation).
            throw ApiException.unsupported("dimensions", "'dimensions' (this model's embeddings have one size)");
        }
        PromptInput.read("input", f.node("input"), engine, 256, inputs, new ArrayList<>());
        for (int[] input : inputs) {
            if (input.length >= engine.maxModelLen()) {
                throw ApiException.invalid(
                        "input",
                        "an input of " + input.length + " tokens exceeds this model's context of "
                                + engine.maxModelLen() + " tokens");
            }
        }
        this.vectors = new float[inputs.size()][];
    }

    private final class Input implements RequestObserver {
        final int index;
        final String requestId;

        Input(int index) {
            this.index = index;
            this.requestId = id + "-" + index;
        }

        @Override
        public void onToken(GeneratedToken token) {}

        @Override
        public void onEmbedding(float[] vector) {
            synchronized (EmbeddingsCall.this) {
                vectors[index] = vector;
            }
        }

        @Override
        public void onFinish(RequestSummary summary) {
            synchronized (EmbeddingsCall.this) {
                if (vectors[index] == null && summary.finishReason() != FinishReason.ABORT) {
                    failed = true;
                }
                if (++numDone == vectors.length) {
                    complete();
                }
            }
        }
    }

    @Override
    public synchronized void start() {
        SamplingParams params = SamplingParams.builder()
                .temperature(0f)
                .maxTokens(1)
                .pooling(Optional.of(engine.config().pooling()))
                .build();
        try {
            for (int i = 0; i < inputs.size(); i++) {
                Input in = new Input(i);
                engine.submit(new EngineRequest(in.requestId, inputs.get(i), params, -1), in);
                submitted.add(in);
            }
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    @Override
    public synchronized void abort() {
        submitted.forEach(in -> engine.abort(in.requestId));
    }

    private void complete() {
        if (failed) {
            sink.json(500, ErrorBodies.body("an embedding was not computed", "server_error", null, null));
            return;
        }
        for (float[] v : vectors) {
            if (v == null) {
                return; // aborted: the client is gone
            }
        }
        ObjectNode body = ResponseJson.JSON.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        int tokens = 0;
        for (int i = 0; i < vectors.length; i++) {
            ObjectNode e = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(vectors[i].length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(vectors[i]);
                e.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = e.putArray("embedding");
                for (float x : vectors[i]) {
                    values.add(x);
                }
            }
            tokens += inputs.get(i).length;
        }
        body.put("model", model);
        body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        sink.json(200, body.toString());
    }
}
