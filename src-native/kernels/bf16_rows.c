/*
 * bf16 matrix products, called through FFM by dev.tandem.kernels.NativeBf16Rows: out[t, r] =
 * w[r, :] . x[t, :] for a block of rows and every token of a batch (decode of one sequence or
 * many, and prefill).
 *
 * The vector kernels compute every dot product in one order, the same as the Java kernels of
 * dev.tandem.kernels.RowDots at the same vector width (L = 16 floats with AVX-512F, 8 with AVX2):
 * a token's result is bit for bit the same alone, in any batch, and in Java or in C, so nothing
 * that decides how a step is computed (batch size, tiles, threads) changes an answer. Tiles of 4
 * rows x 4 tokens keep 16 accumulators in registers, each activation vector serving four rows
 * and each weight vector four tokens. Where the CPU has AMX, bf16_tiles.c does the work instead,
 * for every batch size (tandem_bf16_use_amx(0) turns it off): its tiles compute each token's row
 * on its own, so it too gives a token the same result in any batch.
 */
#include <stdint.h>
#include <string.h>
#include <immintrin.h>

#include "bf16_kernels.h"
#include "bf16_folds.h"

static int lanes = -1;

static int best_lanes(void) {
    if (__builtin_cpu_supports("avx512f")) {
        return 16;
    }
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8 : 0;
}

/* Exported: floats per vector of the kernels in use (16 AVX-512F, 8 AVX2, 0 none: use the Java kernels). */
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
    return amx_on() ? bf16_amx_packed_floats(tokens, cols) : (long)tokens * cols;
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
 * xt = x for the vector kernels (their layout is x's own, permuted per block of 2L columns as
 * RowDots.permuteForBf16 does: the L even-indexed values, then the L odd-indexed ones; a tail
 * shorter than a block keeps its order). With AMX, the layout of bf16_tiles.c instead, its steps
 * of 32 columns starting shift columns before each row (the weights' offset in their cache line,
 * in bf16 values); the vector kernels ignore shift.
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
    int block = 2 * L;
    for (int t = 0; t < tokens; t++) {
        const float *src = x + (long)t * cols;
        float *dst = xt + (long)t * cols;
        int k = 0;
        for (; k + block <= cols; k += block) {
            for (int l = 0; l < L; l++) {
                dst[k + l] = src[k + 2 * l];
                dst[k + L + l] = src[k + 2 * l + 1];
            }
        }
        memcpy(dst + k, src + k, sizeof(float) * (size_t)(cols - k));
    }
}

static inline float bf16_at(const uint16_t *w, long i) {
    union {
        uint32_t u;
        float f;
    } v = {.u = (uint32_t)w[i] << 16};
    return v.f;
}

/*
 * Rows of at least this many columns belong to models whose weights stream from DRAM (1B and up).
 * There each row of a tile asks for its lines 1 KiB ahead, and near its end for the start of the
 * same row of the next tile: a row of 2048 bf16 columns is a 4 KiB stream, too short for the
 * hardware prefetcher to ramp up on, and asking 1 KiB ahead ran into the row below, which the
 * same tile is already reading, so each tile started cold. One token over a 256 MB matrix, two
 * threads (src-native/bench/bf16_decode.c, measurements/avx-vnni-zen5/): 2048 columns 1.13-1.19x
 * (AVX2) and 1.07-1.14x (AVX-512) the read rate of asking within the row only; 8192 columns
 * 1.04-1.08x and 1.01-1.06x. In the demo model's small matrices, which stay in cache, prefetches
 * cost 5-15%.
 */
#define PREFETCH_COLS 1024

/*
 * One instruction set's kernel: a tile of R rows x T tokens (R, T <= 4, constants once inlined)
 * with one accumulator per row and token, the order of RowDots in Java, operation for operation:
 * per block of 2L columns, the even-indexed weights (a shift) times the block's first L
 * activations, then the odd-indexed ones (a mask) times the next L, each an FMA into the
 * accumulator; then the fold of its lanes; then the columns of a partial block, one product and
 * one addition each (this file is built with -ffp-contract=off, as Java never fuses). Each token
 * is computed the same whichever tile and batch it is in: the batch does not change a result.
 */
