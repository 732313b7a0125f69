package dev.tandem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The serving benchmark's client against the test server: what it counts and times is what was served. */
@QuarkusTest
class ServingClientTest {
    @TestHTTPResource("/")
    URL server;

    @Test
    void countsEveryStreamedTokenAndTimesTheFirst() throws Exception {
        ServingClient client = new ServingClient(server.toString(), null);
        String model = client.modelName();
        assertEquals("demo-llama-6m", model);
        List<int[]> prompts = List.of(
                new int[] {415, 484, 1208, 574}, new int[] {300, 301, 302}, new int[] {900, 12, 77, 5, 6}, new int[] {
                    1000
                });
        ServingClient.Run run = client.run(model, prompts, 21, 2);
        assertEquals(4, run.timings().size());
        for (ServingClient.Timing t : run.timings()) {
            assertEquals(21, t.outputTokens(), "ignore_eos: max_tokens tokens, as the usage chunk reports");
            assertTrue(t.ttft() > 0 && t.ttft() < t.e2e(), "first token before the end: " + t);
        }
        assertEquals(4 * 21 / run.seconds(), run.outputTokensPerSecond(), 1e-9);
    }

    @Test
    void anErrorAnswerIsReportedWithItsStatusAndBody() {
        ServingClient client = new ServingClient(server.toString(), null);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> client.complete("no-such-model", new int[] {415, 484}, 4));
        assertTrue(
                e.getMessage().contains("answered 404") && e.getMessage().contains("model_not_found"), e.getMessage());
    }
}
