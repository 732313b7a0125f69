/*
 * bf16 matrix products for batches of tokens (batched decode and prefill), called through FFM by
 * dev.tandem.kernels.NativeKernels. out[t, r] = w[r, :] . x[t, :] for a block of rows.
 *
 * The tokens, not the columns, lie in the vector lanes: the activations are first packed
 * column-major in blocks of LANES tokens (xt[block][k][lane], zero-padded), then every row's
 * weight is broadcast against a vector of LANES tokens. A tile of ROWS rows keeps ROWS
 * accumulators in registers for the whole row, so there is no horizontal reduction per dot
 * product (which, for rows of only a few hundred columns, costs as much as the products), and
 * each weight is widened from bf16 once per tile, into a small f32 scratch that stays in L1.
 * With AVX-512F the lanes are 16 tokens and a tile 16 rows; with AVX2 8 and 8. Where the CPU has
 * neither, tandem_bf16_lanes() is 0 and the Java kernels run. Where it has AMX, bf16_tiles.c does
 * the work instead (tandem_bf16_use_amx(0) turns it off).
 */
#include <stdint.h>
#include <string.h>
#include <immintrin.h>

#include "bf16_kernels.h"

#define KC 256 /* columns widened per step: ROWS x KC floats of scratch (16 KiB at 16 rows) */

static int lanes = -1;

static int best_lanes(void) {
    if (__builtin_cpu_supports("avx512f")) {
        return 16;
    }
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8 : 0;
}

/* Exported: tokens per vector in use (16 AVX-512F, 8 AVX2, 0 none: use the Java kernels). */
int tandem_bf16_lanes(void) {
    if (lanes < 0) {
        lanes = best_lanes();
    }
    return lanes;
}

/* Exported for tests: use at most `wanted` lanes (16, 8 or 0); returns the lanes in use. */
int tandem_bf16_use_lanes(int wanted) {
    int best = best_lanes();
    lanes = wanted >= 16 ? best : wanted >= 8 && best >= 8 ? 8 : 0;
    return lanes;
}

static int amx = -1;

/* 1 when the AMX tiles do the work (bf16_tiles.c). */
static int amx_on(void) {
    if (amx < 0) {
        amx = bf16_amx_supported();
    }
    return amx;
}

/* Exported for tests: 0 turns the AMX kernel off, 1 on where the CPU has it; returns whether it is on. */
int tandem_bf16_use_amx(int wanted) {
    amx = wanted && bf16_amx_supported();
    return amx;
}

/* Exported: floats that tandem_bf16_pack writes for this batch. */
long tandem_bf16_packed_floats(int tokens, int cols) {
    int L = tandem_bf16_lanes();
    if (L == 0) {
        return 0;
    }
    return amx_on() ? bf16_amx_packed_floats(tokens, cols) : (long)(tokens + L - 1) / L * L * cols;
}

/*
 * dst[k * 16 + j] = src[j * stride + k] for j, k < 16: a 16 x 16 transpose in registers (pairs,
 * then quads, then 128-bit lanes, then halves).
 */
__attribute__((target("avx512f"))) void bf16_transpose16(const float *src, long stride, float *dst) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) {
        r[i] = _mm512_loadu_ps(src + i * stride);
    }
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
    }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
    }
    for (int i = 0; i < 16; i++) {
        _mm512_storeu_ps(dst + i * 16, r[i]);
    }
}

/*
 * xt[(b * cols + k) * L + j] = x[(b * L + j) * cols + k], zero where b * L + j >= tokens. Full
 * 16-token blocks are transposed 16 columns at a time in registers; element by element, down one
 * token's row at a time, this took 7 us for 16 x 768 (a new cache line per element), about a
 * third of a small matmul's time at 16 tokens. With AMX, the layout of bf16_tiles.c instead, its
 * steps of 32 columns starting shift columns before each row (the weights' offset in their cache
 * line, in bf16 values); the vector kernels ignore shift.
 */
void tandem_bf16_pack(const float *x, int tokens, int cols, int shift, float *xt) {
    int L = tandem_bf16_lanes();
    if (L == 0) {
        return;
    }
    if (amx_on()) {
        bf16_amx_pack(x, tokens, cols, shift, xt);
        return;
    }
    int blocks = (tokens + L - 1) / L;
    for (int b = 0; b < blocks; b++) {
        float *dst = xt + (long)b * cols * L;
        const float *src = x + (long)b * L * cols;
        int n = tokens - b * L < L ? tokens - b * L : L;
        int k0 = 0;
        if (n < L) {
            memset(dst, 0, sizeof(float) * (size_t)cols * L);
        } else if (L == 16) {
            for (; k0 + 16 <= cols; k0 += 16) {
                bf16_transpose16(src + k0, cols, dst + (long)k0 * 16);
            }
        }
        for (int j = 0; j < n; j++) {
            for (int k = k0; k < cols; k++) {
                dst[(long)k * L + j] = src[(long)j * cols + k];
            }
        }
    }
}

/* ws[i * KC + k] = w[row + i][k0 + k] widened to f32, for i < rows, k < kc. */
static inline void widen(const uint16_t *w, int cols, int row, int rows, int k0, int kc, float *ws) {
    for (int i = 0; i < rows; i++) {
        const uint16_t *src = w + (long)(row + i) * cols + k0;
        uint32_t *dst = (uint32_t *)(ws + i * KC);
        for (int k = 0; k < kc; k++) {
            dst[k] = (uint32_t)src[k] << 16;
        }
    }
}