#define DEFINE_TILE(NAME, TARGET, VEC, L, ZERO, LOADI, SLLI, ANDI, MASK, CASTPS, LOAD, FMA, FOLD, FOLD_ALL)                        \
    __attribute__((target(TARGET), always_inline)) static inline void NAME(const uint16_t *w, int cols, int r0,           \
                                                                           const float *x, int t0, int accumulate,          \
                                                                           float *out, int out_stride, const int R,         \
                                                                           const int T) {                                  \
        VEC acc[4][4];                                                                                                      \
        for (int i = 0; i < R; i++) {                                                                                       \
            for (int j = 0; j < T; j++) {                                                                                   \
                acc[i][j] = ZERO();                                                                                         \
            }                                                                                                               \
        }                                                                                                                   \
        int full = cols / (2 * L) * (2 * L);                                                                                \
        for (int k = 0; k < full; k += 2 * L) {                                                                             \
            VEC e[4], o[4];                                                                                                 \
            for (int i = 0; i < R; i++) {                                                                                   \
                if (cols >= PREFETCH_COLS) {                                                                                \
                    long ahead = k + 512 < cols ? (long)(r0 + i) * cols + k + 512                                           \
                                                : (long)(r0 + R + i) * cols + k + 512 - cols;                               \
                    __builtin_prefetch(w + ahead);                                                                          \
                }                                                                                                           \
                __typeof__(LOADI(w)) p = LOADI(w + (long)(r0 + i) * cols + k);                                             \
                e[i] = CASTPS(SLLI(p, 16));                                                                                 \
                o[i] = CASTPS(ANDI(p, MASK));                                                                               \
            }                                                                                                               \
            for (int j = 0; j < T; j++) {                                                                                   \
                VEC xe = LOAD(x + (long)(t0 + j) * cols + k);                                                               \
                for (int i = 0; i < R; i++) {                                                                               \
                    acc[i][j] = FMA(e[i], xe, acc[i][j]);                                                                   \
                }                                                                                                           \
            }                                                                                                               \
            for (int j = 0; j < T; j++) {                                                                                   \
                VEC xo = LOAD(x + (long)(t0 + j) * cols + k + L);                                                           \
                for (int i = 0; i < R; i++) {                                                                               \
                    acc[i][j] = FMA(o[i], xo, acc[i][j]);                                                                   \
                }                                                                                                           \
            }                                                                                                               \
        }                                                                                                                   \
        float sums[16];                                                                                                     \
        if (R == 4 && T == 4) {                                                                                             \
            FOLD_ALL(&acc[0][0], sums);                                                                                     \
        } else {                                                                                                            \
            for (int i = 0; i < R; i++) {                                                                                   \
                for (int j = 0; j < T; j++) {                                                                               \
                    sums[i * 4 + j] = FOLD(acc[i][j]);                                                                      \
                }                                                                                                           \
            }                                                                                                               \
        }                                                                                                                   \
        for (int i = 0; i < R; i++) {                                                                                       \
            for (int j = 0; j < T; j++) {                                                                                   \
                float s = sums[i * 4 + j];                                                                                  \
                const float *xt = x + (long)(t0 + j) * cols;                                                                \
                for (int k = full; k < cols; k++) {                                                                         \
                    s = s + bf16_at(w, (long)(r0 + i) * cols + k) * xt[k];                                                  \
                }                                                                                                           \
                float *o = out + (long)(t0 + j) * out_stride + r0 + i;                                                      \
                *o = (accumulate ? *o : 0) + s;                                                                             \
            }                                                                                                               \
        }                                                                                                                   \
    }

#define LOAD256I(p) _mm256_loadu_si256((const __m256i *)(p))
#define LOAD512I(p) _mm512_loadu_si512((const void *)(p))
DEFINE_TILE(tile_avx2, "avx2,fma", __m256, 8, _mm256_setzero_ps, LOAD256I, _mm256_slli_epi32, _mm256_and_si256,
            _mm256_set1_epi32((int)0xFFFF0000u), _mm256_castsi256_ps, _mm256_loadu_ps, _mm256_fmadd_ps, fold8, fold8_all16)
DEFINE_TILE(tile_avx512, "avx512f", __m512, 16, _mm512_setzero_ps, LOAD512I, _mm512_slli_epi32, _mm512_and_si512,
            _mm512_set1_epi32((int)0xFFFF0000u), _mm512_castsi512_ps, _mm512_loadu_ps, _mm512_fmadd_ps, fold16, fold16_all16)

/*
 * Four rows times a block of tokens, for blocks of several token groups: the operations of TILE
 * in the same order (so the same bits), but each chunk of the four rows is widened to f32 once
 * into an L1 scratch and serves every group of the block, instead of once per group, which
 * leaves the vector units the FMAs alone. The accumulators wait in memory between chunks, which
 * is exact. A group of T tokens keeps 4T accumulators and one activation in registers, the
 * weights coming as memory operands: T = 3 in AVX2's 16 registers, 4 in AVX-512's 32.
 */
