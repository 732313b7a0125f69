/*
 * Quantized matrix-vector kernels for Tandem, called through FFM on the same memory the Java
 * kernels read (dev.tandem.kernels.NativeKernels). Same layouts and results as the Java kernels
 * (QuantizedDots): per group, sum q * x in float, scale by the group's scale, and take the zero
 * point out through the activations' group sums. An AVX2 version is chosen at run time when the
 * CPU has it; the portable C version is the fallback.
 *
 * out[t * out_stride + (r - row_from)] = w[r] . x[t] for r in [row_from, row_to), t in [0, tokens).
 * Q8 codes are signed bytes; Q4 codes are nibbles packed per 32 weights (byte j: weight j low,
 * weight j + 16 high). zeros may be NULL (then fixed_zero is every group's zero point).
 */
#include <stddef.h>
#include <stdint.h>
#include <immintrin.h>

#define MAX_TOKENS 4
#ifndef PREFETCH_BYTES
#define PREFETCH_BYTES 2048
#endif

static inline int zero_at(const uint8_t *zeros, int fixed_zero, int q4, long index) {
    if (zeros == NULL) {
        return fixed_zero;
    }
    return q4 ? zeros[index] : (int)(int8_t)zeros[index];
}

static void rows_scalar(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                        int row_from, int row_to, const float *x, int tokens, const float *xsums, float *out, int out_stride) {
    int groups = cols / group;
    long row_bytes = q4 ? cols / 2 : cols;
    for (int r = row_from; r < row_to; r++) {
        const uint8_t *row = w + (long)r * row_bytes;
        for (int t = 0; t < tokens; t++) {
            const float *xt = x + (long)t * cols;
            float total = 0;
            for (int g = 0; g < groups; g++) {
                float acc = 0;
                for (int k = g * group; k < (g + 1) * group; k++) {
                    int q;
                    if (q4) {
                        int blk = k / 32 * 32, j = k - blk;
                        uint8_t b = row[blk / 2 + (j & 15)];
                        q = j < 16 ? (b & 15) : (b >> 4);
                    } else {
                        q = (int8_t)row[k];
                    }
                    acc += q * xt[k];
                }
                long gi = (long)r * groups + g;
                total += scales[gi] * (acc - zero_at(zeros, fixed_zero, q4, gi) * xsums[(long)t * groups + g]);
            }
            out[(long)t * out_stride + (r - row_from)] = total;
        }
    }
}

__attribute__((target("avx2,fma")))
static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/*
 * T tokens (a compile-time constant in each instantiation, so that the accumulators live in
 * registers) share every weight load. Each token sums into two chains (four for one token), so
 * that FMA latency does not bound the loop.
 */
