package dev.tandem.shard;

import dev.tandem.request.OutputGrammar;
import dev.tandem.request.Pooling;
import dev.tandem.request.SamplingParams;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The wire form of step messages between the scheduler and a shard process: explicit fields in a
 * fixed order, each message starting with a magic number and a version so that mismatched
 * processes fail loudly. Control data only: KV never crosses the socket (it is in the shared arena).
 */
public final class StepCodec {
    static final int MAGIC = 0x54_4E_44_4D; // "TNDM"
    static final int VERSION = 6;
    private static final int MAX_ITEMS = 1 << 20;

    private StepCodec() {}

    public static void writeBatch(DataOutputStream out, StepBatch batch) throws IOException {
        header(out);
        out.writeByte(batch.kind().ordinal());
        out.writeInt(batch.sequences().size());
        for (SequenceStep s : batch.sequences()) {
            out.writeUTF(s.requestId());
            out.writeInt(s.startPosition());
            out.writeInt(s.numTokens());
            ints(out, s.newBlocks());
            out.writeInt(s.numSamples());
            out.writeBoolean(s.newRequest() != null);
            if (s.newRequest() != null) {
                NewRequest r = s.newRequest();
                out.writeUTF(r.requestId());
                ints(out, r.promptTokens());
                ints(out, r.outputTokens());
                params(out, r.params());
                out.writeInt(r.numTopLogprobs());
                out.writeInt(r.numPromptLogprobs());
            }
        }
        out.writeInt(batch.finishedRequestIds().size());
        for (String id : batch.finishedRequestIds()) {
            out.writeUTF(id);
        }
        out.flush();
    }

