package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;

/**
 * out[t, r] = x[t, :] . w[r, :] (+ bias[r]) for a batch of activation rows: one pass over the
 * weights serves every row of the batch. Output rows are shared out across the thread team in
 * chunks. One instance per caller; it keeps its per-call state in fields so no loop allocates.
 * Which kernel runs depends on the format and on the process's {@link KernelPath}, never on the
 * batch: a token gets the same bits alone or among others, which every kernel here guarantees for
 * its own tiles and which this class keeps by choosing per process, not per call.
 */
public final class Matmul {
    private static final int MAX_ROWS_PER_CHUNK = 128;
    private static final int MAX_NATIVE_ROWS_PER_CHUNK = 1024;
    private static final int MAX_PARTS = 4;
    /**
     * How the AMX kernel's work is shared out, timed from C on the 2-vCPU development VM (16
     * tokens, two threads, each call a chunk). Every call costs its tile configuration and more
     * chunks more hand-offs, so the rows go out in two chunks per thread: 1536x256 took 23 us in
     * halves, 25 in quarters, 36 in 64-row chunks and 34 alone; 4096x256 53 / 54 / 90 and 93
     * alone. Below MIN_SHARED_TILE_WORK (see tileWork) the caller does it alone: 256x256 took 6.6
     * us alone against 12 in halves, 256x768 25 against 29.
     */
    private static final long MIN_SHARED_TILE_WORK = 1L << 18;

    private static final int TILE_CHUNKS_PER_THREAD = 2;

    private final ThreadTeam team;
    private final float[][] dots;
    private final ThreadTeam.Body body = this::chunk;
    private final WeightMatrix[] one = new WeightMatrix[1];
    private final float[][] oneBias = new float[1][];
    private final float[][] oneOut = new float[1][];
    // The matrices of the current call ("parts", sharing one input) and where their chunks start.
    private WeightMatrix[] parts;
    private float[][] biases;
    private float[][] outs;
    private final MemorySegment[] outSegments = new MemorySegment[MAX_PARTS];
    private final int[] rowsPerChunk = new int[MAX_PARTS];
    private final int[] firstChunk = new int[MAX_PARTS + 1];
    private float[] x;
    private float[] permuted = new float[0];
    private float[] groupSums = new float[0];
    private final boolean useNative;
    private final float[][] nativeOut;
    private final MemorySegment[] nativeOutSegments;
    // The C kernels' quantized activations: codes, per-group scales and code sums, sized by sizes.
    private final long[] sizes = new long[2];
    private byte[] xCodes = new byte[0];
    private float[] xScales = new float[0];
    private int[] xCodeSums = new int[0];
    private MemorySegment xCodesSegment;
    private MemorySegment xScalesSegment;
    private MemorySegment xCodeSumsSegment;
    private final ArraySegments segments = new ArraySegments(12);
    private final float[][] packed = new float[MAX_PARTS][0];
    private final MemorySegment[] packedSegments = new MemorySegment[MAX_PARTS];
    private final MemorySegment[] packedOf = new MemorySegment[MAX_PARTS];
    private final int[] shifts = new int[MAX_PARTS];
    private boolean bf16Native;
    private int numTokens;
    private boolean accumulate;

    public Matmul(ThreadTeam team) {
        this(team, NativeKernels.available());
    }

    /** useNative: quantized weights, and bf16 ones for batches, go through the C kernels (when they loaded). */
    public Matmul(ThreadTeam team, boolean useNative) {
        this.team = team;
        this.dots = new float[team.size()][16];
        this.useNative = useNative && NativeKernels.available();
        this.nativeOut = new float[team.size()][0];
        this.nativeOutSegments = new MemorySegment[team.size()];
    }

    /** out[t*w.rows + r] = x[t*w.cols ..] . w[r] (+ bias), for t in 0..numTokens-1. */
    public void apply(WeightMatrix weights, float[] biasOrNull, float[] input, int tokens, float[] output) {
        runOne(weights, biasOrNull, input, tokens, output, false);
    }

    /** Like {@link #apply} but adds into output, for residual connections. */
    public void applyAdd(WeightMatrix weights, float[] biasOrNull, float[] input, int tokens, float[] output) {
        runOne(weights, biasOrNull, input, tokens, output, true);
    }

