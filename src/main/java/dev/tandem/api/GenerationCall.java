package dev.tandem.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.Engine;
import dev.tandem.engine.EngineRequest;
import dev.tandem.engine.GeneratedToken;
import dev.tandem.engine.PromptLogprobs;
import dev.tandem.engine.RequestObserver;
import dev.tandem.engine.RequestSummary;
import dev.tandem.request.FinishReason;
import dev.tandem.tools.AnswerDelta;
import dev.tandem.tools.AnswerParser;
import dev.tandem.tools.ParsedAnswer;
import java.util.ArrayList;
import java.util.List;

/**
 * One completions or chat request in flight: its choices are submitted to the engine as separate
 * requests; their tokens are streamed as chunks or gathered into one response. Observer calls
 * come on the engine thread; {@link #abort} may come from any thread.
 */
final class GenerationCall implements ApiCall {
    private final Engine engine;
    private final GenerationRequest request;
    private final ResponseSink sink;
    private final ResponseJson json;
    private final boolean logprobs;
    private final Choice[] choices;
    private int numFinished;

    private final class Choice implements RequestObserver {
        final ChoiceInput input;
        final String requestId;
        final StringBuilder text = new StringBuilder();
        final List<GeneratedToken> tokens = new ArrayList<>();
        /** Takes a chat answer apart into content, reasoning and tool calls; null where it is all content. */
        final AnswerParser parser;

        RequestSummary summary;
        ParsedAnswer answer;
        PromptLogprobs prompt;

        Choice(ChoiceInput input) {
            this.input = input;
            this.requestId = json.id() + "-" + input.index();
            this.parser = request.parsing() == null ? null : request.parsing().newParser();
        }

        @Override
        public void onToken(GeneratedToken token) {
            synchronized (GenerationCall.this) {
                onTokenLocked(token);
            }
        }

        private void onTokenLocked(GeneratedToken token) {
            if (parser != null) {
                List<AnswerDelta> deltas = parser.feed(request.parsing().style().textOf(token.token(), token.text()));
                if (!request.stream()) {
                    tokens.add(token);
                } else if (!deltas.isEmpty() || logprobs) {
                    sink.event(json.chatDelta(input.index(), deltas, List.of(token), logprobs, null));
                }
                return;
            }
            if (request.stream()) {
                if (!token.text().isEmpty() || logprobs) {
                    sink.event(json.chunk(input.index(), token.text(), List.of(token), logprobs, null, false));
                }
            } else {
                text.append(token.text());
                tokens.add(token);
            }
        }

        @Override
        public void onPromptLogprobs(PromptLogprobs p) {
            synchronized (GenerationCall.this) {
                prompt = p;
                if (request.stream()) {
                    ObjectNode chunk = json.envelope(true);
                    ObjectNode c = chunk.putArray("choices").addObject();
                    c.put("index", input.index()).put("text", input.echo() != null ? input.echo() : "");
                    c.putNull("logprobs");
                    addPromptLogprobs(c, this);
                    c.putNull("finish_reason");
                    sink.event(chunk.toString());
                }
            }
        }

        @Override
        public void onFinish(RequestSummary s) {
            synchronized (GenerationCall.this) {
                onFinishLocked(s);
            }
        }

        private void onFinishLocked(RequestSummary s) {
            summary = s;
            text.append(s.finalText());
            if (parser != null) {
                List<AnswerDelta> deltas = new ArrayList<>(parser.feed(s.finalText()));
                deltas.addAll(parser.finish());
                answer = parser.answer();
                if (request.stream()) {
                    if (!deltas.isEmpty()) {
                        sink.event(json.chatDelta(input.index(), deltas, null, false, null));
                    }
                    sink.event(json.chatDelta(input.index(), List.of(), null, false, finishReason()));
                }
            } else if (request.stream()) {
                sink.event(json.chunk(
                        input.index(),
                        s.finalText(),
                        null,
                        false,
                        s.finishReason().apiName(),
                        false));
            }
            if (++numFinished == choices.length) {
                complete();
            }
        }

