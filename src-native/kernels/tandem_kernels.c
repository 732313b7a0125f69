/*
 * Quantized matrix kernels for Tandem, called through FFM on the same memory the Java kernels
 * read (dev.tandem.kernels.NativeKernels). Same weight layouts as the Java kernels
 * (QuantizedDots): Q8 codes are signed bytes, Q4 codes nibbles packed per 32 weights (byte j:
 * weight j low, weight j + 16 high); zeros may be NULL (then fixed_zero is every group's zero).
 *
 * The activations are quantized to int8 per weight group (x ~= xq * xs) and every product is
 * defined by integers first: per row r, token t and group g the sum
 *     c = sum over the group of (q - zero) * xq
 * is exact in int32, however a kernel adds it up; then, in group order,
 *     total = fma((float) c, s[r, g] * xs[t, g], total)    (from total = 0)
 * is the result. Every kernel here computes exactly that, so a token gets the same bits alone or
 * in any batch, at any instruction-set level (AVX-512-VNNI, AVX-VNNI, AVX2, portable C) and in
 * any tile.
 *
 * Two kinds of kernel (int_kernels.inc, compiled once per instruction set):
 *  - rows: one row against a few tokens at a time, activations in their natural order; for
 *    decode, where the weights stream from DRAM and arithmetic is not what limits.
 *  - lanes: the GEMM of prefill and batched decode. Eight tokens share a vector, one int32 lane
 *    each, and each lane holds four of its token's activations (the layout tandem_int_quantize
 *    writes), so four weights of a row, broadcast, meet eight tokens in one instruction and no
 *    sum is ever folded across lanes. A tile of ROW_TILE rows keeps ROW_TILE accumulators and
 *    totals in registers while one activation vector serves them all. At AVX-512-VNNI, batches
 *    of at least sixteen tokens take sixteen per vector instead (int_lanes16.inc).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>

int tandem_kernels_avx2(void);

/* The instruction set in use: 3 AVX-512-VNNI, 2 AVX-VNNI, 1 AVX2, 0 portable; -1 until the first call decides. */
static int level = -1;

static int current_level(void) {
    if (level < 0) {
        level = tandem_kernels_avx2();
    }
    return level;
}

/* Tokens per vector in the lanes kernels. */
#define LANES 8
/* Rows per tile of the lanes kernels: six accumulators and six totals fit AVX2's 16 registers. */
#define ROW_TILE 6
/* From this many tokens on, the lanes kernels run (below, the rows kernels' fewer products win). */
#define MIN_LANES_TOKENS 4
/* Q4 products summed in a partial sum before it joins the group's int32 sum (Q4_DOT). */
#define Q4_SUMS 8
#ifndef PREFETCH_BYTES
#define PREFETCH_BYTES 8192
#endif

/*
 * Which kernel a batch gets: lanes from MIN_LANES_TOKENS tokens on, at AVX2 or better, else rows.
 * Both give the same bits; this only decides the activations' layout and the speed. group <= 256:
 * a group's code sums fit the 16 bits of the corrections' multiply-add.
 */
static int uses_lanes(int tokens, int group) {
    return tokens >= MIN_LANES_TOKENS && group <= 256 && current_level() >= 1;
}

/* Tokens per vector of the batch's lanes kernel: 16 at AVX-512-VNNI from 16 tokens on, else 8; 0 for rows. */
static int lanes_of(int tokens, int group) {
    if (!uses_lanes(tokens, group)) {
        return 0;
    }
    return current_level() == 3 && tokens >= 16 ? 16 : LANES;
}

/* Q8 lanes without VNNI take int16 activations (lanes_tile's WIDE codes in int_kernels.inc). */
static int wide_lanes(int q4, int tokens, int group) {
    return !q4 && current_level() == 1 && uses_lanes(tokens, group);
}

static inline int paired_index(int i) {
    int o = i & 63, q = o >> 4;
    return (i - o) + (q == 1 ? o + 16 : q == 2 ? o - 16 : o);
}

static inline int zero_at(const uint8_t *zeros, int fixed_zero, int q4, long index) {
    if (zeros == NULL) {
        return fixed_zero;
    }
    return q4 ? zeros[index] : (int)(int8_t)zeros[index];
}