    /**
     * {@link #apply} for several matrices of one input (q, k and v; gate and up) in one parallel
     * loop: the input is prepared once, and the threads meet once instead of once per matrix. The
     * matrices must share format, columns and quantization group size (else they run one by one);
     * biases and its entries may be null.
     */
    public void apply(WeightMatrix[] weights, float[][] biasesOrNull, float[] input, int tokens, float[][] outputs) {
        if (weights.length > MAX_PARTS || !sameLayout(weights)) {
            for (int i = 0; i < weights.length; i++) {
                runOne(weights[i], biasesOrNull == null ? null : biasesOrNull[i], input, tokens, outputs[i], false);
            }
            return;
        }
        run(weights, weights.length, biasesOrNull, input, tokens, outputs, false);
    }

    private static boolean sameLayout(WeightMatrix[] ws) {
        for (WeightMatrix m : ws) {
            if (m.format() != ws[0].format()
                    || m.cols() != ws[0].cols()
                    || (m.quantization() != null
                            && m.quantization().groupSize()
                                    != ws[0].quantization().groupSize())) {
                return false;
            }
        }
        return true;
    }

    private void runOne(
            WeightMatrix weights, float[] biasOrNull, float[] input, int tokens, float[] output, boolean add) {
        one[0] = weights;
        oneBias[0] = biasOrNull;
        oneOut[0] = output;
        run(one, 1, oneBias, input, tokens, oneOut, add);
        oneBias[0] = null;
        oneOut[0] = null;
    }

    private void run(
            WeightMatrix[] ws,
            int count,
            float[][] biasesOrNull,
            float[] input,
            int tokens,
            float[][] outputs,
            boolean add) {
        WeightMatrix weights = ws[0];
        parts = ws;
        biases = biasesOrNull;
        outs = outputs;
        x = input;
        // The C bf16 kernels for every batch size where they run: AMX computes in an order of its
        // own, and the vector kernels are the Java ones' order but faster.
        bf16Native = weights.format() == TensorFormat.BF16 && useNative && NativeBf16Rows.lanes() > 0;
        if (bf16Native) {
            int n = NativeBf16Rows.packedSize(tokens, weights.cols());
            for (int p = 0; p < count; p++) {
                // Packed once per shift (parts at different offsets in their cache lines, which
                // real checkpoints do not have), so that fused calls equal separate ones exactly.
                shifts[p] = NativeBf16Rows.shift(ws[p]);
                int first = 0;
                while (shifts[first] != shifts[p]) {
                    first++;
                }
                if (first == p) {
                    if (packed[p].length < n) {
                        packed[p] = new float[n]; // grows to the largest batch once, then is reused
                        packedSegments[p] = MemorySegment.ofArray(packed[p]);
                    }
                    NativeBf16Rows.pack(segments.of(input), tokens, weights.cols(), shifts[p], packedSegments[p]);
                }
                packedOf[p] = packedSegments[first];
                outSegments[p] = segments.of(outputs[p]);
            }
        } else if (weights.format() == TensorFormat.BF16) {
            int n = tokens * weights.cols();
            if (permuted.length < n) {
                permuted = new float[n]; // grows to the largest batch once, then is reused
            }
            RowDots.permuteForBf16(input, permuted, tokens, weights.cols());
            x = permuted;
        } else if (weights.format().isQuantized() && useNative) {
            NativeKernels.bufferSizes(weights, tokens, sizes);
            if (xCodes.length < sizes[0] || xScales.length < sizes[1]) {
                // grows to the largest batch once, then is reused
                xCodes = new byte[(int) Math.max(xCodes.length, sizes[0])];
                xScales = new float[(int) Math.max(xScales.length, sizes[1])];
                xCodeSums = new int[xScales.length];
                xCodesSegment = MemorySegment.ofArray(xCodes);
                xScalesSegment = MemorySegment.ofArray(xScales);
                xCodeSumsSegment = MemorySegment.ofArray(xCodeSums);
            }
            NativeKernels.quantize(
                    segments.of(input), weights, tokens, xCodesSegment, xScalesSegment, xCodeSumsSegment);
        } else if (weights.format().isQuantized()) {
            int n = tokens * weights.quantization().groups(weights.cols());
            if (groupSums.length < n) {
                groupSums = new float[n]; // grows to the largest batch once, then is reused
            }
            QuantizedDots.groupSums(
                    input, tokens, weights.cols(), weights.quantization().groupSize(), groupSums);
        }
        numTokens = tokens;
        accumulate = add;
        // At least 8 chunks per thread so the threads finish together; multiples of 4 rows for the tiles.
        // Native calls take bigger chunks: each call has a fixed cost, and one streams its rows well.
        int maxRows = useNative && weights.format().isQuantized() ? MAX_NATIVE_ROWS_PER_CHUNK : MAX_ROWS_PER_CHUNK;
        boolean tiles = bf16Native && NativeBf16Rows.amx();
        int tile = tiles ? 16 : 4; // rows per tile: AMX's, or the vector kernels'

        boolean alone = tiles && tileWork(ws, count, tokens) < MIN_SHARED_TILE_WORK;
        for (int p = 0; p < count; p++) {
            int rows = ws[p].rows();
            if (alone) {
                rowsPerChunk[p] = rows;
            } else if (tiles) {
                int chunks = TILE_CHUNKS_PER_THREAD * team.size();
                rowsPerChunk[p] = Math.max(tile, (rows + chunks * tile - 1) / (chunks * tile) * tile);
            } else {
                rowsPerChunk[p] = Math.max(tile, Math.min(maxRows, rows / (8 * team.size()) / tile * tile));
            }
            firstChunk[p + 1] = firstChunk[p] + (rows + rowsPerChunk[p] - 1) / rowsPerChunk[p];
        }
        if (alone) {
            for (int c = 0; c < firstChunk[count]; c++) {
                chunk(c, 0);
            }
        } else {
            team.run(firstChunk[count], body);
        }
        x = null;
        parts = null;
        biases = null;
        outs = null;
    }