#define TOKEN_BLOCK 16
#define CHUNK 512
#define WIDE_TILES 2
#define DEFINE_WIDE(NAME, TARGET, VEC, L, T, ZERO, LOADI, SLLI, ANDI, MASK, CASTPS, LOAD, STORE, FMA, FOLD_ALL)         \
    __attribute__((target(TARGET), always_inline)) static inline void NAME##_group(const float *scr, int span,            \
                                                                                 const float *x, long cols, VEC *acc,    \
                                                                                 const int G) {                          \
        VEC a[4][T];                                                                                                      \
        for (int i = 0; i < 4; i++) {                                                                                     \
            for (int j = 0; j < G; j++) {                                                                                 \
                a[i][j] = acc[i * TOKEN_BLOCK + j];                                                                       \
            }                                                                                                             \
        }                                                                                                                 \
        for (int k = 0; k < span; k += 2 * L) {                                                                           \
            for (int j = 0; j < G; j++) {                                                                                 \
                VEC xe = LOAD(x + j * cols + k);                                                                          \
                for (int i = 0; i < 4; i++) {                                                                             \
                    a[i][j] = FMA(LOAD(scr + i * CHUNK + k), xe, a[i][j]);                                                \
                }                                                                                                         \
            }                                                                                                             \
            for (int j = 0; j < G; j++) {                                                                                 \
                VEC xo = LOAD(x + j * cols + k + L);                                                                      \
                for (int i = 0; i < 4; i++) {                                                                             \
                    a[i][j] = FMA(LOAD(scr + i * CHUNK + k + L), xo, a[i][j]);                                            \
                }                                                                                                         \
            }                                                                                                             \
        }                                                                                                                 \
        for (int i = 0; i < 4; i++) {                                                                                     \
            for (int j = 0; j < G; j++) {                                                                                 \
                acc[i * TOKEN_BLOCK + j] = a[i][j];                                                                       \
            }                                                                                                             \
        }                                                                                                                 \
    }                                                                                                                     \
    __attribute__((target(TARGET))) static void NAME(const uint16_t *w, int cols, int r0, int tiles, const float *x,      \
                                                     int t0, int tokens, int accumulate, float *out, int out_stride) {   \
        VEC acc[WIDE_TILES * 4 * TOKEN_BLOCK];                                                                            \
        float scr[WIDE_TILES * 4 * CHUNK] __attribute__((aligned(64)));                                                   \
        int rows = 4 * tiles;                                                                                             \
        for (int n = 0; n < rows * TOKEN_BLOCK; n++) {                                                                    \
            acc[n] = ZERO();                                                                                              \
        }                                                                                                                 \
        int full = cols / (2 * L) * (2 * L);                                                                              \
        for (int kc = 0; kc < full; kc += CHUNK) {                                                                        \
            int span = full - kc < CHUNK ? full - kc : CHUNK;                                                             \
            for (int i = 0; i < rows; i++) {                                                                              \
                /* The weights come from DRAM once per matmul: ask for the next chunk while this one computes. */       \
                const uint16_t *next = kc + CHUNK < full ? w + (long)(r0 + i) * cols + kc + CHUNK                         \
                                                         : w + (long)(r0 + rows + i) * cols;                              \
                for (int k = 0; k < CHUNK; k += 32) {                                                                     \
                    __builtin_prefetch(next + k);                                                                         \
                }                                                                                                         \
                for (int k = 0; k < span; k += 2 * L) {                                                                   \
                    __typeof__(LOADI(w)) p = LOADI(w + (long)(r0 + i) * cols + kc + k);                                   \
                    STORE(scr + i * CHUNK + k, CASTPS(SLLI(p, 16)));                                                      \
                    STORE(scr + i * CHUNK + k + L, CASTPS(ANDI(p, MASK)));                                                \
                }                                                                                                         \
            }                                                                                                             \
            for (int j = 0; j < tokens; j += T) {                                                                         \
                const float *xj = x + (long)(t0 + j) * cols + kc;                                                         \
                for (int s = 0; s < tiles; s++) {                                                                         \
                    const float *ws = scr + s * 4 * CHUNK;                                                                \
                    VEC *as = acc + s * 4 * TOKEN_BLOCK + j;                                                              \
                    switch (tokens - j < T ? tokens - j : T) {                                                            \
                        case 1: NAME##_group(ws, span, xj, cols, as, 1); break;                                           \
                        case 2: NAME##_group(ws, span, xj, cols, as, 2); break;                                           \
                        case 3: NAME##_group(ws, span, xj, cols, as, 3); break;                                           \
                        default: NAME##_group(ws, span, xj, cols, as, T); break;                                          \
                    }                                                                                                     \
                }                                                                                                         \
            }                                                                                                             \
        }                                                                                                                 \
        float sums[WIDE_TILES * 4 * TOKEN_BLOCK];                                                                         \
        for (int i = 0; i < rows; i++) {                                                                                  \
            FOLD_ALL(acc + i * TOKEN_BLOCK, sums + i * TOKEN_BLOCK);                                                      \
        }                                                                                                                 \
        for (int i = 0; i < rows; i++) {                                                                                  \
            for (int j = 0; j < tokens; j++) {                                                                            \
                float s = sums[i * TOKEN_BLOCK + j];                                                                      \
                const float *xt = x + (long)(t0 + j) * cols;                                                              \
                for (int k = full; k < cols; k++) {                                                                       \
                    s = s + bf16_at(w, (long)(r0 + i) * cols + k) * xt[k];                                                \
                }                                                                                                         \
                float *o = out + (long)(t0 + j) * out_stride + r0 + i;                                                    \
                *o = (accumulate ? *o : 0) + s;                                                                           \
            }                                                                                                             \
        }                                                                                                                 \
    }