        /** tool_calls where the model ended its answer with calls; otherwise the engine's reason. */
        String finishReason() {
            String reason = summary.finishReason().apiName();
            return answer != null && !answer.calls().isEmpty() && summary.finishReason() == FinishReason.STOP
                    ? "tool_calls"
                    : reason;
        }
    }

    GenerationCall(Engine engine, GenerationRequest request, boolean chat, ResponseSink sink) {
        this.engine = engine;
        this.request = request;
        this.sink = sink;
        this.json = new ResponseJson(chat, request.model(), engine.tokenizer());
        this.logprobs = request.numTopLogprobs() >= 0;
        this.choices = new Choice[request.choices().size()];
        for (int i = 0; i < choices.length; i++) {
            choices[i] = new Choice(request.choices().get(i));
        }
    }

    /**
     * Submits every choice (if the engine refuses one, those already submitted are aborted and
     * nothing has been written), then opens the event stream. Engine callbacks wait on this
     * object's lock, so no chunk can overtake the stream's first chunks.
     */
    @Override
    public synchronized void start() {
        int submitted = 0;
        try {
            for (Choice c : choices) {
                engine.submit(
                        new EngineRequest(
                                c.requestId,
                                c.input.promptTokens(),
                                c.input.params(),
                                request.numTopLogprobs(),
                                request.priority(),
                                request.numPromptLogprobs(c.input)),
                        c);
                submitted++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < submitted; i++) {
                engine.abort(choices[i].requestId);
            }
            throw e;
        }
        if (request.stream()) {
            sink.startEvents();
            for (Choice c : choices) {
                if (request.numPromptLogprobs(c.input) < 0) { // else the first chunk waits for them
                    String first = c.input.echo() != null ? c.input.echo() : "";
                    sink.event(json.chunk(c.input.index(), first, null, false, null, true));
                }
            }
        }
    }

    /** The client is gone: every unfinished choice ends within one engine step, its blocks freed. */
    @Override
    public void abort() {
        for (Choice c : choices) {
            engine.abort(c.requestId);
        }
    }

    private void addPromptLogprobs(ObjectNode choice, Choice c) {
        if (c.prompt == null) {
            return;
        }
        PromptLogprobsJson out = new PromptLogprobsJson(json);
        if (request.echoesLogprobs(c.input)) {
            out.echo(choice, c.prompt);
        }
        if (request.promptLogprobs() >= 0) {
            out.promptLogprobs(choice, c.prompt);
        }
    }

    private void complete() {
        int prompt = 0;
        int completion = 0;
        int cached = 0;
        for (Choice c : choices) {
            completion += c.summary.completionTokens();
            if (c.input.index() % (choices.length / request.numPrompts()) == 0) {
                prompt += c.summary.promptTokens();
                cached += c.summary.cachedPromptTokens();
            }
        }
        ObjectNode usage = ResponseJson.usage(prompt, completion, cached);
        if (request.stream()) {
            if (request.includeUsage()) {
                ObjectNode last = json.envelope(true);
                last.putArray("choices");
                last.set("usage", usage);
                sink.event(last.toString());
            }
            sink.event("[DONE]");
            sink.endEvents();
            return;
        }
        ObjectNode body = json.envelope(false);
        ArrayNode array = body.putArray("choices");
        for (Choice c : choices) {
            if (c.answer != null) {
                json.answerChoice(array, c.input.index(), c.answer, c.tokens, logprobs, c.finishReason());
                continue;
            }
            String echo = c.input.echo() == null ? "" : c.input.echo();
            json.choice(array, c.input.index(), echo + c.text, c.tokens, logprobs, c.finishReason(), echo.length());
            addPromptLogprobs((ObjectNode) array.get(array.size() - 1), c);
        }
        body.set("usage", usage);
        sink.json(200, body.toString());
    }
}
