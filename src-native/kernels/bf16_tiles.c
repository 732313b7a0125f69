/*
 * The bf16 batch kernel on AMX tiles (Intel's tile registers: Sapphire Rapids and later Xeons),
 * chosen by bf16_rows.c when the CPU has AMX-BF16 and Linux grants the tile state.
 *
 * One TDPBF16PS multiplies a tile of 16 weight rows x 32 columns (loaded straight from the
 * memory-mapped weights with the row stride: no repacking of the model) by 32 columns x 16 tokens
 * of activations, 8192 multiply-adds in one instruction against 16 per AVX-512 FMA. Its inputs
 * are bf16, so each f32 activation is split into three bf16 parts, hi + mid + lo, which sum to it
 * exactly (each part takes the next 8 bits of the 24-bit significand, truncated): the three
 * products with a bf16 weight are exact in f32 and accumulate in f32 like the FMA kernels, so the
 * results stay the f32 reference's, to rounding, not bf16 activations'.
 *
 * A tile row is 64 bytes: a load that is not 64-byte aligned touches two cache lines per row and
 * took 1.5x as long. Checkpoints put tensors anywhere (safetensors aligns to 8 bytes; the demo
 * model's all start 32 bytes into a line), so the steps of 32 columns start `shift` columns
 * before the row, where the cache line starts. The first and last steps, which reach outside
 * the row, are loaded through a scratch tile with the outside zeroed (masked loads do not fault);
 * the activations' columns outside the row are zero too.
 *
 * Packed layout: per block of 16 tokens, per step j (columns k0 = 32j - shift ..), per part, a
 * 16 x 16 tile of 32-bit pairs: xt[p][n] = (x[n][k0 + 2p], x[n][k0 + 2p + 1]), zero outside the
 * row and for missing tokens.
 */
#include <cpuid.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <immintrin.h>

#include "bf16_kernels.h"

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
#define PARTS 3
#define STEP 32                    /* columns per tile */
#define TILE_PAIRS (16 * 16 * 2)   /* bf16 values in one 16 x 16-pair tile */

/* Tiles: 0-2 the sums of each part, 3 weights, 4-6 the activation parts, 7 weights of a last partial tile. */
#define WEIGHTS_TAIL 7
struct tile_config {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

int bf16_amx_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        return 0;
    }
    int amx_bf16 = (d >> 22) & 1, amx_tile = (d >> 24) & 1;
    // Linux keeps the 8 KiB tile state off until a process asks for it (once, for all its threads).
    // The pack and the stores use AVX-512 (every AMX CPU so far has it; a hypervisor could hide it).
    return amx_bf16 && amx_tile && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
           && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}

static inline int steps_of(int cols, int shift) {
    return (cols + shift + STEP - 1) / STEP;
}

long bf16_amx_packed_floats(int tokens, int cols) {
    long blocks = (tokens + 15) / 16;
    return blocks * steps_of(cols, STEP - 1) * PARTS * TILE_PAIRS / 2; /* bf16 values, two per float */
}

/* Bit i set for the columns k0 + i that lie in [0, cols), i < 32. */
static inline uint32_t inside(int k0, int cols) {
    uint32_t m = 0xffffffffu;
    if (k0 < 0) {
        m &= 0xffffffffu << -k0;
    }
    if (k0 + STEP > cols) {
        m &= cols - k0 <= 0 ? 0 : 0xffffffffu >> (STEP - (cols - k0));
    }
    return m;
}

/*
 * The upper 16 bits of each of a's and b's 32 floats, in order: 32 bf16 values truncated, which
 * is 16 bf16 pairs of consecutive columns.
 */
