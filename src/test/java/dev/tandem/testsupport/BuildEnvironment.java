package dev.tandem.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/** What the tests that drive outside tools (Chromium, Prometheus, chroot) need to know of the build and the machine. */
public final class BuildEnvironment {
    private static final Pattern VERSION =
            Pattern.compile("<artifactId>tandem</artifactId>\\s*<version>([^<]+)</version>");

    private BuildEnvironment() {}

    /**
     * Skips the calling test when a tool it drives is missing, saying what to install; with
     * TANDEM_REQUIRE_TOOLS=1 (.ci/run as root, where it installs them) a missing tool fails it instead.
     */
    public static void requireTool(boolean present, String missing) {
        if ("1".equals(System.getenv("TANDEM_REQUIRE_TOOLS"))) {
            assertTrue(present, "required: " + missing);
        }
        Assumptions.assumeTrue(present, "skipped: missing " + missing);
    }

    /** The project's version, as pom.xml sets it (the image tag). */
    public static String projectVersion() throws IOException {
        Matcher m = VERSION.matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(m.find(), "project version in pom.xml");
        return m.group(1);
    }

    /** Removes a folder the test made, with everything in it. */
    public static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
