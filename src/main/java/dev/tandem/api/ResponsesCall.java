package dev.tandem.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import dev.tandem.engine.EngineRequest;
import dev.tandem.engine.GeneratedToken;
import dev.tandem.engine.RequestObserver;
import dev.tandem.engine.RequestSummary;
import dev.tandem.request.FinishReason;
import dev.tandem.tools.AnswerDelta;
import dev.tandem.tools.AnswerParser;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One {@code /v1/responses} request in flight. The answer, taken apart as it comes, becomes output
 * items (reasoning, message, function_call), one open at a time; streamed, each step is an event
 * with a rising sequence_number (item added, part added, text or argument deltas, done events,
 * then response.completed, .incomplete or .failed). Observer calls come on the engine thread.
 */
final class ResponsesCall implements ApiCall, RequestObserver {
    private final Engine engine;
    private final ResponsesParser.Parsed parsed;
    private final ResponseSink sink;
    private final ResponseObject response;
    private final AnswerParser parser;
    private final ChoiceInput input;
    private final String requestId;
    private final boolean stream;
    private final List<OutputItem> output = new ArrayList<>();
    private OutputItem open;
    private int sequence;
    private int reasoningTokens;

    ResponsesCall(Engine engine, ResponsesParser.Parsed parsed, ResponseSink sink) {
        this.engine = engine;
        this.parsed = parsed;
        this.sink = sink;
        GenerationRequest r = parsed.request();
        this.input = r.choices().getFirst();
        this.stream = r.stream();
        this.response =
                new ResponseObject("resp_" + UUID.randomUUID().toString().replace("-", ""), r.model(), parsed.body());
        this.requestId = response.id();
        this.parser = r.parsing() != null ? r.parsing().newParser() : new AnswerParser(null, false, false);
    }

    @Override
    public synchronized void start() {
        engine.submit(new EngineRequest(requestId, input.promptTokens(), input.params(), -1), this);
        if (stream) {
            sink.startEvents();
            emit(
                    "response.created",
                    ResponseJson.JSON.createObjectNode().set("response", response.json("in_progress", output, null)));
            emit(
                    "response.in_progress",
                    ResponseJson.JSON.createObjectNode().set("response", response.json("in_progress", output, null)));
        }
    }

    @Override
    public void abort() {
        engine.abort(requestId);
    }

    @Override
    public synchronized void onToken(GeneratedToken token) {
        List<AnswerDelta> deltas = parser.feed(
                parsed.request().parsing() == null
                        ? token.text()
                        : parsed.request().parsing().style().textOf(token.token(), token.text()));
        if (!deltas.isEmpty() && deltas.stream().allMatch(d -> d instanceof AnswerDelta.Reasoning)) {
            reasoningTokens++;
        }
        deltas.forEach(this::apply);
    }

    @Override
    public synchronized void onFinish(RequestSummary s) {
        parser.feed(s.finalText()).forEach(this::apply);
        parser.finish().forEach(this::apply);
        close();
        String status = switch (s.finishReason()) {
            case STOP -> "completed";
            case LENGTH -> "incomplete";
            case ABORT -> "failed";
        };
        ObjectNode usage = ResponseJson.JSON
                .createObjectNode()
                .put("input_tokens", s.promptTokens())
                .put("output_tokens", s.completionTokens())
                .put("total_tokens", s.promptTokens() + s.completionTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", s.cachedPromptTokens());
        usage.putObject("output_tokens_details").put("reasoning_tokens", reasoningTokens);
        ObjectNode body = response.json(status, output, usage);
        if (s.finishReason() == FinishReason.LENGTH) {
            body.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else if (s.finishReason() == FinishReason.ABORT) {
            body.putObject("error")
                    .put("code", "server_error")
                    .put("message", "the request was aborted before it completed");
        }
        if (!stream) {
            sink.json(200, body.toString());
            return;
        }
        emit("response." + status, ResponseJson.JSON.createObjectNode().set("response", body));
        sink.endEvents();
    }

    private void apply(AnswerDelta d) {
        switch (d) {
            case AnswerDelta.Content t -> {
                openItem(OutputItem.Kind.MESSAGE, null, null);
                open.text.append(t.text());
                emit(
                        "response.output_text.delta",
                        open.event()
                                .put("content_index", 0)
                                .put("delta", t.text())
                                .set("logprobs", ResponseJson.JSON.createArrayNode()));
            }
            case AnswerDelta.Reasoning t -> {
                openItem(OutputItem.Kind.REASONING, null, null);
                open.text.append(t.text());
                emit(
                        "response.reasoning_text.delta",
                        open.event().put("content_index", 0).put("delta", t.text()));
            }
            case AnswerDelta.CallStart c -> {
                close();
                openItem(OutputItem.Kind.FUNCTION_CALL, c.id(), c.name());
            }
            case AnswerDelta.CallArguments a -> {
                open.text.append(a.fragment());
                emit("response.function_call_arguments.delta", open.event().put("delta", a.fragment()));
            }
        }
    }

    private void openItem(OutputItem.Kind kind, String callId, String name) {
        if (open != null && open.kind == kind && kind != OutputItem.Kind.FUNCTION_CALL) {
            return;
        }
        close();
        open = new OutputItem(kind, output.size(), callId, name);
        output.add(open);
        emit("response.output_item.added", open.event().set("item", open.json("in_progress")));
        if (kind != OutputItem.Kind.FUNCTION_CALL) {
            emit(
                    "response.content_part.added",
                    open.event().put("content_index", 0).set("part", open.part("")));
        }
    }

    private void close() {
        if (open == null) {
            return;
        }
        OutputItem item = open;
        open = null;
        item.done = true;
        String text = item.text.toString();
        switch (item.kind) {
            case MESSAGE -> {
                emit(
                        "response.output_text.done",
                        item.event()
                                .put("content_index", 0)
                                .put("text", text)
                                .set("logprobs", ResponseJson.JSON.createArrayNode()));
                emit(
                        "response.content_part.done",
                        item.event().put("content_index", 0).set("part", item.part(text)));
            }
            case REASONING -> {
                emit(
                        "response.reasoning_text.done",
                        item.event().put("content_index", 0).put("text", text));
                emit(
                        "response.content_part.done",
                        item.event().put("content_index", 0).set("part", item.part(text)));
            }
            case FUNCTION_CALL ->
                emit(
                        "response.function_call_arguments.done",
                        item.event().put("name", item.name).put("arguments", text));
        }
        emit("response.output_item.done", item.event().set("item", item.json("completed")));
    }

    private void emit(String type, ObjectNode event) {
        if (stream) {
            ObjectNode e =
                    ResponseJson.JSON.createObjectNode().put("type", type).put("sequence_number", sequence++);
            e.setAll(event);
            sink.event(type, e.toString());
        }
    }
}