__attribute__((target("avx512f,avx512bw"))) static inline __m512i upper_halves(__m512 a, __m512 b) {
    const __m512i odd = _mm512_set_epi16(63, 61, 59, 57, 55, 53, 51, 49, 47, 45, 43, 41, 39, 37, 35, 33, 31, 29, 27, 25, 23,
                                         21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    return _mm512_permutex2var_epi16(_mm512_castps_si512(a), odd, _mm512_castps_si512(b));
}

__attribute__((target("avx512f"))) static inline __m512 truncated(__m512 v) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)0xffff0000)));
}

/*
 * Per block of 16 tokens and step of 32 columns, each token's three parts go into a token-major
 * scratch, one 64-byte row of pairs per token and part, and a register transpose turns each part
 * into its tile (pairs down, tokens across).
 */
__attribute__((target("avx512f,avx512bw"))) void bf16_amx_pack(const float *x, int tokens, int cols, int shift,
                                                               float *packed) {
    float scratch[PARTS][16][16] __attribute__((aligned(64)));
    int blocks = (tokens + 15) / 16, steps = steps_of(cols, shift);
    float *dst = packed;
    for (int b = 0; b < blocks; b++) {
        int n = tokens - b * 16 < 16 ? tokens - b * 16 : 16;
        memset(scratch, 0, sizeof scratch);
        for (int s = 0; s < steps; s++) {
            int k0 = s * STEP - shift;
            uint32_t valid = inside(k0, cols);
            for (int j = 0; j < n; j++) {
                // Offsets before the row are only formed under a zero mask bit: nothing is read there.
                const float *src = x + (long)(b * 16 + j) * cols + k0;
                __m512 a = _mm512_maskz_loadu_ps((__mmask16)valid, src);
                __m512 c = _mm512_maskz_loadu_ps((__mmask16)(valid >> 16), src + 16);
                for (int q = 0; q < PARTS; q++) {
                    _mm512_store_si512((__m512i *)scratch[q][j], upper_halves(a, c));
                    a = _mm512_sub_ps(a, truncated(a));
                    c = _mm512_sub_ps(c, truncated(c));
                }
            }
            for (int q = 0; q < PARTS; q++) {
                bf16_transpose16(&scratch[q][0][0], 16, dst);
                dst += TILE_PAIRS / 2;
            }
        }
    }
}

__attribute__((target("amx-tile,amx-bf16"))) static inline void load_config(int tail_rows) {
    struct tile_config cfg = {0};
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) {
        cfg.rows[t] = t == WEIGHTS_TAIL || t < PARTS ? (uint8_t)tail_rows : 16;
        cfg.colsb[t] = 64;
    }
    _tile_loadconfig(&cfg);
}

/*
 * Sums of rows [r0, r0 + 16) (or fewer, in the tail tiles) for one block of tokens. Each part
 * has its own accumulator: one chain of dependent TDPBF16PS per accumulator is latency-bound
 * (one product every ~50 cycles against one every 16 when three chains interleave).
 */
#define ROW_TILE(WEIGHTS)                                                                                     \
    do {                                                                                                      \
        _tile_zero(0);                                                                                        \
        _tile_zero(1);                                                                                        \
        _tile_zero(2);                                                                                        \
        for (int s = 0; s < steps; s++) {                                                                     \
            const uint16_t *xs = xb + (long)s * PARTS * TILE_PAIRS;                                           \
            int k0 = s * STEP - shift;                                                                        \
            for (int i = 0; i < 16; i++) {                                                                    \
                __builtin_prefetch(wr + (16 + i) * (long)cols + k0);                                          \
            }                                                                                                 \
            if (k0 >= 0 && k0 + STEP <= cols) {                                                               \
                _tile_loadd(WEIGHTS, wr + k0, stride);                                                        \
            } else {                                                                                          \
                edge_tile(wr, cols, rows, k0, edge);                                                          \
                _tile_loadd(WEIGHTS, edge, 64);                                                               \
            }                                                                                                 \
            _tile_loadd(4, xs, 64);                                                                           \
            _tile_loadd(5, xs + TILE_PAIRS, 64);                                                              \
            _tile_loadd(6, xs + 2 * TILE_PAIRS, 64);                                                          \
            _tile_dpbf16ps(0, WEIGHTS, 4);                                                                    \
            _tile_dpbf16ps(1, WEIGHTS, 5);                                                                    \
            _tile_dpbf16ps(2, WEIGHTS, 6);                                                                    \
        }                                                                                                     \
        _tile_stored(0, sums[0], 64);                                                                         \
        _tile_stored(1, sums[1], 64);                                                                         \
        _tile_stored(2, sums[2], 64);                                                                         \
    } while (0)