/*
 * Writes a tile's sums (sums[i * L + j]: row r0 + i, token t0 + j) into out, one token at a time:
 * each token's rows are contiguous in out, whose rows are often 4 KiB apart (L1 set conflicts).
 */
static inline void store(const float *sums, int rows, int L, int r0, int t0, int tokens, int accumulate, float *out,
                         int out_stride) {
    int n = tokens - t0 < L ? tokens - t0 : L;
    for (int j = 0; j < n; j++) {
        float *o = out + (long)(t0 + j) * out_stride + r0;
        for (int i = 0; i < rows; i++) {
            o[i] = (accumulate ? o[i] : 0) + sums[i * L + j];
        }
    }
}

/*
 * One instruction set's kernel: VEC is its float vector type, ROWS its tile height. Every tile
 * widens its rows once per KC columns and reuses them for every block of tokens when the whole
 * row fits in one step (the common case for these models' hidden sizes up to KC); otherwise
 * per block. The compiler keeps acc[] in registers because ROWS is a constant.
 */
#define DEFINE_ROWS(NAME, TARGET, VEC, L, ROWS, ZERO, LOAD, FMA, SET1, STOREU)                                          \
    __attribute__((target(TARGET))) static void NAME(const uint16_t *w, int cols, int row_from, int row_to, const float *xt, \
                                                     int tokens, int accumulate, float *out,                                 \
                                                     int out_stride) {                                                      \
        float ws[ROWS * KC] __attribute__((aligned(64)));                                                                   \
        float sums[ROWS * L] __attribute__((aligned(64)));                                                                  \
        int blocks = (tokens + L - 1) / L;                                                                                  \
        for (int r0 = row_from; r0 < row_to; r0 += ROWS) {                                                                 \
            int rows = row_to - r0 < ROWS ? row_to - r0 : ROWS;                                                             \
            /* The next tile's rows are fetched while this one computes: one line per column step. */                     \
            const char *next = (const char *)(w + (long)(r0 + ROWS) * cols);                                               \
            long next_bytes = r0 + ROWS >= row_to ? 0                                                                      \
                              : (long)(row_to - r0 - ROWS < ROWS ? row_to - r0 - ROWS : ROWS) * cols * 2;                   \
            long fetched = 0;                                                                                               \
            for (int b = 0; b < blocks; b++) {                                                                              \
                VEC acc[ROWS];                                                                                              \
                for (int i = 0; i < ROWS; i++) {                                                                            \
                    acc[i] = ZERO();                                                                                        \
                }                                                                                                           \
                for (int k0 = 0; k0 < cols; k0 += KC) {                                                                     \
                    int kc = cols - k0 < KC ? cols - k0 : KC;                                                               \
                    if (b == 0 || cols > KC) {                                                                              \
                        widen(w, cols, r0, rows, k0, kc, ws);                                                               \
                    }                                                                                                       \
                    const float *xp = xt + ((long)b * cols + k0) * L;                                                       \
                    if (rows == ROWS) {                                                                                     \
                        for (int k = 0; k < kc; k++) {                                                                      \
                            if (fetched < next_bytes) {                                                                     \
                                __builtin_prefetch(next + fetched);                                                         \
                                fetched += 64;                                                                              \
                            }                                                                                               \
                            VEC xv = LOAD(xp + (long)k * L);                                                                \
                            _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) {                                       \
                                acc[i] = FMA(SET1(ws[i * KC + k]), xv, acc[i]);                                             \
                            }                                                                                               \
                        }                                                                                                   \
                    } else {                                                                                                \
                        for (int k = 0; k < kc; k++) {                                                                      \
                            VEC xv = LOAD(xp + (long)k * L);                                                                \
                            for (int i = 0; i < rows; i++) {                                                                \
                                acc[i] = FMA(SET1(ws[i * KC + k]), xv, acc[i]);                                             \
                            }                                                                                               \
                        }                                                                                                   \
                    }                                                                                                       \
                }                                                                                                           \
                for (int i = 0; i < rows; i++) {                                                                            \
                    STOREU(sums + i * L, acc[i]);                                                                           \
                }                                                                                                           \
                store(sums, rows, L, r0, b * L, tokens, accumulate, out, out_stride);                                       \
            }                                                                                                               \
        }                                                                                                                   \
    }

DEFINE_ROWS(rows_avx512, "avx512f", __m512, 16, 16, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_fmadd_ps, _mm512_set1_ps,
            _mm512_storeu_ps)
DEFINE_ROWS(rows_avx2, "avx2,fma", __m256, 8, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_fmadd_ps, _mm256_set1_ps,
            _mm256_storeu_ps)

/*
 * out[t * out_stride + r] = (accumulate ? out[..] : 0) + w[r] . x[t] for rows [row_from, row_to)
 * and tokens [0, tokens); xt is x packed by tandem_bf16_pack with the same shift.
 */
void tandem_bf16_rows(const uint16_t *w, int cols, int row_from, int row_to, const float *xt, int tokens, int shift,
                      int accumulate, float *out, int out_stride) {
    int L = tandem_bf16_lanes();
    if (L > 0 && amx_on()) {
        bf16_amx_rows(w, cols, row_from, row_to, xt, tokens, shift, accumulate, out, out_stride);
    } else if (L == 16) {
        rows_avx512(w, cols, row_from, row_to, xt, tokens, accumulate, out, out_stride);
    } else if (L == 8) {
        rows_avx2(w, cols, row_from, row_to, xt, tokens, accumulate, out, out_stride);
    }
}
