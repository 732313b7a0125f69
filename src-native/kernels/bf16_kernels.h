/* What bf16_rows.c (the dispatch, the AVX-512 and AVX2 kernels) and bf16_tiles.c (AMX) share. */
#ifndef TANDEM_BF16_KERNELS_H
#define TANDEM_BF16_KERNELS_H
#include <stdint.h>

/* dst[k * 16 + j] = src[j * stride + k] for j, k < 16 (32-bit values: floats or bf16 pairs); AVX-512F. */
void bf16_transpose16(const float *src, long stride, float *dst);

/* 1 when the CPU has AMX-BF16 and Linux granted this process the tile state. */
int bf16_amx_supported(void);
long bf16_amx_packed_floats(int tokens, int cols);
void bf16_amx_pack(const float *x, int tokens, int cols, int shift, float *packed);
void bf16_amx_rows(const uint16_t *w, int cols, int row_from, int row_to, const float *packed, int tokens, int shift,
                   int accumulate, float *out, int out_stride);
#endif