/*
 * out[t * out_stride + i] (+)= the sum of the parts' sums[.][i * 16 + t - t0] for i < rows: the
 * tile is rows x tokens, the output token-major, so it is transposed in registers and each
 * token's rows are written as one vector.
 */
__attribute__((target("avx512f"))) static void add_to_out(float sums[PARTS][256], int rows, int t0, int tokens,
                                                         int accumulate, float *out, int out_stride) {
    float by_token[256] __attribute__((aligned(64)));
    for (int i = 0; i < 256; i += 16) {
        __m512 sum = _mm512_add_ps(_mm512_load_ps(sums[0] + i), _mm512_load_ps(sums[1] + i));
        _mm512_store_ps(sums[0] + i, _mm512_add_ps(sum, _mm512_load_ps(sums[2] + i)));
    }
    bf16_transpose16(sums[0], 16, by_token);
    __mmask16 valid = (__mmask16)((1u << rows) - 1);
    int n = tokens - t0 < 16 ? tokens - t0 : 16;
    for (int j = 0; j < n; j++) {
        float *o = out + (long)(t0 + j) * out_stride;
        __m512 v = _mm512_load_ps(by_token + j * 16);
        if (accumulate) {
            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(valid, o));
        }
        _mm512_mask_storeu_ps(o, valid, v);
    }
}

/* edge[i][c] = w[i][k0 + c] for the columns inside the row, else 0; i < rows, c < 32. */
__attribute__((target("avx512f,avx512bw"))) static void edge_tile(const uint16_t *w, int cols, int rows, int k0,
                                                                 uint16_t edge[16][STEP]) {
    __mmask32 valid = inside(k0, cols);
    for (int i = 0; i < rows; i++) {
        _mm512_store_si512((__m512i *)edge[i], _mm512_maskz_loadu_epi16(valid, w + (long)i * cols + k0));
    }
}

__attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw"))) void bf16_amx_rows(const uint16_t *w, int cols, int row_from,
                                                                                   int row_to, const float *packed,
                                                                                   int tokens, int shift, int accumulate,
                                                                                   float *out, int out_stride) {
    const uint16_t *xt = (const uint16_t *)packed;
    uint16_t edge[16][STEP] __attribute__((aligned(64)));
    int blocks = (tokens + 15) / 16, steps = steps_of(cols, shift);
    int full_to = row_from + (row_to - row_from) / 16 * 16;
    float sums[PARTS][16 * 16] __attribute__((aligned(64)));
    long stride = (long)cols * 2;
    for (int b = 0; b < blocks; b++) {
        const uint16_t *xb = xt + (long)b * steps * PARTS * TILE_PAIRS;
        load_config(16);
        for (int r0 = row_from; r0 < row_to; r0 += 16) {
            const uint16_t *wr = w + (long)r0 * cols;
            int rows = r0 < full_to ? 16 : row_to - r0;
            if (rows < 16) {
                load_config(rows); /* the accumulators and the weights shrink to the last rows */
                ROW_TILE(WEIGHTS_TAIL);
            } else {
                ROW_TILE(3);
            }
            add_to_out(sums, rows, b * 16, tokens, accumulate, out + r0, out_stride);
        }
    }
    // Unused tile state is not saved on every context switch, and the next call loads its own config.
    _tile_release();
}
