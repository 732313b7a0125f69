/*
 * The arithmetic peaks that `tandem bench decode` judges prefill and batched decode against, as it
 * judges decode against the read bandwidth: each loop runs CHAINS independent accumulators (more
 * than an instruction's latency times its throughput, so the units never wait), at the vector
 * width the kernels use, and is timed by the caller on every kernel thread at once.
 *
 * - tandem_peak_fma: f32 FMAs, what the bf16/f16/f32 vector kernels are made of (2 flops each).
 * - tandem_peak_int8: multiply-adds of 8-bit codes into 32-bit sums as the integer kernels' level
 *   does them: one vpdpbusd per 64 with AVX-512-VNNI (level 3), per 32 with AVX-VNNI (level 2); with plain AVX2 (level 1), the fastest
 *   exact route the instruction set has, vpmaddubsw (pairs into 16 bits) then vpmaddwd by ones
 *   (into 32) and an add, per 32, as llama.cpp's AVX2 kernels do.
 * Each returns the multiply-adds it did; its sums go to a volatile sink, so that the compiler
 * cannot drop the loops.
 */
#include <stdint.h>
#include <immintrin.h>

#define CHAINS 12

static volatile float sink;

/* CHAINS independent FMA chains of one vector type, in registers. */
#define DEFINE_FMA(NAME, TARGET, VEC, SET1, FMADD, FIRST)                                   \
    __attribute__((target(TARGET))) static float NAME(long iterations) {                    \
        VEC acc[CHAINS];                                                                    \
        for (int c = 0; c < CHAINS; c++) {                                                  \
            acc[c] = SET1((float)c);                                                        \
        }                                                                                   \
        const VEC a = SET1(0.999f), b = SET1(1e-3f);                                        \
        for (long i = 0; i < iterations; i++) {                                             \
            for (int c = 0; c < CHAINS; c++) {                                              \
                acc[c] = FMADD(acc[c], a, b);                                               \
            }                                                                               \
        }                                                                                   \
        float sum = 0;                                                                      \
        for (int c = 0; c < CHAINS; c++) {                                                  \
            sum += FIRST(acc[c]);                                                           \
        }                                                                                   \
        return sum;                                                                         \
    }

DEFINE_FMA(fma8, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_cvtss_f32)
DEFINE_FMA(fma16, "avx512f", __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_cvtss_f32)

/* iterations x CHAINS FMAs of `lanes` floats (16 or 8); returns the multiply-adds (lanes per FMA). */
long tandem_peak_fma(int lanes, long iterations) {
    sink = lanes >= 16 ? fma16(iterations) : fma8(iterations);
    return iterations * CHAINS * (lanes >= 16 ? 16 : 8);
}

/* CHAINS independent vpdpbusd chains of one vector width, in registers. */
#define DEFINE_VNNI(NAME, TARGET, VEC, SET1_32, SET1_8, DPBUSD, FIRST)                      \
    __attribute__((target(TARGET))) static int32_t NAME(long iterations) {                  \
        VEC acc[CHAINS];                                                                    \
        for (int c = 0; c < CHAINS; c++) {                                                  \
            acc[c] = SET1_32(c);                                                            \
        }                                                                                   \
        const VEC u = SET1_8(3), s = SET1_8(-2);                                            \
        for (long i = 0; i < iterations; i++) {                                             \
            for (int c = 0; c < CHAINS; c++) {                                              \
                acc[c] = DPBUSD(acc[c], u, s);                                              \
            }                                                                               \
        }                                                                                   \
        int32_t sum = 0;                                                                    \
        for (int c = 0; c < CHAINS; c++) {                                                  \
            sum += FIRST(acc[c]);                                                           \
        }                                                                                   \
        return sum;                                                                         \
    }

DEFINE_VNNI(dot_vnni, "avx2,avxvnni", __m256i, _mm256_set1_epi32, _mm256_set1_epi8, _mm256_dpbusd_avx_epi32,
            _mm256_cvtsi256_si32)
DEFINE_VNNI(dot_vnni512, "avx512f,avx512vnni", __m512i, _mm512_set1_epi32, _mm512_set1_epi8, _mm512_dpbusd_epi32,
            _mm512_cvtsi512_si32)

__attribute__((target("avx2"))) static int32_t dot_avx2(long iterations) {
    __m256i acc[CHAINS];
    int8_t codes[CHAINS][32] __attribute__((aligned(32)));
    for (int c = 0; c < CHAINS; c++) {
        acc[c] = _mm256_set1_epi32(c);
        for (int k = 0; k < 32; k++) {
            codes[c][k] = (int8_t)(c - k);
        }
    }
    const __m256i ones = _mm256_set1_epi16(1), u = _mm256_set1_epi8(3);
    const int8_t *p = &codes[0][0];
    for (long i = 0; i < iterations; i++) {
        /* An opaque pointer: the loads (as the kernels' weight operands) stay in the loop. */
        __asm__ volatile("" : "+r"(p));
        for (int c = 0; c < CHAINS; c++) {
            __m256i s = _mm256_load_si256((const __m256i *)(p + 32 * c));
            acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones));
        }
    }
    int32_t sum = 0;
    for (int c = 0; c < CHAINS; c++) {
        sum += _mm256_cvtsi256_si32(acc[c]);
    }
    return sum;
}

/* iterations x CHAINS vector multiply-adds of 8-bit codes at the integer kernels' level (3, 2 or 1); returns their number. */
long tandem_peak_int8(int level, long iterations) {
    sink = (float)(level >= 3 ? dot_vnni512(iterations) : level == 2 ? dot_vnni(iterations) : dot_avx2(iterations));
    return iterations * CHAINS * (level >= 3 ? 64 : 32);
}
