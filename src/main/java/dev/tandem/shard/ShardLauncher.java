package dev.tandem.shard;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The command that starts a shard worker: the same JVM and application classes, run with
 * {@code dev.tandem.shard.worker.ShardWorker} as main class (no Quarkus in the worker). From a Quarkus fast-jar the class
 * path is rebuilt from quarkus-app/; elsewhere (tests, IDE) the current class path is used.
 */
final class ShardLauncher {
    /**
     * By name, not as a class literal: the worker package builds on this one (it picks the
     * runner of a backend), so this one must not depend on it.
     */
    static final String WORKER_MAIN = "dev.tandem.shard.worker.ShardWorker";

    private ShardLauncher() {}

    static List<String> command(WorkerOptions options) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseParallelGC",
                "-Xmn32m"));
        for (String property : new String[] {
            "tandem.home", "tandem.kernels", "tandem.kernels.amx", "tandem.kernels.vnni", "tandem.native.kernels"
        }) {
            if (System.getProperty(property) != null) {
                cmd.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        cmd.addAll(List.of("-cp", classPath(), WORKER_MAIN));
        cmd.addAll(options.arguments());
        return cmd;
    }

    static String classPath() {
        String cp = System.getProperty("java.class.path");
        Path first = Path.of(cp.split(File.pathSeparator)[0]);
        if (first.getFileName().toString().equals("quarkus-run.jar") && first.getParent() != null) {
            Path app = first.getParent();
            try (Stream<Path> jars = Stream.of("app", "lib/main", "lib/boot")
                    .map(app::resolve)
                    .filter(Files::isDirectory)
                    .flatMap(ShardLauncher::jars)) {
                return jars.map(Path::toString).collect(Collectors.joining(File.pathSeparator));
            }
        }
        return cp;
    }

    private static Stream<Path> jars(Path dir) {
        try {
            return Files.list(dir).filter(p -> p.toString().endsWith(".jar")).sorted().toList().stream();
        } catch (java.io.IOException e) {
            return Stream.empty();
        }
    }
}