__attribute__((target("avx2,fma"), always_inline))
static inline void rows_avx2_t(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                               int row_from, int row_to, const float *x, const float *xsums, float *out, int out_stride, const int T) {
    int groups = cols / group;
    long row_bytes = q4 ? cols / 2 : cols;
    const __m128i low_nibbles = _mm_set1_epi8(0x0F);
    for (int r = row_from; r < row_to; r++) {
        const uint8_t *row = w + (long)r * row_bytes;
        __m256 total[4];
        float correction[4];
        for (int t = 0; t < T; t++) {
            total[t] = _mm256_setzero_ps();
            correction[t] = 0;
        }
        for (int g = 0; g < groups; g++) {
            __m256 a[4][4];
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < 4; c++) {
                    a[t][c] = _mm256_setzero_ps();
                }
            }
            int k0 = g * group;
            for (int k = k0; k < k0 + group; k += 32) {
                __m256 w0, w1, w2, w3;
                /* DRAM latency needs more bytes in flight than the out-of-order window reaches. */
                _mm_prefetch((const char *)(row + (q4 ? k / 2 : k)) + PREFETCH_BYTES, _MM_HINT_T0);
                if (q4) {
                    __m128i bytes = _mm_loadu_si128((const __m128i *)(row + k / 2));
                    __m128i lo = _mm_and_si128(bytes, low_nibbles);
                    __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_nibbles);
                    w0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo));
                    w1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)));
                    w2 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi));
                    w3 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)));
                } else {
                    __m256i bytes = _mm256_loadu_si256((const __m256i *)(row + k));
                    __m128i b0 = _mm256_castsi256_si128(bytes), b1 = _mm256_extracti128_si256(bytes, 1);
                    w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b0));
                    w1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(b0, 8)));
                    w2 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b1));
                    w3 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(b1, 8)));
                }
                for (int t = 0; t < T; t++) {
                    const float *xt = x + (long)t * cols + k;
                    if (T == 1) {
                        a[t][0] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xt), a[t][0]);
                        a[t][1] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xt + 8), a[t][1]);
                        a[t][2] = _mm256_fmadd_ps(w2, _mm256_loadu_ps(xt + 16), a[t][2]);
                        a[t][3] = _mm256_fmadd_ps(w3, _mm256_loadu_ps(xt + 24), a[t][3]);
                    } else {
                        a[t][0] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xt), a[t][0]);
                        a[t][1] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xt + 8), a[t][1]);
                        a[t][0] = _mm256_fmadd_ps(w2, _mm256_loadu_ps(xt + 16), a[t][0]);
                        a[t][1] = _mm256_fmadd_ps(w3, _mm256_loadu_ps(xt + 24), a[t][1]);
                    }
                }
            }
            long gi = (long)r * groups + g;
            float s = scales[gi];
            float sz = s * zero_at(zeros, fixed_zero, q4, gi);
            __m256 sv = _mm256_set1_ps(s);
            for (int t = 0; t < T; t++) {
                __m256 sum = _mm256_add_ps(a[t][0], a[t][1]);
                if (T == 1) {
                    sum = _mm256_add_ps(sum, _mm256_add_ps(a[t][2], a[t][3]));
                }
                total[t] = _mm256_fmadd_ps(sum, sv, total[t]);
                correction[t] += sz * xsums[(long)t * groups + g];
            }
        }
        for (int t = 0; t < T; t++) {
            out[(long)t * out_stride + (r - row_from)] = hsum(total[t]) - correction[t];
        }
    }
}

__attribute__((target("avx2,fma")))
static void rows_avx2(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                      int row_from, int row_to, const float *x, int tokens, const float *xsums, float *out, int out_stride) {
    switch (tokens) {
        case 1: rows_avx2_t(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, x, xsums, out, out_stride, 1); break;
        case 2: rows_avx2_t(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, x, xsums, out, out_stride, 2); break;
        case 3: rows_avx2_t(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, x, xsums, out, out_stride, 3); break;
        default: rows_avx2_t(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, x, xsums, out, out_stride, 4); break;
    }
}

/* Exported: 1 when the AVX2 path runs, 0 for the portable one. */
int tandem_kernels_avx2(void) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

void tandem_quantized_rows(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group, int cols,
                           int row_from, int row_to, const float *x, int tokens, const float *xsums, float *out, int out_stride) {
    static int use_avx2 = -1;
    if (use_avx2 < 0) {
        use_avx2 = tandem_kernels_avx2();
    }
    for (int t0 = 0; t0 < tokens; t0 += MAX_TOKENS) {
        int n = tokens - t0 < MAX_TOKENS ? tokens - t0 : MAX_TOKENS;
        int groups = cols / group;
        const float *xt = x + (long)t0 * cols;
        const float *st = xsums + (long)t0 * groups;
        float *ot = out + (long)t0 * out_stride;
        if (use_avx2 && group % 32 == 0) {
            rows_avx2(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xt, n, st, ot, out_stride);
        } else {
            rows_scalar(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xt, n, st, ot, out_stride);
        }
    }
}
