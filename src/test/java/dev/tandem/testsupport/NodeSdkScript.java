package dev.tandem.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of src/test/e2e's scripts with the official OpenAI Node SDK (installed into target/e2e
 * by install.sh during the build) against a running server; the script prints what it saw as one
 * JSON line last, which the calling test checks. Skips, saying why, where node or the packages are
 * missing (see {@link BuildEnvironment#requireTool}).
 */
public final class NodeSdkScript {
    static final Path E2E = Path.of("target/e2e");

    private NodeSdkScript() {}

    public static JsonNode run(String script, String... args) throws IOException, InterruptedException {
        BuildEnvironment.requireTool(
                Files.isDirectory(E2E.resolve("node_modules/openai")) && Files.isRegularFile(E2E.resolve(script)),
                "node with the openai and zod packages in " + E2E + " (src/test/e2e/install.sh)");
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Process node = new ProcessBuilder(command)
                .directory(E2E.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(300, TimeUnit.SECONDS), script + " finished");
        assertEquals(0, node.exitValue(), script + " failed: " + out);
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    }
}
