/*
 * The bf16 C kernels of two builds of libtandem_kernels.so, side by side in one run: pack +
 * rows for shapes of the demo model and of a 1B model, one thread, the best of six alternated
 * rounds each, AMX off unless asked. documentation/bench-kernels-ab.sh builds an older commit's library and
 * runs this; by hand: bf16_ab OLD.so NEW.so LANES [amx] (16: AVX-512, 8: AVX2; amx: the AMX
 * tiles instead, where the CPU has them).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
typedef void (*pack_f)(const float *, int, int, int, float *);
typedef void (*rows_f)(const uint16_t *, int, int, int, const float *, int, int, int, float *, int);
typedef long (*pf_f)(int, int);
typedef int (*ul_f)(int);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  int lanes = atoi(argv[3]), amx = argc > 4 && strcmp(argv[4], "amx") == 0;
  void *h[2]; pack_f pk[2]; rows_f rw[2]; pf_f pf[2];
  for (int i = 0; i < 2; i++) {
    h[i] = dlopen(argv[1 + i], RTLD_NOW | RTLD_LOCAL);
    if (!h[i]) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    pk[i] = (pack_f)dlsym(h[i], "tandem_bf16_pack"); rw[i] = (rows_f)dlsym(h[i], "tandem_bf16_rows");
    pf[i] = (pf_f)dlsym(h[i], "tandem_bf16_packed_floats");
    if (((ul_f)dlsym(h[i], "tandem_bf16_use_amx"))(amx) != amx) { printf("this CPU has no AMX\n"); return 0; }
    int got = ((ul_f)dlsym(h[i], "tandem_bf16_use_lanes"))(lanes);
    if (got != lanes) { printf("this CPU has no %d-float kernel (it gave %d)\n", lanes, got); return 0; }
  }
  int shapes[][3] = {{256, 256, 1}, {256, 256, 16}, {1536, 256, 16}, {256, 768, 16}, {2048, 2048, 1}, {2048, 2048, 8}, {2048, 2048, 16}, {2048, 2048, 64}, {8192, 2048, 64}, {2048, 8192, 64}};
  for (int s = 0; s < 10; s++) {
    int rows = shapes[s][0], cols = shapes[s][1], tokens = shapes[s][2];
    uint16_t *w = aligned_alloc(64, (size_t)rows * cols * 2 + 64);
    float *x = aligned_alloc(64, (size_t)tokens * cols * 4 + 64), *out = aligned_alloc(64, (size_t)tokens * rows * 4 + 64);
    for (long i = 0; i < (long)rows * cols; i++) w[i] = 0x3f80 ^ (i * 7919 & 0x7f);
    for (long i = 0; i < (long)tokens * cols; i++) x[i] = (i % 13) * 0.1f;
    double best[2] = {1e9, 1e9};
    long flops = 2L * rows * cols * tokens;
    int reps = (int)(2e9 / flops) + 1;
    for (int round = 0; round < 6; round++) {
      for (int i = 0; i < 2; i++) {
        float *xt = aligned_alloc(64, (size_t)pf[i](tokens, cols) * 4 + 64);
        double t0 = now();
        for (int r = 0; r < reps; r++) { pk[i](x, tokens, cols, 0, xt); rw[i](w, cols, 0, rows, xt, tokens, 0, 0, out, rows); }
        double t = (now() - t0) / reps;
        if (t < best[i]) best[i] = t;
        free(xt);
      }
    }
    printf("%5dx%-5d x %2d tokens: old %8.1f us %6.1f GFLOP/s   new %8.1f us %6.1f GFLOP/s   old time/new time %.2f\n", rows, cols, tokens,
           best[0] * 1e6, flops / best[0] / 1e9, best[1] * 1e6, flops / best[1] / 1e9, best[0] / best[1]);
    free(w); free(x); free(out);
  }
}
