package dev.tandem.shm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and removes the shared KV segments of Tandem processes that are gone (killed with -9,
 * crashed): a segment's name ends in its creator's pid, and a pid with no live process means
 * nobody will ever remove it otherwise. Run at every start.
 */
public final class StaleSegments {
    static final String PREFIX = "tandem-";

    private StaleSegments() {}

    /** Removes stale segments in dir; returns the files removed. */
    public static List<Path> reclaim(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path f : files) {
                long pid = ownerPid(f.getFileName().toString());
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (pid > 0 && Files.deleteIfExists(f)) {
                    removed.add(f);
                }
            }
        }
        return removed;
    }

    /** The pid at the end of a segment name, or -1 when the name is not one of ours. */
    static long ownerPid(String name) {
        int dash = name.lastIndexOf('-');
        if (!name.startsWith(PREFIX) || dash < PREFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
