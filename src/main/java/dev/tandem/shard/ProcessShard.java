package dev.tandem.shard;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shard in its own process ({@code worker.ShardWorker}), reached over a Unix domain socket. Step
 * batches and sampled tokens cross the socket (StepCodec); KV does not: both processes map the
 * same arena. If the process dies, isReady turns false and steps fail with ShardFailedException;
 * {@link SupervisedShard} replaces it.
 */
public final class ProcessShard implements Shard {
    private static final System.Logger LOG = System.getLogger(ProcessShard.class.getName());
    private final String role;
    private final Process process;
    private final Path socket;
    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile String description;

    /**
     * Starts a worker with these options, waits until it is ready (killing it if that takes longer
     * than startupTimeout), and connects to its socket.
     */
    public ProcessShard(WorkerOptions options, Duration startupTimeout) {
        this.role = options.role();
        this.socket = options.socket();
        Process started = null;
        try {
            started = new ProcessBuilder(ShardLauncher.command(options))
                    .redirectErrorStream(true)
                    .start();
            process = started;
            Thread.ofVirtual().start(() -> killUnlessReadyWithin(startupTimeout));
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream()));
            String line;
            StringBuilder log = new StringBuilder();
            do {
                line = lines.readLine();
                if (line != null && !line.startsWith("ready ")) {
                    log.append(line).append('\n');
                }
            } while (line != null && !line.startsWith("ready "));
            if (line == null) {
                process.destroyForcibly();
                throw new IllegalStateException(role + " shard exited before it was ready (exit " + process.waitFor()
                        + "): " + log.toString().strip());
            }
            description = line.substring(6);
            Thread.ofPlatform()
                    .daemon()
                    .name("tandem-" + role + "-output")
                    .start(() -> drain(role, process.pid(), lines));
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
            out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        } catch (IOException e) {
            if (started != null) {
                started.destroyForcibly();
            }
            throw new UncheckedIOException("cannot start the " + role + " shard: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void killUnlessReadyWithin(Duration timeout) {
        try {
            Thread.sleep(timeout);
        } catch (InterruptedException e) {
            return;
        }
        if (description == null) {
            process.destroyForcibly();
        }
    }

    /**
     * The worker's own output after it is ready, into the server's log: it must be read so that the
     * worker never blocks on a full pipe, and what a worker says before it dies (an exception, the
     * JVM's own messages) is the operator's first clue.
     */
    private static void drain(String role, long pid, BufferedReader lines) {
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                LOG.log(System.Logger.Level.WARNING, "{0} shard (process {1}): {2}", role, String.valueOf(pid), line);
            }
        } catch (IOException ignored) {
            // the worker is gone
        }
    }

    /** Sends the step and returns at once; the tokens are read by the returned step's await. */
    @Override
    public synchronized PendingStep start(StepBatch batch) {
        try {
            StepCodec.writeBatch(out, batch);
        } catch (IOException e) {
            throw failure(e);
        }
        return () -> {
            synchronized (this) {
                try {
                    return StepCodec.readTokens(in);
                } catch (IOException e) {
                    throw failure(e);
                }
            }
        };
    }

    private ShardFailedException failure(IOException e) {
        String what = e instanceof java.io.EOFException ? "closed the connection" : "failed on the socket: " + e;
        return new ShardFailedException(role, "process " + process.pid() + " " + what, e);
    }

    @Override
    public List<SampledToken> execute(StepBatch batch) {
        return start(batch).await();
    }

    @Override
    public boolean isReady() {
        return process.isAlive() && channel.isOpen();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public String describe() {
        return description;
    }

    /** Kills the worker and waits until it is gone, so that it can no longer write to the KV arena. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
            channel.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the socket file is replaced by the next worker anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
