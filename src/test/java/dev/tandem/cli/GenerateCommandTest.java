package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `tandem generate` end to end on the demo model against its transformers fixtures. */
class GenerateCommandTest {
    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new GenerateCommand()).execute(args);
            assertEquals(0, code, "exit code");
        } finally {
            System.setOut(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void greedyTextAndIdsMatchTheDemoFixtures() throws Exception {
        JsonNode fixtures = new ObjectMapper()
                .readTree(Path.of("models/demo-llama-6m/text-fixtures.json").toFile());
        for (JsonNode g : fixtures.get("greedy")) {
            String out = run(
                    "--model",
                    "models/demo-llama-6m",
                    "--prompt",
                    g.get("prompt").asText(),
                    "--max-tokens",
                    "32",
                    "--temperature",
                    "0",
                    "--print-ids");
            String[] lines = out.split("\n");
            List<String> ids = new ArrayList<>();
            g.get("greedy_ids").forEach(i -> ids.add(i.asText()));
            assertEquals(
                    String.join(" ", ids),
                    lines[lines.length - 1],
                    "ids for " + g.get("prompt").asText());
            assertEquals(g.get("greedy_text").asText(), out.substring(0, out.lastIndexOf('\n', out.length() - 2)));
        }
    }

    @Test
    void promptIdsChatAndSeededSampling() {
        String ids = run(
                "--model",
                "models/demo-llama-6m",
                "--prompt-ids",
                "415,484,1208,574",
                "--max-tokens",
                "5",
                "--temperature",
                "0",
                "--print-ids");
        assertEquals(
                "14 354 43 852 459", ids.strip().lines().reduce((a, b) -> b).orElseThrow());
        String a = run(
                "--model",
                "models/demo-llama-6m",
                "--prompt",
                "The city",
                "--max-tokens",
                "12",
                "--temperature",
                "1",
                "--seed",
                "7",
                "--ignore-eos",
                "--print-ids");
        String b = run(
                "--model",
                "models/demo-llama-6m",
                "--prompt",
                "The city",
                "--max-tokens",
                "12",
                "--temperature",
                "1",
                "--seed",
                "7",
                "--ignore-eos",
                "--print-ids");
        String c = run(
                "--model",
                "models/demo-llama-6m",
                "--prompt",
                "The city",
                "--max-tokens",
                "12",
                "--temperature",
                "1",
                "--seed",
                "8",
                "--ignore-eos",
                "--print-ids");
        assertEquals(a, b, "same seed, same output");
        assertNotEquals(a, c, "another seed, another output");
        assertEquals(
                12,
                a.strip().lines().reduce((x, y) -> y).orElseThrow().split(" ").length,
                "--ignore-eos runs to max tokens");
        String chat = run(
                "--model",
                "models/demo-llama-6m",
                "--prompt",
                "The committee met on Monday.",
                "--chat",
                "--max-tokens",
                "32",
                "--temperature",
                "0");
        assertEquals(
                "These were noted, but the first two men were not the most important.\n",
                chat,
                "--chat renders the ChatML template: same as the fixture's rendered prompt");
    }
}