    public static StepBatch readBatch(DataInputStream in) throws IOException {
        checkHeader(in);
        StepKind kind = StepKind.values()[in.readUnsignedByte()];
        int n = count(in);
        List<SequenceStep> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            int start = in.readInt();
            int numTokens = in.readInt();
            int[] newBlocks = ints(in);
            int numSamples = in.readInt();
            NewRequest fresh = null;
            if (in.readBoolean()) {
                fresh = new NewRequest(in.readUTF(), ints(in), ints(in), params(in), in.readInt(), in.readInt());
            }
            steps.add(new SequenceStep(id, start, numTokens, newBlocks, numSamples, fresh));
        }
        int f = count(in);
        List<String> finished = new ArrayList<>(f);
        for (int i = 0; i < f; i++) {
            finished.add(in.readUTF());
        }
        return new StepBatch(kind, steps, finished);
    }

    public static void writeTokens(DataOutputStream out, List<SampledToken> tokens) throws IOException {
        header(out);
        out.writeInt(tokens.size());
        for (SampledToken t : tokens) {
            out.writeUTF(t.requestId());
            out.writeInt(t.token());
            out.writeFloat(t.logprob());
            out.writeBoolean(t.topTokens() != null);
            if (t.topTokens() != null) {
                ints(out, t.topTokens());
                for (float f : t.topLogprobs()) {
                    out.writeFloat(f);
                }
            }
            out.writeInt(t.embedding() == null ? -1 : t.embedding().length);
            for (int k = 0; t.embedding() != null && k < t.embedding().length; k++) {
                out.writeFloat(t.embedding()[k]);
            }
        }
        out.flush();
    }

    public static List<SampledToken> readTokens(DataInputStream in) throws IOException {
        checkHeader(in);
        int n = count(in);
        List<SampledToken> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            int token = in.readInt();
            float logprob = in.readFloat();
            int[] top = null;
            float[] topLogprobs = null;
            if (in.readBoolean()) {
                top = ints(in);
                topLogprobs = new float[top.length];
                for (int k = 0; k < top.length; k++) {
                    topLogprobs[k] = in.readFloat();
                }
            }
            int dims = in.readInt();
            if (dims > MAX_ITEMS) {
                throw new IOException("corrupt step message: embedding of " + dims + " dimensions");
            }
            float[] embedding = dims < 0 ? null : new float[dims];
            for (int k = 0; k < dims; k++) {
                embedding[k] = in.readFloat();
            }
            out.add(new SampledToken(id, token, logprob, top, topLogprobs, embedding));
        }
        return out;
    }

    private static void params(DataOutputStream out, SamplingParams p) throws IOException {
        out.writeFloat(p.temperature());
        out.writeFloat(p.topP());
        out.writeInt(p.topK());
        out.writeFloat(p.minP());
        out.writeBoolean(p.seed().isPresent());
        out.writeLong(p.seed().orElse(0));
        out.writeFloat(p.presencePenalty());
        out.writeFloat(p.frequencyPenalty());
        out.writeFloat(p.repetitionPenalty());
        out.writeInt(p.logitBias().size());
        for (Map.Entry<Integer, Float> e : p.logitBias().entrySet()) {
            out.writeInt(e.getKey());
            out.writeFloat(e.getValue());
        }
        out.writeInt(p.maxTokens());
        out.writeInt(p.minTokens());
        out.writeBoolean(p.ignoreEos());
        out.writeInt(p.stopTokenIds().size());
        for (int id : p.stopTokenIds()) {
            out.writeInt(id);
        }
        out.writeInt(p.stopStrings().size());
        for (String s : p.stopStrings()) {
            out.writeUTF(s);
        }
        // A grammar can pass writeUTF's 64 KiB, so it goes as length-prefixed UTF-8.
        byte[] grammar = p.grammar()
                .map(g -> g.gbnf().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .orElse(null);
        out.writeInt(grammar == null ? -1 : grammar.length);
        if (grammar != null) {
            out.write(grammar);
            out.writeBoolean(p.grammar().get().trigger().isPresent());
            if (p.grammar().get().trigger().isPresent()) {
                out.writeUTF(p.grammar().get().trigger().get());
            }
        }
        out.writeByte(p.pooling().map(pool -> pool.ordinal() + 1).orElse(0));
    }

    private static SamplingParams params(DataInputStream in) throws IOException {
        float temperature = in.readFloat();
        float topP = in.readFloat();
        int topK = in.readInt();
        float minP = in.readFloat();
        boolean hasSeed = in.readBoolean();
        long seed = in.readLong();
        float presence = in.readFloat();
        float frequency = in.readFloat();
        float repetition = in.readFloat();
        int numBias = count(in);
        Map<Integer, Float> bias = new HashMap<>();
        for (int i = 0; i < numBias; i++) {
            bias.put(in.readInt(), in.readFloat());
        }
        int maxTokens = in.readInt();
        int minTokens = in.readInt();
        boolean ignoreEos = in.readBoolean();
        int numStopIds = count(in);
        List<Integer> stopIds = new ArrayList<>(numStopIds);
        for (int i = 0; i < numStopIds; i++) {
            stopIds.add(in.readInt());
        }
        int numStops = count(in);
        List<String> stops = new ArrayList<>(numStops);
        for (int i = 0; i < numStops; i++) {
            stops.add(in.readUTF());
        }
        int grammarBytes = in.readInt();
        java.util.Optional<OutputGrammar> grammar = java.util.Optional.empty();
        if (grammarBytes >= 0) {
            if (grammarBytes > 64 << 20) {
                throw new IOException("corrupt step message: grammar of " + grammarBytes + " bytes");
            }
            byte[] g = new byte[grammarBytes];
            in.readFully(g);
            java.util.Optional<String> trigger =
                    in.readBoolean() ? java.util.Optional.of(in.readUTF()) : java.util.Optional.empty();
            grammar = java.util.Optional.of(
                    new OutputGrammar(new String(g, java.nio.charset.StandardCharsets.UTF_8), trigger));
        }
        int pooling = in.readUnsignedByte();
        return SamplingParams.builder()
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .minP(minP)
                .seed(hasSeed ? OptionalLong.of(seed) : OptionalLong.empty())
                .presencePenalty(presence)
                .frequencyPenalty(frequency)
                .repetitionPenalty(repetition)
                .logitBias(bias)
                .maxTokens(maxTokens)
                .minTokens(minTokens)
                .ignoreEos(ignoreEos)
                .stopTokenIds(stopIds)
                .stopStrings(stops)
                .grammar(grammar)
                .pooling(
                        pooling == 0
                                ? java.util.Optional.empty()
                                : java.util.Optional.of(Pooling.values()[pooling - 1]))
                .build();
    }

    private static void ints(DataOutputStream out, int[] values) throws IOException {
        out.writeInt(values.length);
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static int[] ints(DataInputStream in) throws IOException {
        int[] out = new int[count(in)];
        for (int i = 0; i < out.length; i++) {
            out[i] = in.readInt();
        }
        return out;
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ITEMS) {
            throw new IOException("corrupt step message: count " + n);
        }
        return n;
    }

    private static void header(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
    }

    private static void checkHeader(DataInputStream in) throws IOException {
        int magic = in.readInt();
        int version = in.readUnsignedShort();
        if (magic != MAGIC || version != VERSION) {
            throw new IOException("not a Tandem step message of version " + VERSION + " (magic 0x"
                    + Integer.toHexString(magic) + ", version " + version + ")");
        }
    }
}
