package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prompt forms, echo, logprobs and cached-token usage over plain HTTP. */
@QuarkusTest
class CompletionFeaturesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JURY = ", \"I don't know what I'm doing. I'm not going to be a good job\".";

    @TestHTTPResource("/v1/")
    URL v1;

    JsonNode post(String path, String body) throws Exception {
        var r = Http.post(v1 + path, body);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void everyPromptFormGivesTheSameGreedyText() throws Exception {
        String common = "\"model\":\"demo-llama-6m\",\"max_tokens\":32,\"temperature\":0";
        JsonNode text = post("completions", "{" + common + ",\"prompt\":\"The jury said\"}");
        JsonNode ids = post("completions", "{" + common + ",\"prompt\":[415,484,1208,574]}");
        JsonNode many =
                post("completions", "{" + common + ",\"prompt\":[[415,484,1208,574],[415,484,1208,574]],\"n\":2}");
        JsonNode texts = post("completions", "{" + common + ",\"prompt\":[\"The jury said\",\"The jury said\"]}");
        assertEquals(JURY, text.at("/choices/0/text").asText());
        assertEquals(JURY, ids.at("/choices/0/text").asText());
        assertEquals(4, many.get("choices").size(), "2 prompts x n=2");
        for (int i = 0; i < 4; i++) {
            assertEquals(i, many.at("/choices/" + i + "/index").asInt());
            assertEquals(JURY, many.at("/choices/" + i + "/text").asText());
        }
        assertEquals(8, many.at("/usage/prompt_tokens").asInt(), "each prompt counted once");
        assertEquals(2, texts.get("choices").size());
        JsonNode echo = post("completions", "{" + common + ",\"prompt\":\"The jury said\",\"echo\":true}");
        assertEquals("The jury said" + JURY, echo.at("/choices/0/text").asText());
    }

    @Test
    void echoWithLogprobsAndPromptLogprobsScoreThePrompt() throws Exception {
        String common = "\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":3,\"temperature\":0";
        JsonNode echoed = post("completions", "{" + common + ",\"echo\":true,\"logprobs\":2}");
        JsonNode lp = echoed.at("/choices/0/logprobs");
        assertEquals(4 + 3, lp.get("tokens").size(), "4 prompt tokens, then 3 generated");
        assertTrue(
                lp.at("/token_logprobs/0").isNull() && lp.at("/top_logprobs/0").isNull(), lp.toString());
        for (int i = 1; i < 7; i++) {
            double v = lp.at("/token_logprobs/" + i).asDouble();
            assertTrue(v <= 0 && v > -30, "a logprob at " + i + ": " + lp);
            assertEquals(2, lp.at("/top_logprobs/" + i).size(), "two alternatives at " + i);
        }
        assertEquals(0, lp.at("/text_offset/0").asInt());
        assertEquals("The jury said", echoed.at("/choices/0/text").asText().substring(0, 13));

        JsonNode vllm = post("completions", "{" + common + ",\"prompt_logprobs\":1}");
        JsonNode prompt = vllm.at("/choices/0/prompt_logprobs");
        assertEquals(4, prompt.size());
        assertTrue(prompt.get(0).isNull());
        // The prompt's own token is in each entry, with the same logprob as in the echoed arrays.
        int[] ids = {415, 484, 1208, 574};
        for (int i = 1; i < 4; i++) {
            JsonNode own = prompt.get(i).get(Integer.toString(ids[i]));
            assertTrue(own != null, "token " + ids[i] + " in " + prompt.get(i));
            assertEquals(
                    lp.at("/token_logprobs/" + i).asDouble(), own.get("logprob").asDouble(), 1e-6);
        }
        assertTrue(vllm.at("/choices/0/logprobs").isNull(), "no generated logprobs were asked for");

        // A streamed echo carries the prompt's logprobs in its first chunk.
        List<String> events = Http.events(
                Http.openStream(v1 + "completions", "{" + common + ",\"echo\":true,\"logprobs\":0,\"stream\":true}"));
        JsonNode first = JSON.readTree(events.get(0));
        assertEquals("The jury said", first.at("/choices/0/text").asText());
        assertEquals(4, first.at("/choices/0/logprobs/tokens").size(), first.toString());
    }

    @Test
    void aPriorityNeedsThePriorityPolicy() throws Exception {
        String body = "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":2,\"priority\":";
        var refused = Http.post(v1 + "completions", body + "3}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals(
                "priority", JSON.readTree(refused.body()).at("/error/param").asText());
        assertTrue(refused.body().contains("--scheduling-policy priority"), refused.body());
        var chat = Http.post(
                v1 + "chat/completions",
                "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"priority\":-1}");
        assertEquals(400, chat.statusCode(), chat.body());
        post("completions", body + "0}"); // the default priority is no priority at all
    }

    @Test
    void logprobsDescribeTheGreedyChoice() throws Exception {
        JsonNode c = post(
                "completions",
                "{\"model\":\"demo-llama-6m\",\"prompt\":\"The jury said\",\"max_tokens\":5,"
                        + "\"temperature\":0,\"logprobs\":3}");
        JsonNode lp = c.at("/choices/0/logprobs");
        assertEquals(5, lp.get("tokens").size());
        assertEquals(", \"I don't", String.join("", JSON.convertValue(lp.get("tokens"), String[].class)));
        for (int i = 0; i < 5; i++) {
            double chosen = lp.get("token_logprobs").get(i).asDouble();
            JsonNode top = lp.get("top_logprobs").get(i);
            assertEquals(3, top.size());
            double best = Double.NEGATIVE_INFINITY;
            double mass = 0;
            for (JsonNode v : top) {
                best = Math.max(best, v.asDouble());
                mass += Math.exp(v.asDouble());
            }
            assertTrue(chosen <= 0 && Math.abs(chosen - best) < 1e-5, "greedy takes the most likely token");
            assertTrue(mass <= 1.0001, "probabilities of the top 3 sum to at most 1");
        }
        JsonNode chat = post(
                "chat/completions",
                "{\"model\":\"demo-llama-6m\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"The committee met on Monday.\"}],\"max_tokens\":3,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}");
        JsonNode content = chat.at("/choices/0/logprobs/content");
        assertEquals(3, content.size());
        assertEquals("The", content.get(0).get("token").asText());
        assertEquals("[84,104,101]", content.get(0).get("bytes").toString());
        assertEquals(2, content.get(0).get("top_logprobs").size());
    }

    @Test
    void aRepeatedLongPromptReportsCachedTokens() throws Exception {
        String prompt = JSON.valueToTree("The committee met on Monday and talked about the new road. ".repeat(8))
                .toString();
        String body = "{\"model\":\"demo-llama-6m\",\"prompt\":" + prompt + ",\"max_tokens\":2}";
        JsonNode first = post("completions", body);
        JsonNode second = post("completions", body);
        int promptTokens = second.at("/usage/prompt_tokens").asInt();
        assertEquals(0, first.at("/usage/prompt_tokens_details/cached_tokens").asInt());
        assertEquals(
                (promptTokens - 1) / 16 * 16,
                second.at("/usage/prompt_tokens_details/cached_tokens").asInt(),
                "every full block but the last token's is reused");
    }
}
