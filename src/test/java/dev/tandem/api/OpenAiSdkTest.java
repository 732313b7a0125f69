package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the server, on the demo model and its transformers fixtures. */
@QuarkusTest
class OpenAiSdkTest {
    static final String MODEL = "demo-llama-6m";
    static final String JURY = ", \"I don't know what I'm doing. I'm not going to be a good job\".";
    static final String COMMITTEE = "These were noted, but the first two men were not the most important.";

    @TestHTTPResource("/v1")
    URL base;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder()
                .baseUrl(base.toString())
                .apiKey("unused")
                .maxRetries(0)
                .build();
    }

    @Test
    void completionMatchesTheGreedyFixture() {
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(MODEL)
                        .prompt("The jury said")
                        .maxTokens(32)
                        .temperature(0.0)
                        .build());
        assertEquals(JURY, c.choices().get(0).text());
        assertEquals("stop", c.choices().get(0).finishReason().asString());
        assertEquals(4, c.usage().get().promptTokens());
        assertEquals(22, c.usage().get().completionTokens(), "21 text tokens and the EOS");
    }

    @Test
    void chatMatchesTheGreedyFixtureStreamedAndNot() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("The committee met on Monday.")
                .maxCompletionTokens(32)
                .temperature(0.0)
                .build();
        ChatCompletion full = client.chat().completions().create(params);
        assertEquals(COMMITTEE, full.choices().get(0).message().content().get());
        assertEquals(20, full.usage().get().promptTokens());
        StringBuilder streamed = new StringBuilder();
        String[] finish = new String[1];
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            stream.stream()
                    .forEach(chunk -> chunk.choices().forEach(choice -> {
                        choice.delta().content().ifPresent(streamed::append);
                        choice.finishReason().ifPresent(f -> finish[0] = f.asString());
                    }));
        }
        assertEquals(COMMITTEE, streamed.toString());
        assertEquals("stop", finish[0]);
    }

    @Test
    void severalChoicesWithSeedsAndLength() {
        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Tell me about the city.")
                        .n(3)
                        .seed(5L)
                        .temperature(1.0)
                        .maxCompletionTokens(12)
                        .build());
        assertEquals(3, c.choices().size());
        Set<String> texts = new HashSet<>();
        c.choices().forEach(ch -> texts.add(ch.message().content().orElse("")));
        assertTrue(texts.size() > 1, "different seeds per choice give different answers: " + texts);
        ChatCompletion one = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Tell me about the city.")
                        .maxCompletionTokens(1)
                        .build());
        assertEquals(
                one.usage().get().promptTokens(), c.usage().get().promptTokens(), "the prompt is counted once for n=3");
        boolean allLength =
                c.choices().stream().allMatch(ch -> ch.finishReason().asString().equals("length"));
        assertTrue(
                allLength
                        ? c.usage().get().completionTokens() == 36
                        : c.usage().get().completionTokens() <= 36,
                "completion tokens summed over the choices: " + c.usage().get().completionTokens());
        ChatCompletion again = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("Tell me about the city.")
                        .n(3)
                        .seed(5L)
                        .temperature(1.0)
                        .maxCompletionTokens(12)
                        .build());
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    c.choices().get(i).message().content(),
                    again.choices().get(i).message().content(),
                    "seeded");
        }
    }

    @Test
    void errorsComeBackAsOpenAiErrors() {
        NotFoundException nf = assertThrows(
                NotFoundException.class,
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model("gpt-4")
                                .prompt("x")
                                .build()));
        assertTrue(nf.getMessage().contains("gpt-4"), nf.getMessage());
        BadRequestException bad = assertThrows(
                BadRequestException.class,
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model(MODEL)
                                .prompt("x")
                                .temperature(5.0)
                                .build()));
        assertTrue(bad.getMessage().contains("temperature"), bad.getMessage());
    }

    enum Mood {
        HAPPY,
        SAD,
        CALM
    }

    /** The SDK writes this class's JSON Schema (strict: every field required, no others) and parses the answer back. */
    public record Verdict(Mood mood, boolean sure, long score, java.util.List<Boolean> votes) {}

    @Test
    void theSdksStructuredOutputHelperGetsAnObjectBack() {
        for (double t : new double[] {0.0, 1.0}) {
            var completion = client.chat()
                    .completions()
                    .create(ChatCompletionCreateParams.builder()
                            .model(MODEL)
                            .addUserMessage("How did it go?")
                            .maxCompletionTokens(300)
                            .temperature(t)
                            .seed(3L)
                            .responseFormat(Verdict.class)
                            .build());
            var choice = completion.choices().get(0);
            assertEquals("stop", choice.finishReason().asString());
            Verdict v = choice.message().content().orElseThrow();
            assertTrue(v.mood() != null && v.votes() != null, v.toString());
        }
    }
}
