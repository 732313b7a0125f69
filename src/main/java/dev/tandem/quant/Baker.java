package dev.tandem.quant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.DType;
import dev.tandem.model.ModelConfig;
import dev.tandem.model.SafeTensorsWriter;
import dev.tandem.model.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a baked checkpoint: the linear layers' weights of every transformer layer quantized with
 * the scheme (codes, {@code _scale}, and {@code _zero_point} for asymmetric schemes), the output
 * head by the head rule, everything else (embeddings, norms, biases) as it was, the tokenizer and
 * other files copied, and a {@code quantization_config} in config.json naming what was done. The
 * output is written to a temporary folder beside the target and renamed at the end, so a
 * half-written bake never looks finished.
 *
 * <p>Head rule (as NNCF's default backup precision): the output head is quantized to INT8
 * asymmetric with the scheme's group size, also when the embeddings are tied (the head is then
 * written as its own tensor and the embeddings stay as stored, since an embedding lookup reads
 * one row per token); {@code headBf16} keeps it as stored.
 */
public final class Baker {
    private static final Pattern LINEAR =
            Pattern.compile("model\\.layers\\.\\d+\\.(self_attn|mlp)\\.[a-z_]+_proj\\.weight");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Baker() {}

    /** Receives progress: a line per tensor, with the fraction of the input done. */
    @FunctionalInterface
    public interface Progress {
        void tensor(String name, String action, double fractionDone);
    }

    public static void bake(Path model, Path out, QuantScheme scheme, boolean headBf16, Progress progress)
            throws IOException {
        if (Files.exists(out)) {
            throw new IOException(out + " already exists; bake writes a new folder");
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".baking-");
        if (Files.getFileAttributeView(tmp, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try (Checkpoint ckpt = Checkpoint.open(model)) {
            ModelConfig c = ckpt.config();
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            List<String> names = new ArrayList<>(ckpt.tensorNames());
            long total = ckpt.totalWeightBytes();
            long[] done = {0};
            boolean writeHead = !headBf16 && c.tieWordEmbeddings() && !names.contains("lm_head.weight");
            if (writeHead) {
                names.add("lm_head.weight");
            }
            for (String name : names) {
                Tensor t = name.equals("lm_head.weight") && writeHead
                        ? ckpt.tensor("model.embed_tokens.weight")
                        : ckpt.tensor(name);
                boolean linear = LINEAR.matcher(name).matches();
                boolean head = name.equals("lm_head.weight") && !headBf16;
                QuantScheme s = head ? new QuantScheme(8, scheme.groupSize(), false) : scheme;
                if ((linear || head) && t.shape().length == 2 && t.shape()[1] % s.groupSize() == 0) {
                    int rows = (int) t.shape()[0], cols = (int) t.shape()[1];
                    GroupQuantizer.Quantized q = GroupQuantizer.quantize(t.toFloats(rows, cols), rows, cols, s);
                    long codeCols = s.bits() == 4 ? cols / 2 : cols;
                    entries.add(new SafeTensorsWriter.Entry(
                            name, s.bits() == 4 ? DType.U8 : DType.I8, new long[] {rows, codeCols}, bytes(q.data())));
                    entries.add(new SafeTensorsWriter.Entry(
                            name + "_scale", DType.F32, new long[] {rows, cols / s.groupSize()}, floats(q.scales())));
                    if (q.zeros() != null) {
                        entries.add(new SafeTensorsWriter.Entry(
                                name + "_zero_point",
                                s.bits() == 4 ? DType.U8 : DType.I8,
                                new long[] {rows, cols / s.groupSize()},
                                bytes(q.zeros())));
                    }
                    done[0] += t.data().byteSize();
                    progress.tensor(name, s.name(), Math.min(1, (double) done[0] / total));
                } else {
                    MemorySegment data = t.data();
                    entries.add(new SafeTensorsWriter.Entry(name, t.dtype(), t.shape(), seg -> seg.copyFrom(data)));
                    done[0] += data.byteSize();
                    progress.tensor(name, "kept " + t.dtype(), Math.min(1, (double) done[0] / total));
                }
            }
            SafeTensorsWriter.write(tmp.resolve("model.safetensors"), entries);
            copyOtherFiles(model, tmp);
            ObjectNode config =
                    (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
            ObjectNode qc = config.putObject("quantization_config");
            qc.put("quant_method", ModelConfig.BAKED_METHOD);
            qc.put("weights", scheme.name());
            qc.put("bits", scheme.bits());
            qc.put("group_size", scheme.groupSize());
            qc.put("symmetric", scheme.symmetric());
            qc.put("lm_head", headBf16 ? "as stored" : "int8_asym");
            qc.put("embeddings", "as stored");
            if (writeHead) {
                config.put("tie_word_embeddings", false);
            }
            JSON.writerWithDefaultPrettyPrinter()
                    .writeValue(tmp.resolve("config.json").toFile(), config);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void copyOtherFiles(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".safetensors")
                        && !n.equals("model.safetensors.index.json")
                        && !n.equals("config.json")) {
                    Files.copy(f, to.resolve(n));
                }
            }
        }
    }

    private static Consumer<MemorySegment> bytes(byte[] b) {
        return seg -> MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    private static Consumer<MemorySegment> floats(float[] f) {
        return seg -> MemorySegment.copy(
                f, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, f.length);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