    /** Weights times blocks of 16 tokens: what the AMX tiles multiply. */
    private static long tileWork(WeightMatrix[] ws, int count, int tokens) {
        long weights = 0;
        for (int p = 0; p < count; p++) {
            weights += (long) ws[p].rows() * ws[p].cols();
        }
        return weights * ((tokens + 15) / 16);
    }

    private float[] biasOf(int part) {
        return biases == null ? null : biases[part];
    }

    private void chunk(int chunk, int worker) {
        int p = 0;
        while (chunk >= firstChunk[p + 1]) {
            p++;
        }
        WeightMatrix w = parts[p];
        float[] bias = biasOf(p);
        float[] out = outs[p];
        float[] d = dots[worker];
        int cols = w.cols();
        int rows = w.rows();
        int start = (chunk - firstChunk[p]) * rowsPerChunk[p];
        int end = Math.min(rows, start + rowsPerChunk[p]);
        if (useNative && w.format().isQuantized()) {
            nativeRows(w, bias, out, start, end, worker, rowsPerChunk[p]);
            return;
        }
        if (bf16Native) {
            NativeBf16Rows.rows(w, start, end, packedOf[p], numTokens, shifts[p], accumulate, outSegments[p]);
            if (bias != null) {
                for (int t = 0; t < numTokens; t++) {
                    for (int r = start; r < end; r++) {
                        out[t * rows + r] += bias[r];
                    }
                }
            }
            return;
        }
        int r = start;
        if (w.format() == TensorFormat.BF16) {
            for (; r + 4 <= end; r += 4) {
                JavaRows.bf16FourRows(w, bias, x, numTokens, accumulate, out, r, d);
            }
        }
        JavaRows.rows(w, bias, x, groupSums, numTokens, accumulate, out, r, end, 0, d);
    }

    private void nativeRows(WeightMatrix w, float[] bias, float[] out, int start, int end, int worker, int chunkRows) {
        int n = end - start;
        if (nativeOut[worker].length < n * numTokens) {
            nativeOut[worker] = new float[chunkRows * numTokens]; // grows to the largest batch once, then is reused
            nativeOutSegments[worker] = MemorySegment.ofArray(nativeOut[worker]);
        }
        float[] o = nativeOut[worker];
        NativeKernels.rows(
                w,
                start,
                end,
                xCodesSegment,
                xScalesSegment,
                xCodeSumsSegment,
                numTokens,
                nativeOutSegments[worker],
                n);
        int rows = w.rows();
        for (int t = 0; t < numTokens; t++) {
            for (int r = start; r < end; r++) {
                int at = t * rows + r;
                out[at] = (accumulate ? out[at] : 0f) + o[t * n + r - start] + (bias == null ? 0f : bias[r]);
            }
        }
    }
}
