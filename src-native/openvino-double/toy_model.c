/*
 * The double's "language model", deterministic and cheap, built so that every KV entry matters:
 * - a token with id x at position p gets, in layer l and KV head h, the key
 *   {x + 1, p, c(l,h,2), c(l,h,3), ...} and the value {x + 1, p, -c(l,h,2), ...}, c(l,h,d) = 1000 l + 100 h + d;
 * - the logits after a token are one-hot at next = 3 + (31 * s + 7) mod (vocab - 3), where s is the
 *   sum of the ids of every token so far: the past ones are read back from the past KV inputs.
 * Every unmasked past slot is checked: it must hold an entry of this form for its own layer and
 * head, and the positions must be exactly 0..n-1, once each; the chunk's position_ids must continue
 * them. A wrong gather (wrong block, layer, head, slot) or a scattered padding token fails infer.
 * Padding rows of the logits are NaN, so a caller that samples them notices.
 */
#include "ov_double_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float c(int l, int h, int d) { return (float) (1000 * l + 100 * h + d); }

static const tensor_desc *by_name(const signature *sig, const tensor_desc *t, int input, const char *name) {
    int at = find_port(input ? sig->in : sig->out, input ? sig->n_in : sig->n_out, name);
    return at < 0 ? NULL : &t[at];
}

static bool shape_is(const tensor_desc *t, int rank, const int64_t *dims) {
    if (t->rank != rank) {
        return false;
    }
    for (int d = 0; d < rank; d++) {
        if (t->dims[d] != dims[d]) {
            return false;
        }
    }
    return true;
}

