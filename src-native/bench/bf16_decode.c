/*
 * One token through the bf16 C kernels of two builds of libtandem_kernels.so, over a 256 MB
 * matrix (so the weights stream from DRAM, as in decode), two threads taking 128-row chunks in
 * turn as dev.tandem.kernels.Matmul does; AMX off. Prints the read rate of each build, four
 * alternated rounds, each the best of 8 passes. By hand:
 *   cc -O2 -pthread -o /tmp/bf16_decode src-native/bench/bf16_decode.c -ldl
 *   /tmp/bf16_decode OLD.so NEW.so LANES [COLS]     (LANES 16: AVX-512, 8: AVX2; COLS 2048)
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void (*pack_f)(const float *, int, int, int, float *);
typedef void (*rows_f)(const uint16_t *, int, int, int, const float *, int, int, int, float *, int);
typedef int (*use_f)(int);

#define THREADS 2
#define CHUNK 128

static rows_f rows;
static const uint16_t *w;
static const float *xt;
static float *out;
static int n_rows, n_cols;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *work(void *arg) {
    for (int r = (int)(long)arg * CHUNK; r < n_rows; r += THREADS * CHUNK) {
        rows(w, n_cols, r, r + CHUNK, xt, 1, 0, 0, out, n_rows);
    }
    return 0;
}

static double pass_rate(rows_f f) {
    rows = f;
    double best = 1e9;
    for (int pass = 0; pass < 8; pass++) {
        pthread_t t[THREADS];
        double t0 = now();
        for (long i = 0; i < THREADS; i++) {
            pthread_create(&t[i], 0, work, (void *)i);
        }
        for (int i = 0; i < THREADS; i++) {
            pthread_join(t[i], 0);
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    return (double)n_rows * n_cols * 2 / best / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s OLD.so NEW.so LANES [COLS]\n", argv[0]);
        return 2;
    }
    int lanes = atoi(argv[3]);
    n_cols = argc > 4 ? atoi(argv[4]) : 2048;
    n_rows = (int)((256L << 20) / 2 / n_cols);
    rows_f f[2];
    pack_f pack = 0;
    for (int i = 0; i < 2; i++) {
        void *h = dlopen(argv[1 + i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        f[i] = (rows_f)dlsym(h, "tandem_bf16_rows");
        pack = (pack_f)dlsym(h, "tandem_bf16_pack");
        ((use_f)dlsym(h, "tandem_bf16_use_amx"))(0);
        if (((use_f)dlsym(h, "tandem_bf16_use_lanes"))(lanes) != lanes) {
            printf("this CPU has no %d-float kernel\n", lanes);
            return 0;
        }
    }
    uint16_t *wm = aligned_alloc(64, (size_t)n_rows * n_cols * 2);
    float *x = aligned_alloc(64, (size_t)n_cols * 4), *packed = aligned_alloc(64, (size_t)n_cols * 4);
    out = aligned_alloc(64, (size_t)n_rows * 4);
    for (long i = 0; i < (long)n_rows * n_cols; i++) {
        wm[i] = 0x3f80 ^ (i * 7919 & 0x7f);
    }
    for (int i = 0; i < n_cols; i++) {
        x[i] = (i % 13) * 0.1f;
    }
    pack(x, 1, n_cols, 0, packed);
    w = wm;
    xt = packed;
    printf("%d x %d bf16 (%d MB), 1 token, %d threads, %d floats per vector; GB/s read\n", n_rows, n_cols,
           (int)((long)n_rows * n_cols * 2 >> 20), THREADS, lanes);
    for (int round = 0; round < 4; round++) {
        double a = pass_rate(f[0]), b = pass_rate(f[1]);
        printf("round %d: old %5.1f   new %5.1f   new/old %.2f\n", round + 1, a, b, b / a);
    }
    return 0;
}
