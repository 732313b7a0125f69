/*
 * Quantized matrix kernels for Tandem, called through FFM on the same memory the Java kernels
 * read (dev.tandem.kernels.NativeKernels). Same weight layouts as the Java kernels
 * (QuantizedDots), but on activations quantized to int8 per block of 32 (x ~= xq * xs): integer
 * dot products, scaled per block and per group, with the zero point taken out through the
 * activations' float group sums. An AVX2 version is chosen at run time when the CPU has it; the
 * portable C version is the fallback.
 *
 * out[t * out_stride + (r - row_from)] = w[r] . x[t] for r in [row_from, row_to), t in [0, tokens).
 * Q8 codes are signed bytes; Q4 codes are nibbles packed per 32 weights (byte j: weight j low,
 * weight j + 16 high). zeros may be NULL (then fixed_zero is every group's zero point). For Q4
 * weights in groups of a multiple of 64, the activation codes come with each pair of 32-blocks
 * permuted (first halves of both blocks, then second halves), to match one 32-byte load of codes.
 */
#include <stddef.h>
#include <stdint.h>
#include <immintrin.h>

#define MAX_TOKENS 4

int tandem_kernels_avx2(void);

/* The instruction set in use: 2 AVX-VNNI, 1 AVX2, 0 portable; -1 until the first call decides. */
static int level = -1;
#ifndef PREFETCH_BYTES
#define PREFETCH_BYTES 8192
#endif

static inline int zero_at(const uint8_t *zeros, int fixed_zero, int q4, long index) {
    if (zeros == NULL) {
        return fixed_zero;
    }
    return q4 ? zeros[index] : (int)(int8_t)zeros[index];
}

__attribute__((target("avx2,fma")))
static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/*
 * Integer dot products on quantized activations, as llama.cpp does: x was quantized per weight
 * group to int8 codes xq with one scale per group (x ~= xq * xs). Per group, the weight codes
 * times xq are summed exactly in int32 (AVX-VNNI's dpbusd where the CPU has it, else maddubs and
 * madd), then scaled once by the weight scale times xs; the zero point is taken out through the
 * (float) group sums of x. Four times less arithmetic per weight than widening every weight.
 * The body is rows_int.inc, compiled once per instruction set.
 */
#define TARGET "avx2,fma"
#define ROWS_INT_T rows_int_avx2_t
#define DOT(acc, wu, xv) _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(wu, xv), ones))
#include "rows_int.inc"
#undef TARGET
#undef ROWS_INT_T
#undef DOT

#define TARGET "avx2,fma,avxvnni"
#define ROWS_INT_T rows_int_vnni_t
#define DOT(acc, wu, xv) _mm256_dpbusd_avx_epi32(acc, wu, xv)
#include "rows_int.inc"
#undef TARGET
#undef ROWS_INT_T
#undef DOT

/* Each token count is its own instantiation, so that the accumulators live in registers. */
#define ROWS_INT_DISPATCH(F)                                                                                          \
    switch (tokens) {                                                                                                 \
        case 1: F(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, xsums, out, out_stride, 1); break;  \
        case 2: F(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, xsums, out, out_stride, 2); break;  \
        case 3: F(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, xsums, out, out_stride, 3); break;  \
        default: F(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, xsums, out, out_stride, 4); break; \
    }

__attribute__((target("avx2,fma")))
static void rows_int(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                     int row_from, int row_to, const int8_t *xq, const float *xs, int tokens, const float *xsums, float *out,
                     int out_stride) {
    ROWS_INT_DISPATCH(rows_int_avx2_t)
}

__attribute__((target("avx2,fma,avxvnni")))
static void rows_int_vnni(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                          int row_from, int row_to, const int8_t *xq, const float *xs, int tokens, const float *xsums, float *out,
                          int out_stride) {
    ROWS_INT_DISPATCH(rows_int_vnni_t)
}

/* The portable version of rows_int: the same integer sums, in plain C. */
static void rows_int_scalar(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                            int row_from, int row_to, const int8_t *xq, const float *xs, int tokens, const float *xsums, float *out,
                            int out_stride) {
    int groups = cols / group;
    int paired = q4 && group % 64 == 0;
    long row_bytes = q4 ? cols / 2 : cols;
    for (int r = row_from; r < row_to; r++) {
        const uint8_t *row = w + (long)r * row_bytes;
        for (int t = 0; t < tokens; t++) {
            float total = 0;
            for (int g = 0; g < groups; g++) {
                int32_t sum = 0;
                for (int k = g * group; k < (g + 1) * group; k += 32) {
                    for (int j = 0; j < 32; j++) {
                        int q = q4 ? (j < 16 ? row[k / 2 + j] & 15 : row[k / 2 + j - 16] >> 4) : (int8_t)row[k + j];
                        int c = k + j;
                        if (paired) {
                            /* activations of Q4 rows in groups of 64 come with pairs of blocks permuted */
                            int o = c & 63, base = c - o;
                            c = base + ((o & 0x30) == 0x10 ? o + 16 : (o & 0x30) == 0x20 ? o - 16 : o);
                        }
                        sum += q * xq[(long)t * cols + c];
                    }
                }
                long gi = (long)r * groups + g;
                float acc = sum * xs[(long)t * groups + g];
                total += scales[gi] * (acc - zero_at(zeros, fixed_zero, q4, gi) * xsums[(long)t * groups + g]);
            }
            out[(long)t * out_stride + (r - row_from)] = total;
        }
    }
}

