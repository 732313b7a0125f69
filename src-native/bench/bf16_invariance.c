// The bf16 C kernels on every path this CPU has (AMX, AVX-512, AVX2): token t of a batch of n is bitwise the token alone, for n up to 33; then timings. For machines without a JDK: cc -O2 -o chk bf16_invariance.c -ldl && ./chk libtandem_kernels.so
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
static pack_f pk; static rows_f rw; static pf_f pf;
static void run(const uint16_t *w, int rows, int cols, const float *x, int tokens, int shift, float *out) {
  float *xt = aligned_alloc(64, ((size_t)pf(tokens, cols) * 4 + 127) / 64 * 64);
  pk(x, tokens, cols, shift, xt);
  rw(w, cols, 0, rows, xt, tokens, shift, 0, out, rows);
  free(xt);
}
int main(int argc, char **argv) {
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  pk = (pack_f)dlsym(h, "tandem_bf16_pack"); rw = (rows_f)dlsym(h, "tandem_bf16_rows"); pf = (pf_f)dlsym(h, "tandem_bf16_packed_floats");
  ul_f use_amx = (ul_f)dlsym(h, "tandem_bf16_use_amx"), use_lanes = (ul_f)dlsym(h, "tandem_bf16_use_lanes");
  int amx = use_amx(1);
  printf("amx %d lanes %d\n", amx, use_lanes(16));
  int shapes[][2] = {{77, 128}, {40, 520}, {64, 300}, {256, 768}, {160, 64}, {2056, 512}};
  int fails = 0, checks = 0;
  for (int mode = 0; mode < 3; mode++) {
    if (mode == 0 && !amx) continue;
    use_amx(mode == 0); use_lanes(mode == 2 ? 8 : 16);
    for (int s = 0; s < 6; s++) {
      int rows = shapes[s][0], cols = shapes[s][1];
      for (int off = 0; off <= 32; off += 32) {
        uint8_t *wb = aligned_alloc(64, ((size_t)rows * cols * 2 + 64 + 63) / 64 * 64);
        uint16_t *w = (uint16_t *)(wb + off);
        srand(s);
        for (long i = 0; i < (long)rows * cols; i++) w[i] = (uint16_t)((0x3c00 + rand() % 0x800) | (rand() & 1 ? 0x8000 : 0));
        int shift = mode == 0 ? (int)(((uintptr_t)w & 63) / 2) : 0;
        int maxn = 33;
        float *x = malloc((size_t)maxn * cols * 4);
        for (long i = 0; i < (long)maxn * cols; i++) x[i] = (rand() / (float)RAND_MAX - 0.5f);
        float *alone = malloc((size_t)maxn * rows * 4), *out = malloc((size_t)maxn * rows * 4);
        for (int t = 0; t < maxn; t++) run(w, rows, cols, x + (long)t * cols, 1, shift, alone + (long)t * rows);
        for (int n = 1; n <= maxn; n++) {
          run(w, rows, cols, x, n, shift, out);
          checks++;
          if (memcmp(out, alone, (size_t)n * rows * 4) != 0) { fails++; if (fails < 10) printf("DIFF mode %d %dx%d off %d n %d\n", mode, rows, cols, off, n); }
        }
        free(wb); free(x); free(alone); free(out);
      }
    }
    printf("mode %s: %d checks, %d failing so far\n", mode == 0 ? "amx" : mode == 1 ? "avx512" : "avx2", checks, fails);
  }
  // timings, one thread, best of 5
  int tshapes[][3] = {{2048, 2048, 1}, {2048, 2048, 16}, {8192, 2048, 1}, {8192, 2048, 64}, {1536, 256, 16}, {256, 256, 1}};
  for (int s = 0; s < 6; s++) {
    int rows = tshapes[s][0], cols = tshapes[s][1], tokens = tshapes[s][2];
    uint16_t *w = aligned_alloc(64, (size_t)rows * cols * 2);
    for (long i = 0; i < (long)rows * cols; i++) w[i] = 0x3f80 ^ (i * 7919 & 0x7f);
    float *x = aligned_alloc(64, (size_t)tokens * cols * 4), *out = aligned_alloc(64, (size_t)tokens * rows * 4);
    for (long i = 0; i < (long)tokens * cols; i++) x[i] = (i % 13) * 0.1f;
    printf("%5dx%-5d x %2d:", rows, cols, tokens);
    for (int mode = 0; mode < 3; mode++) {
      if (mode == 0 && !amx) continue;
      use_amx(mode == 0); use_lanes(mode == 2 ? 8 : 16);
      long flops = 2L * rows * cols * tokens; int reps = (int)(1e9 / flops) + 1; double best = 1e9;
      float *xt = aligned_alloc(64, ((size_t)pf(tokens, cols) * 4 + 127) / 64 * 64);
      for (int r5 = 0; r5 < 5; r5++) { double t0 = now(); for (int r = 0; r < reps; r++) { pk(x, tokens, cols, 0, xt); rw(w, cols, 0, rows, xt, tokens, 0, 0, out, rows); } double t = (now() - t0) / reps; if (t < best) best = t; }
      printf("  %s %8.1f us %6.1f GFLOP/s", mode == 0 ? "amx" : mode == 1 ? "avx512" : "avx2", best * 1e6, flops / best / 1e9);
      free(xt);
    }
    printf("\n");
    free(w); free(x); free(out);
  }
  printf("RESULT %s\n", fails ? "FAIL" : "PASS");
  return fails != 0;
}
