/*
 * Lane sums of the bf16 vector kernels (bf16_rows.c), in the order of Vectors.sum in Java. Static
 * inline: each kernel inlines them at its own instruction set.
 */
#ifndef TANDEM_BF16_FOLDS_H
#define TANDEM_BF16_FOLDS_H

#include <immintrin.h>

/*
 * The reductions fold halves, as Vectors.sum does in Java: lane i meets lane i + L/2, then
 * i + L/4, ... Any fixed tree would do; this one is what both languages compute cheaply.
 */
__attribute__((target("avx2,fma"))) static inline float fold8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx512f"))) static inline float fold16(__m512 v) {
    __m256 lo = _mm512_castps512_ps256(v);
    __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    return fold8(_mm256_add_ps(lo, hi));
}

/*
 * sums[n] = fold8(a[n]) for 16 accumulators at once: each step pairs two vectors' halves instead
 * of one vector's, so 16 folds take 42 shuffles and additions instead of about a hundred, and
 * each lane still meets the lanes fold8 adds to it, in the same tree (a + b is b + a, exactly).
 */
__attribute__((target("avx2,fma"))) static inline void fold8_all16(const __m256 *a, float *sums) {
    __m256 x[8], w[4], v[2];
    for (int m = 0; m < 8; m++) { /* lane i + lane i + 4: chunk c of x[m] is a[2m + c] */
        x[m] = _mm256_add_ps(_mm256_permute2f128_ps(a[2 * m], a[2 * m + 1], 0x20),
                             _mm256_permute2f128_ps(a[2 * m], a[2 * m + 1], 0x31));
    }
    for (int m = 0; m < 4; m++) { /* + 2: chunk c of w[m] holds a[4m + c] and a[4m + 2 + c] */
        __m256d p = _mm256_castps_pd(x[2 * m]), q = _mm256_castps_pd(x[2 * m + 1]);
        w[m] = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(p, q)), _mm256_castpd_ps(_mm256_unpackhi_pd(p, q)));
    }
    for (int p = 0; p < 2; p++) { /* + 1: lane 4c + k of v[p] is a[8p + c + 2k] */
        v[p] = _mm256_add_ps(_mm256_shuffle_ps(w[2 * p], w[2 * p + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm256_shuffle_ps(w[2 * p], w[2 * p + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    }
    float lanes[16];
    _mm256_storeu_ps(lanes, v[0]);
    _mm256_storeu_ps(lanes + 8, v[1]);
    for (int p = 0; p < 2; p++) {
        for (int c = 0; c < 2; c++) {
            for (int k = 0; k < 4; k++) {
                sums[8 * p + c + 2 * k] = lanes[8 * p + 4 * c + k];
            }
        }
    }
}

/* sums[n] = fold16(a[n]) for 16 accumulators at once, as fold8_all16 does for fold8 (45 operations). */
__attribute__((target("avx512f"))) static inline void fold16_all16(const __m512 *a, float *sums) {
    __m512 x[8], z[4], w[2];
    for (int m = 0; m < 8; m++) { /* lane i + lane i + 8: 128-bit chunks [A0+A2, A1+A3, B0+B2, B1+B3] */
        x[m] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * m], a[2 * m + 1], 0x44), _mm512_shuffle_f32x4(a[2 * m], a[2 * m + 1], 0xEE));
    }
    for (int m = 0; m < 4; m++) { /* + 4: chunk c of z[m] is a[4m + c] */
        z[m] = _mm512_add_ps(_mm512_shuffle_f32x4(x[2 * m], x[2 * m + 1], 0x88), _mm512_shuffle_f32x4(x[2 * m], x[2 * m + 1], 0xDD));
    }
    for (int m = 0; m < 2; m++) { /* + 2: chunk c of w[m] holds a[8m + c] and a[8m + 4 + c] */
        __m512d p = _mm512_castps_pd(z[2 * m]), q = _mm512_castps_pd(z[2 * m + 1]);
        w[m] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(p, q)), _mm512_castpd_ps(_mm512_unpackhi_pd(p, q)));
    }
    /* + 1: lane 4c + k is a[4k + c] */
    __m512 v = _mm512_add_ps(_mm512_shuffle_ps(w[0], w[1], _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_ps(w[0], w[1], _MM_SHUFFLE(3, 1, 3, 1)));
    float lanes[16];
    _mm512_storeu_ps(lanes, v);
    for (int c = 0; c < 4; c++) {
        for (int k = 0; k < 4; k++) {
            sums[4 * k + c] = lanes[4 * c + k];
        }
    }
}

#endif
