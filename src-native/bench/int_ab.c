/*
 * The int8/int4 C kernels of two builds of libtandem_kernels.so, side by side in one run, on the
 * matrices of a Llama-3.2-1B layer times a 128-token prefill chunk and a 16-sequence decode
 * batch: one thread, rows in the chunks dev.tandem.kernels.Matmul hands a thread of two, the
 * best of five alternated rounds. A build that exports tandem_int_rows is called through it (its
 * quantizer writes the layout its kernels read), an older one through tandem_quantized_rows_int.
 * Also checks that the second build's results equal its own portable C code's bit for bit. By
 * hand: int_ab OLD.so NEW.so LEVEL [NEW_LEVEL] (3: AVX-512-VNNI, 2: AVX-VNNI, 1: AVX2, 0: portable
 * C; NEW_LEVEL, if given, for the second build: two levels of one build side by side).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
typedef void (*rows_f)(const uint8_t *, const float *, const uint8_t *, int, int, int, int, int, int, const int8_t *,
                       const float *, int, const float *, float *, int);
typedef void (*quant_f)(const float *, int, int, int, int8_t *, float *);
typedef int (*ul_f)(int);
typedef void (*irows_f)(const uint8_t *, const float *, const uint8_t *, int, int, int, int, int, int, const int8_t *,
                        const float *, const int32_t *, int, float *, int);
typedef void (*iquant_f)(const float *, int, int, int, int, int8_t *, float *, int32_t *);
typedef void (*isizes_f)(int, int, int, int, long *);
static rows_f rw[2];
static quant_f qa[2];
static irows_f irw[2];
static iquant_f iqa[2];
static isizes_f isz[2];
static ul_f use_level[2];

/* One matmul of build i: quantize, then the rows in chunks. */
static void matmul(int i, const uint8_t *w, const float *scales, const uint8_t *zeros, int q4, int group, int rows,
                   int cols, const float *x, int tokens, const float *sums, int chunk, int8_t *xq, float *xs,
                   int32_t *sq, float *out) {
    if (irw[i]) {
        iqa[i](x, q4, tokens, cols, group, xq, xs, sq);
    } else {
        qa[i](x, tokens * cols, group, q4 && group % 64 == 0, xq, xs);
    }
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        int r1 = r0 + chunk < rows ? r0 + chunk : rows;
        if (irw[i]) {
            irw[i](w, scales, zeros, 0, q4, group, cols, r0, r1, xq, xs, sq, tokens, out + r0, rows);
        } else {
            rw[i](w, scales, zeros, 0, q4, group, cols, r0, r1, xq, xs, tokens, sums, out + r0, rows);
        }
    }
}
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: int_ab OLD.so NEW.so LEVEL [NEW_LEVEL]\n");
        return 2;
    }
    int levels[2] = {atoi(argv[3]), atoi(argc > 4 ? argv[4] : argv[3])};
    for (int i = 0; i < 2; i++) {
        int level = levels[i];
        void *h = dlopen(argv[1 + i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        rw[i] = (rows_f)dlsym(h, "tandem_quantized_rows_int");
        qa[i] = (quant_f)dlsym(h, "tandem_quantize_activations");
        irw[i] = (irows_f)dlsym(h, "tandem_int_rows");
        iqa[i] = (iquant_f)dlsym(h, "tandem_int_quantize");
        isz[i] = (isizes_f)dlsym(h, "tandem_int_buffer_sizes");
        use_level[i] = (ul_f)dlsym(h, "tandem_kernels_use_level");
        int got = use_level[i](level);
        if (got != level) {
            printf("this CPU has no level %d (it gave %d)\n", level, got);
            return 0;
        }
    }
    int shapes[][3] = {{2048, 2048, 128}, {8192, 2048, 128}, {2048, 8192, 128}, {2048, 2048, 16}, {8192, 2048, 16},
                       {2048, 2048, 1}};
    const int group = 128;
    for (int q4 = 0; q4 <= 1; q4++) {
        for (int s = 0; s < 6; s++) {
            int rows = shapes[s][0], cols = shapes[s][1], tokens = shapes[s][2];
            int groups = cols / group;
            long wbytes = (long)rows * cols / (q4 ? 2 : 1);
            uint8_t *w = aligned_alloc(64, wbytes + 64), *zeros = malloc((size_t)rows * groups);
            float *scales = malloc(sizeof(float) * rows * groups), *x = malloc(sizeof(float) * tokens * cols);
            float *xs = malloc(sizeof(float) * tokens * groups), *sums = calloc((size_t)tokens * groups, sizeof(float));
            int8_t *xq = aligned_alloc(64, (size_t)(tokens + 16) * cols * 2 + 64); /* int16 codes at most */
            int32_t *sq = malloc(sizeof(int32_t) * (tokens + 16) * groups);
            float *xsp = malloc(sizeof(float) * (tokens + 16) * groups);
            float *out[2];
            srand(7);
            for (long i = 0; i < wbytes; i++) {
                w[i] = (uint8_t)rand();
            }
            for (long i = 0; i < (long)rows * groups; i++) {
                scales[i] = 0.01f + (rand() % 100) * 1e-4f;
                zeros[i] = q4 ? rand() % 16 : (uint8_t)(rand() % 9 - 4);
            }
            for (long i = 0; i < (long)tokens * cols; i++) {
                x[i] = (rand() % 2001 - 1000) * 1e-3f;
                sums[i / group] += x[i];
            }
            int chunk = rows / 16 / 4 * 4;
            chunk = chunk > 1024 ? 1024 : chunk < 4 ? 4 : chunk;
            double best[2] = {1e9, 1e9};
            double macs = (double)rows * cols * tokens;
            int reps = (int)(4e9 / macs) + 1;
            for (int i = 0; i < 2; i++) {
                out[i] = malloc(sizeof(float) * tokens * rows);
            }
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 2; i++) {
                    double t0 = now();
                    for (int rep = 0; rep < reps; rep++) {
                        matmul(i, w, scales, zeros, q4, group, rows, cols, x, tokens, sums, chunk, xq, xsp, sq, out[i]);
                    }
                    double t = (now() - t0) / reps;
                    best[i] = t < best[i] ? t : best[i];
                }
            }
            int same = memcmp(out[0], out[1], sizeof(float) * tokens * rows) == 0;
            float *portable = malloc(sizeof(float) * tokens * rows);
            use_level[1](0);
            matmul(1, w, scales, zeros, q4, group, rows, cols, x, tokens, sums, chunk, xq, xsp, sq, portable);
            use_level[1](levels[1]);
            int own = memcmp(portable, out[1], sizeof(float) * tokens * rows) == 0;
            double err = 0, mag = 0;
            for (long n = 0; n < (long)tokens * rows; n++) {
                err = fmax(err, fabs(out[0][n] - out[1][n]));
                mag = fmax(mag, fabs(out[0][n]));
            }
            free(portable);
            printf("%s %5dx%-5d x %3d tokens: old %9.1f us %6.1f GMAC/s   new %9.1f us %6.1f GMAC/s   old/new %.2f %s, max diff %.1e of %.1e, %s\n",
                   q4 ? "q4" : "q8", rows, cols, tokens, best[0] * 1e6, macs / best[0] * 1e-9, best[1] * 1e6,
                   macs / best[1] * 1e-9, best[0] / best[1], same ? "same bits" : "other bits", err, mag, own ? "new = its portable C" : "NEW != ITS PORTABLE C");
            free(w), free(zeros), free(scales), free(x), free(xs), free(sums), free(xq), free(out[0]), free(out[1]), free(sq), free(xsp);
        }
    }
    return 0;
}
