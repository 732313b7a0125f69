package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged server, started as the README starts it (default: two shard processes): a normal
 * shutdown stops its shards and removes its KV segment; after kill -9 of the server its shards
 * exit on their own, and the next start reclaims the segment, so that a crash-and-restart cycle
 * leaves nothing of Tandem in /dev/shm.
 */
class ServerProcessIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Pattern PID = Pattern.compile("process (\\d+)\\)");
    final String segmentName = "it" + UUID.randomUUID().toString().substring(0, 8);

    final class Server {
        final Process process;
        final int port;

        Server() throws Exception {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(
                            java,
                            "--add-modules=jdk.incubator.vector",
                            "--enable-native-access=ALL-UNNAMED",
                            "-Dtandem.home=" + Path.of("").toAbsolutePath(),
                            "-Dtandem.engine.kv-segment-name=" + segmentName,
                            "-Dtandem.engine.kv-cache-mib=64",
                            "-Dtandem.engine.threads=1",
                            "-jar",
                            "target/quarkus-app/quarkus-run.jar",
                            "serve",
                            "--port",
                            Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(
                            Path.of("target", segmentName + "-" + port + ".log").toFile())
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (status("/q/health/ready") != 200) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, "the server started and became ready");
                Thread.sleep(200);
            }
        }

        int status(String path) {
            try {
                return HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException | InterruptedException e) {
                return -1;
            }
        }

        Set<Long> shardPids() throws Exception {
            String body = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/devices"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = PID.matcher(body);
            Set<Long> pids = new java.util.HashSet<>();
            while (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
            assertEquals(2, pids.size(), body);
            return pids;
        }

        Path segment() {
            return Path.of("/dev/shm", "tandem-" + segmentName + "-" + process.pid());
        }
    }

    @Test
    void shutdownStopsTheShardsAndRemovesTheSegment() throws Exception {
        Server server = new Server();
        Set<Long> shards = server.shardPids();
        Set<Long> children =
                server.process.toHandle().children().map(ProcessHandle::pid).collect(Collectors.toSet());
        assertEquals(shards, children, "the two shards are the server's child processes");
        assertTrue(Files.exists(server.segment()));
        server.process.destroy(); // SIGTERM, as Kubernetes and Ctrl-C send
        assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), "the server exited");
        assertGone(shards);
        assertFalse(Files.exists(server.segment()), "the segment is removed");
        assertEquals(List.of(), segments());
    }

    @Test
    void afterKillMinusNineTheShardsExitAndTheNextStartReclaimsTheSegment() throws Exception {
        Server crashed = new Server();
        Set<Long> shards = crashed.shardPids();
        crashed.process.destroyForcibly(); // kill -9: no shutdown hook runs
        crashed.process.waitFor();
        assertGone(shards);
        assertEquals(List.of(crashed.segment().getFileName().toString()), segments(), "kill -9 leaves the segment");
        Server next = new Server();
        assertNotEquals(shards, next.shardPids());
        assertEquals(
                List.of(next.segment().getFileName().toString()),
                segments(),
                "the next start removed the dead server's segment");
        next.process.destroy();
        assertTrue(next.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(List.of(), segments(), "nothing of Tandem is left in /dev/shm");
    }

    static void assertGone(Set<Long> pids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pids.stream().anyMatch(ServerProcessIT::alive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        for (long pid : pids) {
            assertFalse(alive(pid), "shard process " + pid + " exited");
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    List<String> segments() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("tandem-" + segmentName + "-"))
                    .sorted()
                    .toList();
        }
    }
}
