package dev.tandem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.Engine;
import dev.tandem.testsupport.BuildEnvironment;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat page at / in headless Chromium (Debian's, driven by playwright-core through
 * src/test/e2e/chat-page.mjs): the answer streams in, Stop ends it and frees its request, a second
 * answer finishes with its time to first token and speed shown. Without Chromium or the npm
 * packages it is skipped, saying why, unless TANDEM_REQUIRE_TOOLS=1 (as .ci/run sets) makes that
 * a failure.
 */
@QuarkusTest
class ChatPageBrowserTest {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TANDEM_CHROMIUM", "/usr/bin/chromium"));
    static final Path E2E = Path.of("target/e2e");

    @TestHTTPResource("/")
    URL root;

    @Inject
    Engine engine;

    @Test
    void pageIsServedWithoutDependencies() throws Exception {
        HttpResponse<String> page = Http.get(root.toString());
        assertEquals(200, page.statusCode());
        assertTrue(
                page.headers().firstValue("content-type").orElse("").startsWith("text/html"),
                page.headers().toString());
        assertTrue(page.body().contains("/v1/chat/completions"), "the page talks to the chat API");
        assertTrue(
                !page.body().contains("<script src") && !page.body().contains("<link rel=\"stylesheet\""),
                "no external scripts or stylesheets");
    }

    @Test
    void messageStreamsStopsAndFinishes() throws Exception {
        BuildEnvironment.requireTool(
                Files.isExecutable(CHROMIUM) && Files.isDirectory(E2E.resolve("node_modules/playwright-core")),
                "Chromium at " + CHROMIUM + " (apt-get install chromium) and playwright-core in " + E2E
                        + " (src/test/e2e/install.sh)");

        Path screenshot = E2E.resolve("chat-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Process node = new ProcessBuilder(
                        "node", "chat-page.mjs", root.toString(), screenshot.toString(), CHROMIUM.toString())
                .directory(E2E.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(120, TimeUnit.SECONDS), "browser run finished");
        assertEquals(0, node.exitValue(), "browser run failed: " + out);
        JsonNode seen =
                new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());

        assertEquals("demo-llama-6m", seen.path("models").path(0).asText(), seen.toString());
        assertTrue(seen.path("growth").size() >= 4, "the answer grew step by step (streamed): " + seen.path("growth"));
        assertTrue(
                seen.path("stoppedStats").asText().contains("stopped"),
                seen.path("stoppedStats").asText());
        assertEquals(
                seen.path("firstAnswer").asText(),
                seen.path("firstAnswerAfterStop").asText(),
                "nothing arrives after Stop");
        assertTrue(seen.path("firstAnswer").asText().length() < 2000, "stopped well before its 900 tokens");
        assertTrue(seen.path("sendEnabledAfterStop").asBoolean(), "Send is usable again after Stop");
        String finished = seen.path("finishedStats").asText();
        assertTrue(finished.matches(".*TTFT \\d+ ms.*finished: (stop|length).*"), finished);
        assertTrue(!seen.path("secondAnswer").asText().isEmpty(), seen.toString());
        assertEquals(0, seen.path("errors").size(), seen.path("errors").toString());
        JsonNode second = seen.path("requests").path(1);
        assertEquals(
                3,
                second.path("messages").size(),
                "the second request carries the conversation (user, stopped answer, user): " + second);
        assertTrue(
                second.path("stream").asBoolean()
                        && second.path("stream_options").path("include_usage").asBoolean(),
                second.toString());
        assertTrue(Files.size(screenshot) > 10_000, "screenshot written");
        // Stop aborted the first request on the server too: nothing left running, every block back.
        ConcurrencyTest.awaitIdle(engine);
    }
}
