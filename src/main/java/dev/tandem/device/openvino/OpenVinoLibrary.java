package dev.tandem.device.openvino;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where libopenvino_c.so is: the configured file (or folder), else the folders of
 * LD_LIBRARY_PATH, else the usual install locations (/opt/intel/openvino*, the archive's
 * runtime/lib/intel64, Debian/Ubuntu's library folders).
 */
public final class OpenVinoLibrary {
    public static final String FILE_NAME = "libopenvino_c.so";

    private OpenVinoLibrary() {}

    /** The library found, or empty; {@link #searched} says where this looked. */
    public static Optional<Path> locate(Optional<String> configured, String ldLibraryPath) {
        return candidates(configured, ldLibraryPath).stream()
                .filter(Files::isRegularFile)
                .findFirst();
    }

    /** A sentence naming every place {@link #locate} looked, for "not found" messages. */
    public static String searched(Optional<String> configured, String ldLibraryPath) {
        return FILE_NAME + " was not found in "
                + String.join(
                        ", ",
                        candidates(configured, ldLibraryPath).stream()
                                .map(Path::toString)
                                .toList())
                + " (set tandem.openvino.library, or source OpenVINO's setupvars.sh so that LD_LIBRARY_PATH names it)";
    }

    static List<Path> candidates(Optional<String> configured, String ldLibraryPath) {
        List<Path> out = new ArrayList<>();
        if (configured.isPresent() && !configured.get().isBlank()) {
            Path p = Path.of(configured.get());
            out.add(Files.isDirectory(p) ? p.resolve(FILE_NAME) : p);
            return out; // a configured library is the only one tried: silently taking another would surprise
        }
        if (ldLibraryPath != null) {
            for (String dir : ldLibraryPath.split(":")) {
                if (!dir.isBlank()) {
                    out.add(Path.of(dir, FILE_NAME));
                }
            }
        }
        try (Stream<Path> installs =
                Files.isDirectory(Path.of("/opt/intel")) ? Files.list(Path.of("/opt/intel")) : Stream.empty()) {
            installs.filter(p -> p.getFileName().toString().startsWith("openvino"))
                    .sorted()
                    .forEach(p -> out.add(p.resolve("runtime/lib/intel64").resolve(FILE_NAME)));
        } catch (IOException e) {
            // an unreadable /opt/intel is the same as none
        }
        out.add(Path.of("/usr/lib/x86_64-linux-gnu", FILE_NAME));
        out.add(Path.of("/usr/local/lib", FILE_NAME));
        return out;
    }
}