static inline int q4_code(const uint8_t *row, int k) {
    int j = k & 31;
    uint8_t b = row[(k - j) / 2 + (j & 15)];
    return j < 16 ? b & 15 : b >> 4;
}

/*
 * The sum of n signed bytes, n a multiple of 32 (a weight group's, for the lanes kernels' zero
 * corrections): shifted to unsigned, summed by vpsadbw, the shift taken off at the end. A byte at
 * a time it took a quarter of a 16-token call (Q8, AVX-VNNI).
 */
__attribute__((target("avx2"), always_inline)) static inline int32_t signed_byte_sum(const int8_t *p, int n) {
    __m256i sums = _mm256_setzero_si256();
    for (int k = 0; k < n; k += 32) {
        __m256i u = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(p + k)), _mm256_set1_epi8((char)0x80));
        sums = _mm256_add_epi64(sums, _mm256_sad_epu8(u, _mm256_setzero_si256()));
    }
    __m128i half = _mm_add_epi64(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
    return (int32_t)(_mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1)) - 128 * n;
}

/* The thread's scratch for the lanes kernels (unpacked Q4 rows, per-row corrections); grows, never shrinks. */
static __thread uint8_t *scratch;
static __thread size_t scratch_size;

static void *scratch_of(size_t bytes) {
    if (bytes > scratch_size) {
        free(scratch);
        scratch = aligned_alloc(64, (bytes + 63) / 64 * 64);
        scratch_size = scratch == NULL ? 0 : bytes;
    }
    return scratch;
}

#define TARGET "avx2,fma"
#define NAME(x) x##_avx2
#define DOT(acc, w, x) _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), ones16))
/* Q4 codes (<= 15) times activations (|xq| <= 127), two per 16-bit lane: 8 products' sums fit 16 bits. */
#define Q4_DOT(part, w, x) _mm256_add_epi16(part, _mm256_maddubs_epi16(w, x))
#define Q4_FLUSH(acc, part) _mm256_add_epi32(acc, _mm256_madd_epi16(part, ones16))
#define VNNI 0
#include "int_kernels.inc"

#define TARGET "avx2,fma,avxvnni"
#define NAME(x) x##_vnni
#define DOT(acc, w, x) _mm256_dpbusd_avx_epi32(acc, w, x)
#define Q4_DOT(part, w, x) _mm256_dpbusd_avx_epi32(part, w, x)
#define Q4_FLUSH(acc, part) _mm256_add_epi32(acc, part)
#define VNNI 1
#include "int_kernels.inc"

/* The same at AVX-512-VNNI's 256-bit form (EVEX), for the CPUs that have it without AVX-VNNI. */
#define TARGET "avx2,fma,avx512vl,avx512vnni"
#define NAME(x) x##_evex
#define DOT(acc, w, x) _mm256_dpbusd_epi32(acc, w, x)
#define Q4_DOT(part, w, x) _mm256_dpbusd_epi32(part, w, x)
#define Q4_FLUSH(acc, part) _mm256_add_epi32(acc, part)
#define VNNI 1
#include "int_kernels.inc"

#include "int_lanes16.inc"

/* The definition in plain C: the portable path, and what the others must equal bit for bit. */
static void rows_scalar(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group,
                        int cols, int row_from, int row_to, const int8_t *xq, const float *xs, const int32_t *sq,
                        int tokens, float *out, int out_stride) {
    int groups = cols / group;
    long row_bytes = q4 ? cols / 2 : cols;
    for (int r = row_from; r < row_to; r++) {
        const uint8_t *row = w + (long)r * row_bytes;
        for (int t = 0; t < tokens; t++) {
            float total = 0;
            for (int g = 0; g < groups; g++) {
                int32_t c = 0;
                for (int k = g * group; k < (g + 1) * group; k++) {
                    int q = q4 ? q4_code(row, k) : (int8_t)row[k];
                    c += q * xq[(long)t * cols + k];
                }
                long gi = (long)r * groups + g;
                c -= zero_at(zeros, fixed_zero, q4, gi) * sq[(long)t * groups + g];
                total = fmaf((float)c, scales[gi] * xs[(long)t * groups + g], total);
            }
            out[(long)t * out_stride + (r - row_from)] = total;
        }
    }
}

