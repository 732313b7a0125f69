package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testsupport.BuildEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OCI image the build wrote (target/tandem-image.tar, by Quarkus' Jib extension onto the base
 * of deploy/image/build-base.sh): its name and tag, entrypoint, user and port; that it holds the
 * JDK 25 runtime, the application and the demo model; and, as root, that its file system runs:
 * unpacked and entered with chroot as the image's user, its entrypoint serves a completion with two
 * shard processes and stops cleanly on SIGTERM.
 */
class ContainerImageIT {
    static final Path IMAGE = Path.of("target/tandem-image.tar");
    static final ObjectMapper JSON = new ObjectMapper();

    static String tar(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tar", "--warning=no-unknown-keyword"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Test
    void imageHasTheRuntimeTheApplicationAndTheModel() throws Exception {
        assertTrue(Files.isRegularFile(IMAGE), IMAGE + " is built by `./mvnw package` (profile image)");
        Path dir = Files.createTempDirectory("tandem-image");
        try {
            tar(dir, "-xf", IMAGE.toAbsolutePath().toString());
            JsonNode manifest =
                    JSON.readTree(dir.resolve("manifest.json").toFile()).get(0);
            assertEquals(
                    "tandem/tandem:" + BuildEnvironment.projectVersion(),
                    manifest.path("RepoTags").get(0).asText(),
                    "the name k8s/base deploys");
            JsonNode config = JSON.readTree(
                            dir.resolve(manifest.path("Config").asText()).toFile())
                    .path("config");
            assertEquals("10001:10001", config.path("User").asText(), "non-root");
            assertEquals("/opt/tandem", config.path("WorkingDir").asText());
            assertTrue(config.path("ExposedPorts").has("8000/tcp"), config.toString());
            List<String> entrypoint = config.path("Entrypoint")
                    .valueStream()
                    .map(JsonNode::asText)
                    .toList();
            assertEquals("/opt/java/bin/java", entrypoint.get(0));
            assertTrue(
                    entrypoint.containsAll(List.of(
                            "-jar",
                            "/opt/tandem/quarkus-run.jar",
                            "serve",
                            "--host",
                            "0.0.0.0",
                            "--add-modules=jdk.incubator.vector",
                            "-Dtandem.home=/opt/tandem")),
                    entrypoint.toString());

            Set<String> files = new HashSet<>();
            for (JsonNode layer : manifest.path("Layers")) {
                for (String line : tar(dir, "-tzf", layer.asText()).split("\n")) {
                    files.add(line.replaceFirst("^\\./", "").replaceFirst("^/", ""));
                }
            }
            for (String file : List.of(
                    "opt/java/bin/java",
                    "opt/java/lib/server/libjvm.so",
                    "opt/java/release",
                    "lib64/ld-linux-x86-64.so.2",
                    "lib/x86_64-linux-gnu/libc.so.6",
                    "lib/x86_64-linux-gnu/libstdc++.so.6",
                    "etc/passwd",
                    "opt/tandem/quarkus-run.jar",
                    "opt/tandem/models/demo-llama-6m/model.safetensors",
                    "opt/tandem/models/demo-llama-6m/tokenizer.json")) {
                assertTrue(files.contains(file), "image holds " + file);
            }
            Path base = dir.resolve("base");
            Files.createDirectories(base);
            tar(
                    base,
                    "-xf",
                    dir.resolve(manifest.path("Layers").get(0).asText()).toString(),
                    "./opt/java/release",
                    "./etc/passwd");
            assertTrue(
                    Files.readString(base.resolve("opt/java/release")).contains("JAVA_VERSION=\"25"),
                    "a JDK 25 runtime");
            assertTrue(
                    Files.readString(base.resolve("etc/passwd")).contains("tandem:x:10001:10001"),
                    "the image's user exists");
        } finally {
            BuildEnvironment.deleteTree(dir);
        }
    }

    @Test
    void entrypointServesFromTheImagesFileSystem() throws Exception {
        BuildEnvironment.requireTool(
                "root".equals(System.getProperty("user.name")),
                "root, to enter the image with chroot and mount proc and /dev/shm");
        Path dir = Files.createTempDirectory("tandem-rootfs");
        Path rootfs = dir.resolve("rootfs");
        List<Path> mounts = new ArrayList<>();
        Process server = null;
        try {
            Files.createDirectories(rootfs);
            Path unpacked = dir.resolve("image");
            Files.createDirectories(unpacked);
            tar(unpacked, "-xf", IMAGE.toAbsolutePath().toString());
            JsonNode manifest =
                    JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
            for (JsonNode layer : manifest.path("Layers")) {
                tar(rootfs, "-xzf", unpacked.resolve(layer.asText()).toString());
            }
            JsonNode config = JSON.readTree(
                            unpacked.resolve(manifest.path("Config").asText()).toFile())
                    .path("config");
            // What a container runtime provides: /proc, and /dev/shm as tmpfs.
            Files.createDirectories(rootfs.resolve("proc"));
            Files.createDirectories(rootfs.resolve("dev/shm"));
            run("mount", "-t", "proc", "proc", rootfs.resolve("proc").toString());
            mounts.add(rootfs.resolve("proc"));
            run(
                    "mount",
                    "-t",
                    "tmpfs",
                    "-o",
                    "size=512m",
                    "tmpfs",
                    rootfs.resolve("dev/shm").toString());
            mounts.add(rootfs.resolve("dev/shm"));

            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> command = new ArrayList<>(
                    List.of("chroot", "--userspec=" + config.path("User").asText(), rootfs.toString()));
            config.path("Entrypoint").forEach(a -> command.add(a.asText()));
            command.addAll(List.of("--port", Integer.toString(port)));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile());
            pb.environment().clear();
            config.path("Env")
                    .forEach(e -> pb.environment()
                            .put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
            pb.environment()
                    .put(
                            "tandem.engine.kv-cache-mib"
                                    .toUpperCase()
                                    .replace('.', '_')
                                    .replace('-', '_'),
                            "64");
            server = pb.start();
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (status(http, port) != 200) {
                assertTrue(
                        server.isAlive() && System.nanoTime() < deadline,
                        "the image's server became ready: " + log(dir));
                Thread.sleep(250);
            }
            HttpResponse<String> completion = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                            .header("Content-Type", "application/json")
                            .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                            "{\"model\":\"demo-llama-6m\",\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"ignore_eos\":true}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, completion.statusCode(), completion.body());
            assertEquals(
                    8,
                    JSON.readTree(completion.body())
                            .path("usage")
                            .path("completion_tokens")
                            .asInt());
            List<ProcessHandle> shards =
                    server.descendants().filter(ContainerImageIT::isShard).toList();
            assertEquals(
                    2,
                    shards.size(),
                    "prefill and decode shard processes: "
                            + server.descendants()
                                    .map(ContainerImageIT::commandLine)
                                    .toList());

            // SIGTERM to the JVM (chroot exec's it, so it is the server process itself).
            run("kill", "-TERM", Long.toString(server.pid()));
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "stopped on SIGTERM");
            for (ProcessHandle shard : shards) {
                assertTrue(
                        shard.onExit().get(30, TimeUnit.SECONDS) != null && !shard.isAlive(),
                        "shard stopped with the server");
            }
            try (var left = Files.list(rootfs.resolve("dev/shm"))) {
                assertEquals(List.of(), left.toList(), "the KV segment is removed");
            }
        } finally {
            if (server != null && server.isAlive()) {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            for (int i = mounts.size() - 1; i >= 0; i--) {
                run("umount", "-l", mounts.get(i).toString());
            }
            if (mounts.isEmpty() || !Files.exists(rootfs.resolve("proc/self"))) {
                BuildEnvironment.deleteTree(dir);
            }
        }
    }

    /** From /proc: ProcessHandle.Info leaves out the command line of another user's process. */
    static String commandLine(ProcessHandle p) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                            StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    static boolean isShard(ProcessHandle p) {
        return commandLine(p).contains("dev.tandem.shard.worker.ShardWorker");
    }

    static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static int status(HttpClient http, int port) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }
}
