package dev.tandem.testsupport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tandem.model.ModelConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenVINO C API contract double (src-native/openvino-double), built by Maven into
 * target/native/openvino-double: where it is, what it recorded (contract violations, handles and
 * allocations still alive), IR files for it, and the toy model's rule to compute expected tokens.
 */
public final class OpenVinoDouble {
    public static final Path DIR = Path.of("target/native/openvino-double");
    public static final Path LIBRARY = DIR.resolve("libopenvino_c.so");

    private OpenVinoDouble() {}

    /** The library's absolute path; skips the test only where the build had no C compiler (and said so). */
    public static String library() {
        if (!Files.isRegularFile(LIBRARY) && Files.isRegularFile(DIR.resolve("skipped"))) {
            Assumptions.abort("the OpenVINO contract double was not built: " + read(DIR.resolve("skipped")));
        }
        if (!Files.isRegularFile(LIBRARY)) {
            throw new IllegalStateException(LIBRARY + " is missing: run the build (mvn generate-test-resources)");
        }
        return LIBRARY.toAbsolutePath().toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static SymbolLookup lookup;

    private static synchronized MethodHandle handle(String name, FunctionDescriptor d) {
        if (lookup == null) {
            lookup = SymbolLookup.libraryLookup(Path.of(library()), Arena.global());
        }
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), d);
    }

    /** Contract violations recorded in void calls (double free, use after free) in this process. */
    public static int violations() throws Throwable {
        return (int)
                handle("ovdouble_violations", FunctionDescriptor.of(JAVA_INT)).invokeExact();
    }

    public static String lastViolation() throws Throwable {
        MemorySegment s = (MemorySegment) handle("ovdouble_last_violation", FunctionDescriptor.of(ADDRESS))
                .invokeExact();
        return s.reinterpret(4096).getString(0);
    }

    /** Handles (core, model, compiled model, request, tensor, port) created and not yet released. */
    public static long liveObjects() throws Throwable {
        return (long) handle("ovdouble_live_objects", FunctionDescriptor.of(JAVA_LONG))
                .invokeExact();
    }

    /** Strings and arrays the double handed out that were not given back (ov_free and friends). */
    public static long liveAllocations() throws Throwable {
        return (long) handle("ovdouble_live_allocations", FunctionDescriptor.of(JAVA_LONG))
                .invokeExact();
    }

    /** The toy model's next token after a sequence whose ids sum to idSum (see toy_model.c). */
    public static int next(long idSum, int vocab) {
        return (int) (3 + Math.floorMod(31 * idSum + 7, vocab - 3));
    }

    /** Greedy continuation of a prompt under the toy model, stopping after n tokens or at an EOS id. */
    public static List<Integer> continuation(int[] prompt, int n, int vocab, List<Integer> eos) {
        long sum = 0;
        for (int t : prompt) {
            sum += t;
        }
        List<Integer> out = new ArrayList<>();
        while (out.size() < n) {
            int t = next(sum, vocab);
            out.add(t);
            if (eos.contains(t)) {
                break;
            }
            sum += t;
        }
        return out;
    }

    /**
     * Writes dir/openvino_model.xml (+ an empty .bin): the Parameter and Result layers of a
     * stateless decoder export of this config, in the subset of IR v11 the double reads. With
     * stateful, the KV tensors are left out and beam_idx added, as optimum's default export has.
     */
    public static Path writeIr(Path dir, ModelConfig c, boolean dynamicBatch, boolean stateful) throws IOException {
        Files.createDirectories(dir);
        StringBuilder xml = new StringBuilder(
                "<?xml version=\"1.0\"?>\n<net name=\"contract-double-llm\" version=\"11\">\n<layers>\n");
        int[] id = {0};
        String b = dynamicBatch ? "-1" : "1";
        parameter(xml, id, "input_ids", "i64", b, "-1");
        parameter(xml, id, "attention_mask", "i64", b, "-1");
        parameter(xml, id, "position_ids", "i64", b, "-1");
        if (stateful) {
            parameter(xml, id, "beam_idx", "i32", b);
        } else {
            for (int l = 0; l < c.numLayers(); l++) {
                for (String part : List.of("key", "value")) {
                    parameter(
                            xml,
                            id,
                            "past_key_values." + l + "." + part,
                            "f32",
                            b,
                            "" + c.numKvHeads(),
                            "-1",
                            "" + c.headDim());
                }
            }
        }
        result(xml, id, "logits", b, "-1", "" + c.vocabSize());
        if (!stateful) {
            for (int l = 0; l < c.numLayers(); l++) {
                for (String part : List.of("key", "value")) {
                    result(xml, id, "present." + l + "." + part, b, "" + c.numKvHeads(), "-1", "" + c.headDim());
                }
            }
        }
        xml.append("</layers>\n</net>\n");
        Path file = dir.resolve("openvino_model.xml");
        Files.writeString(file, xml);
        Files.write(dir.resolve("openvino_model.bin"), new byte[0]);
        return file;
    }

    private static void parameter(StringBuilder xml, int[] id, String name, String type, String... dims) {
        xml.append("  <layer id=\"")
                .append(id[0]++)
                .append("\" name=\"")
                .append(name)
                .append("\" type=\"Parameter\" version=\"opset1\">\n")
                .append("    <data shape=\"")
                .append(String.join(",", dims).replace("-1", "?"))
                .append("\" element_type=\"")
                .append(type)
                .append("\"/>\n    <output><port id=\"0\" precision=\"")
                .append(type.toUpperCase())
                .append("\" names=\"")
                .append(name)
                .append("\">")
                .append(dimsXml(dims))
                .append("</port></output>\n  </layer>\n");
    }

    private static void result(StringBuilder xml, int[] id, String name, String... dims) {
        xml.append("  <layer id=\"")
                .append(id[0]++)
                .append("\" name=\"")
                .append(name)
                .append("/sink_port_0\" type=\"Result\" version=\"opset1\">\n")
                .append("    <input><port id=\"0\" precision=\"FP32\" names=\"")
                .append(name)
                .append("\">")
                .append(dimsXml(dims))
                .append("</port></input>\n  </layer>\n");
    }

    private static String dimsXml(String... dims) {
        StringBuilder s = new StringBuilder();
        for (String d : dims) {
            s.append("<dim>").append(d).append("</dim>");
        }
        return s.toString();
    }
}
