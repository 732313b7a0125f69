package dev.tandem.shard.openvino;

import dev.tandem.device.openvino.ElementType;
import dev.tandem.device.openvino.PortInfo;
import dev.tandem.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks that an IR is the stateless export of the configured model (optimum-cli export openvino
 * --disable-stateful): i64 input_ids, attention_mask, position_ids [batch, seq]; f32
 * past_key_values.N.key/value [batch, kv_heads, past, head_dim] for every layer; f32 logits
 * [batch, seq, vocab] and present.N.key/value. Says everything that differs, at once.
 */
final class StatelessLlm {
    static final String EXPORT =
            "optimum-cli export openvino --model MODEL --weight-format int4 --group-size 128 --disable-stateful OUT";

    private StatelessLlm() {}

    /** Whether the batch dimension is dynamic (several sequences per infer); throws listing every mismatch. */
    static boolean check(List<PortInfo> inputs, List<PortInfo> outputs, ModelConfig c) {
        Map<String, PortInfo> in =
                inputs.stream().collect(Collectors.toMap(PortInfo::name, Function.identity(), (a, b) -> a));
        Map<String, PortInfo> out =
                outputs.stream().collect(Collectors.toMap(PortInfo::name, Function.identity(), (a, b) -> a));
        List<String> problems = new ArrayList<>();
        if (in.containsKey("beam_idx") || !in.containsKey("past_key_values.0.key")) {
            problems.add("the IR keeps its KV cache inside (stateful: "
                    + (in.containsKey("beam_idx") ? "it has beam_idx" : "no past_key_values inputs")
                    + "); Tandem needs explicit past_key_values/present tensors: export with --disable-stateful");
        }
        for (String name : List.of("input_ids", "attention_mask", "position_ids")) {
            expect(problems, "input", name, in.get(name), ElementType.I64, new long[] {-2, -2});
        }
        long[] kv = {-2, c.numKvHeads(), -2, c.headDim()};
        for (int l = 0; l < c.numLayers(); l++) {
            for (String part : List.of("key", "value")) {
                expect(
                        problems,
                        "input",
                        "past_key_values." + l + "." + part,
                        in.get("past_key_values." + l + "." + part),
                        ElementType.F32,
                        kv);
                expect(
                        problems,
                        "output",
                        "present." + l + "." + part,
                        out.get("present." + l + "." + part),
                        ElementType.F32,
                        kv);
            }
        }
        expect(problems, "output", "logits", out.get("logits"), ElementType.F32, new long[] {-2, -2, c.vocabSize()});
        long extra = in.keySet().stream()
                        .filter(n -> n.startsWith("past_key_values."))
                        .count()
                - 2L * c.numLayers();
        if (extra > 0) {
            problems.add(
                    "the IR has " + extra / 2 + " more layers of past_key_values than config.json's " + c.numLayers());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the OpenVINO IR is not the stateless export of this model:\n  - "
                    + String.join("\n  - ", problems) + "\n  (export it with: " + EXPORT + ")");
        }
        return in.get("input_ids").dims()[0] < 0;
    }

    /** want[d] = -2: any size; else that size (a dynamic dimension is accepted: it takes any size). */
    private static void expect(
            List<String> problems, String kind, String name, PortInfo port, ElementType type, long[] want) {
        if (port == null) {
            problems.add("no " + kind + " named " + name);
            return;
        }
        if (port.type() != type) {
            problems.add(kind + " " + name + " is " + port.type() + ", expected " + type);
        }
        if (port.dims().length != want.length) {
            problems.add(kind + " " + name + " has shape " + port.shape() + ", expected rank " + want.length);
            return;
        }
        for (int d = 0; d < want.length; d++) {
            if (want[d] >= 0 && port.dims()[d] >= 0 && port.dims()[d] != want[d]) {
                problems.add(kind + " " + name + " has shape " + port.shape() + ": dimension " + d + " should be "
                        + want[d]);
            }
        }
    }
}