void tandem_quantized_rows_int(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                               int row_from, int row_to, const int8_t *xq, const float *xs, int tokens, const float *xsums, float *out,
                               int out_stride) {
    if (level < 0) {
        level = tandem_kernels_avx2();
    }
    int groups = cols / group;
    for (int t0 = 0; t0 < tokens; t0 += MAX_TOKENS) {
        int n = tokens - t0 < MAX_TOKENS ? tokens - t0 : MAX_TOKENS;
        const int8_t *xqt = xq + (long)t0 * cols;
        const float *xst = xs + (long)t0 * groups;
        const float *st = xsums + (long)t0 * groups;
        float *ot = out + (long)t0 * out_stride;
        if (level == 2) {
            rows_int_vnni(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xqt, xst, n, st, ot, out_stride);
        } else if (level == 1) {
            rows_int(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xqt, xst, n, st, ot, out_stride);
        } else {
            rows_int_scalar(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xqt, xst, n, st, ot, out_stride);
        }
    }
}

static inline int paired_index(int i) {
    int o = i & 63, q = o >> 4;
    return (i - o) + (q == 1 ? o + 16 : q == 2 ? o - 16 : o);
}

/*
 * xq, xs = int8 codes and per-block scales of x[0..n) (blocks of `block` values): xs = max|x| / 127,
 * xq = x / xs rounded half away from zero (as Java's Math.round for these values), stored in
 * paired order when `paired` (see the Q4 note above); NativeKernels.quantizeActivationsNative documents it.
 */
__attribute__((target("avx2,fma")))
static void quantize_avx2(const float *x, int n, int block, int paired, int8_t *xq, float *xs) {
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    for (int b = 0; b * block < n; b++) {
        const float *v = x + (long)b * block;
        __m256 m = _mm256_setzero_ps();
        for (int i = 0; i < block; i += 8) {
            m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(v + i), abs_mask));
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float scale = _mm_cvtss_f32(m4) / 127.0f;
        xs[b] = scale;
        __m256 inverse = _mm256_set1_ps(scale == 0 ? 0 : 1 / scale);
        __m256 half = _mm256_set1_ps(0.5f);
        for (int i = 0; i < block; i += 8) {
            __m256 y = _mm256_mul_ps(_mm256_loadu_ps(v + i), inverse);
            /* Math.round: floor(y + 0.5) */
            __m256i q = _mm256_cvtps_epi32(_mm256_floor_ps(_mm256_add_ps(y, half)));
            int32_t lanes[8];
            _mm256_storeu_si256((__m256i *)lanes, q);
            for (int j = 0; j < 8; j++) {
                int at = b * block + i + j;
                xq[paired ? paired_index(at) : at] = (int8_t)lanes[j];
            }
        }
    }
}

static void quantize_scalar(const float *x, int n, int block, int paired, int8_t *xq, float *xs) {
    for (int b = 0; b * block < n; b++) {
        const float *v = x + (long)b * block;
        float m = 0;
        for (int i = 0; i < block; i++) {
            float a = v[i] < 0 ? -v[i] : v[i];
            m = a > m ? a : m;
        }
        float scale = m / 127.0f;
        xs[b] = scale;
        float inverse = scale == 0 ? 0 : 1 / scale;
        for (int i = 0; i < block; i++) {
            float y = v[i] * inverse + 0.5f;
            int q = (int)y;
            if ((float)q > y) {
                q--; /* floor for negatives */
            }
            int at = b * block + i;
            xq[paired ? paired_index(at) : at] = (int8_t)q;
        }
    }
}

void tandem_quantize_activations(const float *x, int n, int block, int paired, int8_t *xq, float *xs) {
    if (level < 0) {
        level = tandem_kernels_avx2();
    }
    if (level >= 1 && block % 32 == 0) {
        quantize_avx2(x, n, block, paired, xq, xs);
    } else {
        quantize_scalar(x, n, block, paired, xq, xs);
    }
}

/* Exported: 2 when the AVX-VNNI path runs, 1 for AVX2, 0 for the portable one. */
int tandem_kernels_avx2(void) {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        return 0;
    }
    return __builtin_cpu_supports("avxvnni") ? 2 : 1;
}

/* Exported for tests: run the portable (0) or AVX2 (1) path instead; returns the level in use. */
int tandem_kernels_use_level(int wanted) {
    int best = tandem_kernels_avx2();
    level = wanted < best ? wanted : best;
    return level;
}
