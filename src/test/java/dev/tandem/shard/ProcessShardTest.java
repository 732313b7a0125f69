package dev.tandem.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.SamplingParams;
import dev.tandem.scheduler.ContinuousBatchingScheduler;
import dev.tandem.scheduler.Scheduler;
import dev.tandem.scheduler.Sequence;
import dev.tandem.scheduler.StepListener;
import dev.tandem.shm.KvArena;
import dev.tandem.testsupport.ForwardingShard;
import dev.tandem.testsupport.SchedulerConfigs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefill and decode in two processes over one /dev/shm arena: the decode process is never sent
 * the prompt, so its correct greedy tokens prove it read the KV that only the prefill process wrote.
 */
class ProcessShardTest {
    static final int BLOCKS = 64;
    static final java.time.Duration STARTUP = java.time.Duration.ofSeconds(60);

    static WorkerOptions options(String role, Path segment, Path socket) {
        return options(role, segment, socket, 0);
    }

    static WorkerOptions options(String role, Path segment, Path socket, int nice) {
        return new WorkerOptions(
                role,
                "CPU",
                dev.tandem.device.Backend.CPU,
                "cpu",
                Path.of("models/demo-llama-6m"),
                false,
                segment,
                socket,
                16,
                BLOCKS,
                64,
                8,
                1,
                nice,
                List.of(0, 2),
                java.time.Duration.ZERO,
                null,
                dev.tandem.kernels.KvDtype.F32);
    }

    /** The nice value of a process's thread of that name (Linux keeps nice per thread), from /proc. */
    static int niceOfThread(long pid, String name) throws java.io.IOException {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith(comm)) {
                    // Fields after the name start at field 3 (state); nice is field 19.
                    return Integer.parseInt(
                            stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
                }
            }
        }
        throw new AssertionError("no thread " + name + " in process " + pid);
    }

    @Test
    void decodeProcessReadsTheKvThePrefillProcessWrote(@TempDir Path tmp) throws Exception {
        PagedKvLayout layout = new PagedKvLayout(6, 4, 32, 16, BLOCKS);
        List<Integer> out = new ArrayList<>();
        long prefillPid, decodePid;
        Path segmentFile;
        try (KvArena arena =
                        KvArena.createShared(Path.of("/dev/shm"), "test-" + UUID.randomUUID(), layout.totalBytes());
                ProcessShard prefill =
                        new ProcessShard(options("prefill", arena.file(), tmp.resolve("p.sock")), STARTUP);
                ProcessShard decode =
                        new ProcessShard(options("decode", arena.file(), tmp.resolve("d.sock"), 3), STARTUP)) {
            segmentFile = arena.file();
            prefillPid = prefill.pid();
            decodePid = decode.pid();
            assertNotEquals(prefillPid, decodePid);
            assertNotEquals(ProcessHandle.current().pid(), decodePid);
            // Threads a worker starts after it lowered its priority run at it: the decode shard yields shared cores.
            assertEquals(
                    Math.min(19, niceOfThread(prefillPid, "tandem-parent-watch") + 3),
                    niceOfThread(decodePid, "tandem-parent-watch"));
            // Eight decode steps per round trip (the window never binds): sampled tokens are fed back in the worker.
            // The first such step is sent with the interrupt raised, as when a request arrives: the worker,
            // reading the flag in the shared arena, stops after one round.
            DecodeInterrupt interrupt = DecodeInterrupt.of(arena);
            CutOnce decodeCut = new CutOnce(decode, interrupt);
            Scheduler scheduler = new ContinuousBatchingScheduler(
                    SchedulerConfigs.multiStep(64, 8, 8),
                    new KvCacheManager(new BlockPool(BLOCKS), 16, true, 1),
                    prefill,
                    decodeCut,
                    StepListener.NONE,
                    interrupt);
            scheduler.add(new Sequence(
                    "jury", new int[] {415, 484, 1208, 574}, SamplingParams.greedy(32), List.of(0, 2), -1));
            while (scheduler.hasWork()) {
                scheduler.step(o -> out.add(o.token()));
            }
            assertTrue(prefill.isReady() && decode.isReady());
            assertEquals(8, decodeCut.cut.size(), "the cut step planned eight samples");
            assertTrue(decodeCut.cut.getFirst().isComputed(), "its first round ran");
            assertTrue(
                    decodeCut.cut.subList(1, 8).stream().noneMatch(SampledToken::isComputed),
                    "and no other: " + decodeCut.cut);
            assertTrue(decode.describe().contains("decode (process " + decodePid + ")"), decode.describe());
            assertTrue(
                    decode.describe().endsWith(", priority lowered by 3")
                            && !prefill.describe().contains("priority"),
                    decode.describe());
        }
        // transformers' greedy continuation of "The jury said" (models/demo-llama-6m/text-fixtures.json)
        assertArrayEquals(
                new int[] {
                    14, 354, 43, 852, 459, 664, 592, 323, 1039, 1876, 16, 323, 1039, 374, 1153, 288, 303, 261, 749,
                    1515, 510, 0
                },
                out.stream().mapToInt(Integer::intValue).toArray());
        assertFalse(ProcessHandle.of(prefillPid).map(ProcessHandle::isAlive).orElse(false), "prefill process ended");
        assertFalse(ProcessHandle.of(decodePid).map(ProcessHandle::isAlive).orElse(false), "decode process ended");
        assertFalse(Files.exists(segmentFile), "segment removed");
        assertEquals(0, Files.list(tmp).count(), "sockets removed");
    }

    /** A shard that raises the interrupt as its first step of several rounds is sent, and keeps that step's tokens. */
    static final class CutOnce extends ForwardingShard {
        final DecodeInterrupt interrupt;
        List<SampledToken> cut;

        CutOnce(Shard inner, DecodeInterrupt interrupt) {
            super(inner);
            this.interrupt = interrupt;
        }

        @Override
        public PendingStep start(StepBatch batch) {
            if (cut != null || batch.numRounds() == 1) {
                return inner.start(batch);
            }
            interrupt.raise();
            PendingStep pending = inner.start(batch);
            return () -> cut = pending.await();
        }
    }

    @Test
    void aShardExitsWhenItsServerIsKilled(@TempDir Path tmp) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String name = "orphan-" + UUID.randomUUID();
        Process server = new ProcessBuilder(
                        java,
                        "--add-modules=jdk.incubator.vector",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ShardParentMain.class.getName(),
                        tmp.toString(),
                        name)
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream()));
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.startsWith("shard "));
            assertTrue(line != null, "the stand-in server started its shard");
            String[] parts = line.split(" ");
            ProcessHandle shard = ProcessHandle.of(Long.parseLong(parts[1])).orElseThrow();
            assertTrue(shard.isAlive());
            server.destroyForcibly(); // kill -9 of the server: no shutdown hook, no goodbye to the shard
            server.waitFor();
            assertTrue(shard.onExit().get(30, TimeUnit.SECONDS) != null, "the orphaned shard exited");
            assertFalse(shard.isAlive());
            Path segment = Path.of(parts[2]);
            assertTrue(Files.exists(segment), "kill -9 leaves the segment");
            assertTrue(
                    dev.tandem.shm.StaleSegments.reclaim(Path.of("/dev/shm")).contains(segment),
                    "the next start reclaims it");
        } finally {
            server.destroyForcibly();
        }
    }
}