DEFINE_WIDE(wide_avx2, "avx2,fma", __m256, 8, 3, _mm256_setzero_ps, LOAD256I, _mm256_slli_epi32, _mm256_and_si256,
            _mm256_set1_epi32((int)0xFFFF0000u), _mm256_castsi256_ps, _mm256_loadu_ps, _mm256_store_ps, _mm256_fmadd_ps,
            fold8_all16)
DEFINE_WIDE(wide_avx512, "avx512f", __m512, 16, 4, _mm512_setzero_ps, LOAD512I, _mm512_slli_epi32, _mm512_and_si512,
            _mm512_set1_epi32((int)0xFFFF0000u), _mm512_castsi512_ps, _mm512_loadu_ps, _mm512_store_ps, _mm512_fmadd_ps,
            fold16_all16)

/*
 * Rows outermost, so that a matmul reads each weight from DRAM once, then tokens in blocks of
 * TOKEN_BLOCK: a block of several token groups goes through WIDE (8 rows at a time where there
 * are 8), a token alone or a few through the tiles of 4 rows x 4 tokens; the partial tiles at the
 * edges get kernels of their own size. All compute the same operations in the same order.
 */
#define DEFINE_ROWS(NAME, TARGET, TILE, WIDE, GROUP)                                                                    \
    __attribute__((target(TARGET))) static void NAME(const uint16_t *w, int cols, int row_from, int row_to,              \
                                                     const float *x, int tokens, int accumulate, float *out,             \
                                                     int out_stride) {                                                   \
        for (int r0 = row_from; r0 < row_to; ) {                                                                         \
        int R = row_to - r0 < 4 ? row_to - r0 : 4;                                                                        \
        int tiles = tokens > GROUP && R == 4 ? (row_to - r0 >= 4 * WIDE_TILES ? WIDE_TILES : 1) : 0;                     \
        for (int tb = 0; tb < tokens; tb += TOKEN_BLOCK) {                                                               \
            int te = tokens - tb < TOKEN_BLOCK ? tokens : tb + TOKEN_BLOCK;                                               \
            if (tiles > 0) {                                                                                              \
                WIDE(w, cols, r0, tiles, x, tb, te - tb, accumulate, out, out_stride);                                    \
                continue;                                                                                                 \
            }                                                                                                             \
            for (int t0 = tb; t0 < te; t0 += 4) {                                                                        \
                int T = te - t0 < 4 ? te - t0 : 4;                                                                        \
                switch (R * 4 + T) {                                                                                      \
                    case 17: TILE(w, cols, r0, x, t0, accumulate, out, out_stride, 4, 1); break;                          \
                    case 18: TILE(w, cols, r0, x, t0, accumulate, out, out_stride, 4, 2); break;                          \
                    case 19: TILE(w, cols, r0, x, t0, accumulate, out, out_stride, 4, 3); break;                          \
                    case 20: TILE(w, cols, r0, x, t0, accumulate, out, out_stride, 4, 4); break;                          \
                    default:                                                                                              \
                        for (int r = r0; r < r0 + R; r++) {                                                               \
                            switch (T) {                                                                                  \
                                case 1: TILE(w, cols, r, x, t0, accumulate, out, out_stride, 1, 1); break;                \
                                case 2: TILE(w, cols, r, x, t0, accumulate, out, out_stride, 1, 2); break;                \
                                case 3: TILE(w, cols, r, x, t0, accumulate, out, out_stride, 1, 3); break;                \
                                default: TILE(w, cols, r, x, t0, accumulate, out, out_stride, 1, 4); break;               \
                            }                                                                                             \
                        }                                                                                                 \
                }                                                                                                         \
            }                                                                                                             \
        }                                                                                                                 \
        r0 += tiles > 0 ? 4 * tiles : 4;                                                                                  \
        }                                                                                                                 \
    }

DEFINE_ROWS(rows_avx2, "avx2,fma", tile_avx2, wide_avx2, 3)
DEFINE_ROWS(rows_avx512, "avx512f", tile_avx512, wide_avx512, 4)

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