/* One group's codes (natural order) and code sum; returns its scale. The definition: */
static float quantize_group(const float *v, int n, int8_t *codes, int32_t *sum) {
    float m = 0;
    for (int i = 0; i < n; i++) {
        float a = fabsf(v[i]);
        m = a > m ? a : m;
    }
    float scale = m / 127.0f;
    float inverse = scale == 0 ? 0 : 1 / scale;
    int32_t total = 0;
    for (int i = 0; i < n; i++) {
        int q = (int)floorf(v[i] * inverse + 0.5f);
        codes[i] = (int8_t)q;
        total += q;
    }
    *sum = total;
    return scale;
}

/* quantize_group for n a multiple of 32, the same operations eight lanes at a time. */
__attribute__((target("avx2,fma"))) static float quantize_group_avx2(const float *v, int n, int8_t *codes, int32_t *sum) {
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8) {
        m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(v + i), abs_mask));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float scale = _mm_cvtss_f32(m4) / 127.0f;
    __m256 inverse = _mm256_set1_ps(scale == 0 ? 0 : 1 / scale), half = _mm256_set1_ps(0.5f);
    __m256i total = _mm256_setzero_si256();
    for (int i = 0; i < n; i += 32) {
        __m256i q[4];
        for (int j = 0; j < 4; j++) {
            __m256 y = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + i + 8 * j), inverse), half);
            q[j] = _mm256_cvtps_epi32(_mm256_floor_ps(y));
            total = _mm256_add_epi32(total, q[j]);
        }
        /* the packs interleave 128-bit lanes; the permutation puts the 32 bytes back in order */
        __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(codes + i), bytes);
    }
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
    *sum = _mm_cvtsi128_si32(s4);
    return scale;
}

/*
 * Exported: the sizes of what tandem_int_quantize writes for this batch: sizes[0] bytes of codes,
 * sizes[1] entries of xs (floats) and of sq (int32s) each.
 */
void tandem_int_buffer_sizes(int q4, int tokens, int cols, int group, long *sizes) {
    int L = lanes_of(tokens, group);
    long padded = L > 0 ? (long)(tokens + L - 1) / L * L : tokens;
    sizes[0] = padded * cols * (wide_lanes(q4, tokens, group) ? 2 : 1);
    sizes[1] = padded * (cols / group);
}

/*
 * Quantizes x[tokens][cols] per group: xs = max|x| / 127, xq = x / xs rounded half away from
 * zero (Java's Math.round for these values), sq = the sum of a group's codes. In the rows
 * kernels' layout: xq[t][k] (for Q4 in groups of a multiple of 64 with each 64 values' 32-blocks
 * interleaved by halves: first halves of both, then second halves, the order of one 32-byte load
 * of Q4 codes), xs and sq [t][g]. In the lanes kernels' layout, per tile of L tokens (lanes_of):
 * xq[tile][k / 4][lane][k % 4] (as unsigned xq + 128 where the products take unsigned
 * activations: Q8 on AVX-VNNI, and both formats in the 16-token tiles of AVX-512-VNNI; for Q8 on
 * plain AVX2 int16 pairs, xq[tile][k / 2][lane][k % 2]), xs[tile][g][lane], and sq[tile][g][lane]
 * as two int16s: the sum, and 128 where shifted (the weight sum it corrects by, see
 * int_kernels.inc) else 0. Lanes past the last token are zero.
 */
