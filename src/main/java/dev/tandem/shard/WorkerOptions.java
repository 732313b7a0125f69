package dev.tandem.shard;

import dev.tandem.device.Backend;
import dev.tandem.kernels.KvDtype;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker needs; written as key=value arguments by the server, parsed back by the worker.
 * backend cpu runs the model here on the CPU; backend openvino runs it through OpenVINO on
 * deviceName (an OpenVINO device: NPU, GPU, GPU.1, ...) with the openvino options. nice lowers
 * the worker's CPU priority by that much (0: unchanged); kvDtype is how the KV arena stores values.
 */
public record WorkerOptions(
        String role,
        String device,
        Backend backend,
        String deviceName,
        Path model,
        boolean hugePages,
        Path segment,
        Path socket,
        int blockSize,
        int numBlocks,
        int maxBatchTokens,
        int maxSequences,
        int threads,
        int nice,
        List<Integer> eosTokenIds,
        Duration warmUp,
        OpenVinoOptions openvino,
        KvDtype kvDtype) {
    public WorkerOptions {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (backend == Backend.OPENVINO && openvino == null) {
            throw new IllegalArgumentException("backend openvino needs its options");
        }
    }

    List<String> arguments() {
        List<String> out = new ArrayList<>(List.of(
                "role=" + role,
                "device=" + device,
                "backend=" + backend.configName(),
                "device-name=" + deviceName,
                "model=" + model.toAbsolutePath(),
                "huge-pages=" + hugePages,
                "segment=" + segment,
                "socket=" + socket,
                "block-size=" + blockSize,
                "num-blocks=" + numBlocks,
                "max-batch-tokens=" + maxBatchTokens,
                "max-seqs=" + maxSequences,
                "threads=" + threads,
                "nice=" + nice,
                "eos="
                        + String.join(
                                ",", eosTokenIds.stream().map(String::valueOf).toList()),
                "warm-up-ms=" + warmUp.toMillis(),
                "kv-dtype=" + kvDtype.configName()));
        if (openvino != null) {
            out.addAll(openvino.arguments());
        }
        return out;
    }

    public static WorkerOptions parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv.length == 2 ? kv[1] : "");
        }
        List<Integer> eos = new ArrayList<>();
        for (String id : a.getOrDefault("eos", "").split(",")) {
            if (!id.isBlank()) {
                eos.add(Integer.parseInt(id.trim()));
            }
        }
        return new WorkerOptions(
                a.get("role"),
                a.getOrDefault("device", "CPU"),
                Backend.parse(a.getOrDefault("backend", "cpu"), "backend"),
                a.getOrDefault("device-name", "cpu"),
                Path.of(a.get("model")),
                Boolean.parseBoolean(a.getOrDefault("huge-pages", "false")),
                Path.of(a.get("segment")),
                Path.of(a.get("socket")),
                Integer.parseInt(a.get("block-size")),
                Integer.parseInt(a.get("num-blocks")),
                Integer.parseInt(a.get("max-batch-tokens")),
                Integer.parseInt(a.get("max-seqs")),
                Integer.parseInt(a.get("threads")),
                Integer.parseInt(a.getOrDefault("nice", "0")),
                eos,
                Duration.ofMillis(Long.parseLong(a.getOrDefault("warm-up-ms", "0"))),
                OpenVinoOptions.parse(a),
                KvDtype.parse(a.getOrDefault("kv-dtype", "auto")));
    }
}