ov_status_e run_toy_model(const signature *sig, const tensor_desc *in, const tensor_desc *out) {
    if (sig->layers == 0) {
        return fail(GENERAL_ERROR, "the contract double runs decoder LMs with input_ids, past_key_values.* and logits only");
    }
    const tensor_desc *ids = by_name(sig, in, 1, "input_ids"), *mask = by_name(sig, in, 1, "attention_mask");
    const tensor_desc *pos = by_name(sig, in, 1, "position_ids"), *logits = by_name(sig, out, 0, "logits");
    if (!ids || !mask || !pos || !logits || ids->type != I64 || mask->type != I64 || pos->type != I64 || logits->type != F32) {
        return fail(GENERAL_ERROR, "the double needs i64 input_ids, attention_mask, position_ids and f32 logits");
    }
    const int64_t B = ids->dims[0], S = ids->dims[1], H = sig->kv_heads, D = sig->head_dim, V = sig->vocab, L = sig->layers;
    const tensor_desc *k0 = by_name(sig, in, 1, "past_key_values.0.key");
    const int64_t P = k0->dims[2];
    int64_t mask_dims[] = {B, P + S}, pos_dims[] = {B, S}, logit_dims[] = {B, S, V};
    int64_t past_dims[] = {B, H, P, D}, present_dims[] = {B, H, P + S, D};
    if (!shape_is(mask, 2, mask_dims) || !shape_is(pos, 2, pos_dims) || !shape_is(logits, 3, logit_dims)) {
        return fail(GENERAL_ERROR, "attention_mask must be [%ld,%ld], position_ids [%ld,%ld], logits [%ld,%ld,%ld]", (long) B,
                    (long) (P + S), (long) B, (long) S, (long) B, (long) S, (long) V);
    }
    const float *pk[64], *pv[64];
    float *ok[64], *ov[64];
    if (L > 64 || D < 2) {
        return fail(GENERAL_ERROR, "the double handles up to 64 layers and head_dim >= 2");
    }
    for (int l = 0; l < L; l++) {
        char name[4][64];
        snprintf(name[0], 64, "past_key_values.%d.key", l);
        snprintf(name[1], 64, "past_key_values.%d.value", l);
        snprintf(name[2], 64, "present.%d.key", l);
        snprintf(name[3], 64, "present.%d.value", l);
        const tensor_desc *t[4] = {by_name(sig, in, 1, name[0]), by_name(sig, in, 1, name[1]), by_name(sig, out, 0, name[2]),
                                   by_name(sig, out, 0, name[3])};
        for (int i = 0; i < 4; i++) {
            if (!t[i] || t[i]->type != F32 || !shape_is(t[i], 4, i < 2 ? past_dims : present_dims)) {
                return fail(GENERAL_ERROR, "%s must be f32 [%ld,%ld,%ld,%ld]", name[i], (long) B, (long) H, (long) (i < 2 ? P : P + S),
                            (long) D);
            }
        }
        pk[l] = t[0]->data, pv[l] = t[1]->data, ok[l] = t[2]->data, ov[l] = t[3]->data;
    }
    const int64_t *idv = ids->data, *maskv = mask->data, *posv = pos->data;
    float *lg = logits->data;
    char *seen = calloc(P > 0 ? P : 1, 1);
    for (int64_t b = 0; b < B; b++) {
        memset(seen, 0, P > 0 ? P : 1);
        int64_t n_past = 0, sum = 0;
        for (int64_t p = 0; p < P; p++) {
            int64_t m = maskv[b * (P + S) + p];
            if (m != 0 && m != 1) {
                free(seen);
                return fail(GENERAL_ERROR, "attention_mask[%ld][%ld] is %ld, not 0 or 1", (long) b, (long) p, (long) m);
            }
            if (!m) {
                continue;
            }
            n_past++;
            const float *first = pk[0] + ((b * H) * P + p) * D;
            for (int l = 0; l < L; l++) {
                for (int64_t h = 0; h < H; h++) {
                    const float *k = pk[l] + ((b * H + h) * P + p) * D, *v = pv[l] + ((b * H + h) * P + p) * D;
                    bool ok_entry = k[0] == first[0] && k[1] == first[1] && v[0] == k[0] && v[1] == k[1];
                    for (int64_t d = 2; ok_entry && d < D; d++) {
                        ok_entry = k[d] == c(l, (int) h, (int) d) && v[d] == -c(l, (int) h, (int) d);
                    }
                    if (!ok_entry) {
                        free(seen);
                        return fail(GENERAL_ERROR, "past_key_values.%d (batch %ld, head %ld, slot %ld) does not hold this layer's and head's KV"
                                    " of the token in that slot (key starts %g, %g, %g)", l, (long) b, (long) h, (long) p, k[0], k[1], k[2]);
                    }
                }
            }
            int64_t at = (int64_t) first[1];
            sum += (int64_t) first[0] - 1;
            if (at < 0 || at >= P || seen[at]) {
                free(seen);
                return fail(GENERAL_ERROR, "past slot %ld of batch %ld holds position %ld, which is %s", (long) p, (long) b, (long) at,
                            at < 0 || at >= P ? "out of range" : "there twice");
            }
            seen[at] = 1;
        }
        for (int64_t p = 0; p < n_past; p++) {
            if (!seen[p]) {
                free(seen);
                return fail(GENERAL_ERROR, "batch %ld: %ld past positions given but position %ld is missing", (long) b, (long) n_past, (long) p);
            }
        }
        int64_t next_pos = n_past;
        for (int64_t i = 0; i < S; i++) {
            int64_t id = idv[b * S + i], m = maskv[b * (P + S) + P + i], q = posv[b * S + i];
            float *row = lg + (b * S + i) * V;
            if (m) {
                if (q != next_pos || id < 0 || id >= V) {
                    free(seen);
                    return fail(GENERAL_ERROR, "batch %ld token %ld: position_ids is %ld, expected %ld (id %ld)", (long) b, (long) i, (long) q,
                                (long) next_pos, (long) id);
                }
                next_pos++;
                sum += id;
                memset(row, 0, sizeof(float) * V);
                row[3 + (31 * sum + 7) % (V - 3)] = 1.0f;
            } else {
                for (int64_t v = 0; v < V; v++) {
                    row[v] = NAN;
                }
            }
            for (int l = 0; l < L; l++) {
                for (int64_t h = 0; h < H; h++) {
                    float *k = ok[l] + ((b * H + h) * (P + S) + P + i) * D, *v = ov[l] + ((b * H + h) * (P + S) + P + i) * D;
                    k[0] = v[0] = (float) (id + 1);
                    k[1] = v[1] = (float) q;
                    for (int64_t d = 2; d < D; d++) {
                        k[d] = c(l, (int) h, (int) d);
                        v[d] = -c(l, (int) h, (int) d);
                    }
                }
            }
        }
        for (int l = 0; l < L; l++) {
            for (int64_t h = 0; h < H; h++) {
                memcpy(ok[l] + (b * H + h) * (P + S) * D, pk[l] + (b * H + h) * P * D, sizeof(float) * P * D);
                memcpy(ov[l] + (b * H + h) * (P + S) * D, pv[l] + (b * H + h) * P * D, sizeof(float) * P * D);
            }
        }
    }
    free(seen);
    return OK;
}