void tandem_int_quantize(const float *x, int q4, int tokens, int cols, int group, int8_t *xq, float *xs, int32_t *sq) {
    int groups = cols / group;
    int L = lanes_of(tokens, group);
    int lanes = L > 0;
    int wide = wide_lanes(q4, tokens, group);
    int shifted = L == 16 || (lanes && !q4 && !wide); /* unsigned activations: see above */
    int paired = !lanes && q4 && group % 64 == 0 && current_level() >= 1;
    long sizes[2];
    tandem_int_buffer_sizes(q4, tokens, cols, group, sizes);
    if (lanes && tokens % L != 0) {
        /* the last tile's lanes past the last token hold zeros (every other value is written below) */
        long tile = (long)(tokens / L) * L;
        size_t token_bytes = (size_t)cols * (wide ? 2 : 1);
        memset(xq + tile * token_bytes, shifted ? 0x80 : 0, L * token_bytes);
        for (long i = tile * groups; i < sizes[1]; i++) {
            xs[i] = 0;
            sq[i] = shifted ? 128 << 16 : 0;
        }
    }
    int8_t *codes = scratch_of((size_t)cols);
    for (int t = 0; t < tokens; t++) {
        const float *v = x + (long)t * cols;
        for (int g = 0; g < groups; g++) {
            int32_t sum;
            float scale = current_level() >= 1 ? quantize_group_avx2(v + g * group, group, codes + g * group, &sum)
                                               : quantize_group(v + g * group, group, codes + g * group, &sum);
            if (lanes) {
                long at = ((long)(t / L) * groups + g) * L + t % L;
                xs[at] = scale;
                sq[at] = (sum & 0xFFFF) | (shifted ? 128 << 16 : 0);
            } else {
                xs[(long)t * groups + g] = scale;
                sq[(long)t * groups + g] = sum;
            }
        }
        if (!lanes) {
            int8_t *dst = xq + (long)t * cols;
            for (int k = 0; k < cols; k += 16) {
                memcpy(dst + (paired ? paired_index(k) : k), codes + k, 16);
            }
        }
        if (wide) {
            int32_t *tile = (int32_t *)(xq + (long)(t / L) * L * cols * 2);
            for (int k = 0; k < cols; k += 2) {
                int16_t pair[2] = {codes[k], codes[k + 1]};
                memcpy(tile + (k / 2) * L + t % L, pair, 4);
            }
        } else if (lanes) {
            int32_t *tile = (int32_t *)(xq + (long)(t / L) * L * cols);
            for (int k = 0; k < cols; k += 4) {
                int32_t quad;
                memcpy(&quad, codes + k, 4);
                tile[(k / 4) * L + t % L] = shifted ? quad ^ (int32_t)0x80808080u : quad;
            }
        }
    }
}

/*
 * out[t * out_stride + (r - row_from)] = w[r] . x[t] for r in [row_from, row_to), t in [0, tokens),
 * on the activations tandem_int_quantize wrote for this batch (as the file's comment defines it).
 */
void tandem_int_rows(const uint8_t *w, const float *scales, const uint8_t *zeros, int fixed_zero, int q4, int group,
                     int cols, int row_from, int row_to, const int8_t *xq, const float *xs, const int32_t *sq, int tokens,
                     float *out, int out_stride) {
    int l = current_level();
    int L = lanes_of(tokens, group);
    if (L == 16) {
        lanes16(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
    } else if (L > 0) {
        if (l == 3) {
            lanes_evex(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
        } else if (l == 2) {
            lanes_vnni(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
        } else {
            lanes_avx2(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
        }
    } else if (l == 3) {
        rows_evex(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
    } else if (l == 2) {
        rows_vnni(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
    } else if (l == 1 && group % 32 == 0) {
        rows_avx2(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
    } else {
        rows_scalar(w, scales, zeros, fixed_zero, q4, group, cols, row_from, row_to, xq, xs, sq, tokens, out, out_stride);
    }
}

/* Whether the CPU runs a level's instructions. */
static int has_level(int l) {
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    switch (l) {
        case 0: return 1;
        case 1: return avx2;
        case 2: return avx2 && __builtin_cpu_supports("avxvnni");
        default:
            return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    }
}

/* The highest level at most `wanted` that the CPU has. */
static int level_up_to(int wanted) {
    int l = wanted > 3 ? 3 : wanted;
    while (l > 0 && !has_level(l)) {
        l--;
    }
    return l;
}

/* Exported: the best level of the CPU: 3 AVX-512-VNNI, 2 AVX-VNNI, 1 AVX2, 0 the portable code. */
int tandem_kernels_avx2(void) {
    return level_up_to(3);
}

/* Exported for tests and forced paths: run the highest level at most `wanted` that the CPU has; returns it. */
int tandem_kernels_use_level(int wanted) {
    level = level_up_to(wanted);
    return level;
}
