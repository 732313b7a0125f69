/* ov_model_t and its ports: sizes, names, shapes, element types, reshape. */
#include "ov_double_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int find_port(const port_desc *ports, int n, const char *name) {
    for (int i = 0; i < n; i++) {
        if (strcmp(ports[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

void shape_string(const port_desc *p, char *out, size_t size) {
    size_t at = snprintf(out, size, "[");
    for (int d = 0; d < p->rank && at < size; d++) {
        if (p->dims[d].max < 0) {
            at += snprintf(out + at, size - at, "%s?", d ? "," : "");
        } else {
            at += snprintf(out + at, size - at, "%s%ld", d ? "," : "", (long) p->dims[d].max);
        }
    }
    if (at < size) {
        snprintf(out + at, size - at, "]");
    }
}

static ov_dimension_t sum(ov_dimension_t a, ov_dimension_t b) {
    if (a.max < 0 || b.max < 0) {
        return (ov_dimension_t) {a.min + b.min, -1};
    }
    return (ov_dimension_t) {a.min + b.min, a.max + b.max};
}

/*
 * Geometry from past_key_values.0.key [batch, kv_heads, past, head_dim] and logits [.., .., vocab];
 * then every output's shape from the inputs' (as shape inference would after a reshape):
 * logits [batch, seq, vocab], present.N.key/value [batch, kv_heads, past + seq, head_dim].
 */
ov_status_e derive_signature(signature *sig) {
    int ids = find_port(sig->in, sig->n_in, "input_ids");
    int key0 = find_port(sig->in, sig->n_in, "past_key_values.0.key");
    int logits = find_port(sig->out, sig->n_out, "logits");
    if (ids < 0 || key0 < 0 || logits < 0 || sig->in[key0].rank != 4 || sig->out[logits].rank != 3) {
        /* Not a decoder LM: the double serves it only for reading (Tandem's load checks reject it). */
        sig->layers = 0;
        return OK;
    }
    const port_desc *k = &sig->in[key0];
    sig->kv_heads = (int) k->dims[1].max;
    sig->head_dim = (int) k->dims[3].max;
    sig->vocab = (int) sig->out[logits].dims[2].max;
    sig->layers = 0;
    char name[128];
    do {
        snprintf(name, sizeof name, "past_key_values.%d.key", ++sig->layers);
    } while (find_port(sig->in, sig->n_in, name) >= 0);
    const port_desc *in = &sig->in[ids];
    for (int o = 0; o < sig->n_out; o++) {
        port_desc *p = &sig->out[o];
        if (o == logits) {
            p->dims[0] = in->dims[0];
            p->dims[1] = in->dims[1];
        } else if (strncmp(p->name, "present.", 8) == 0 && p->rank == 4) {
            p->dims[0] = in->dims[0];
            p->dims[2] = sum(k->dims[2], in->dims[1]);
        }
    }
    return OK;
}

API void ov_model_free(ov_model_t *model) { release(model, K_MODEL, "ov_model_free"); }

API ov_status_e ov_model_inputs_size(const ov_model_t *model, size_t *input_size) {
    if (!live(model, K_MODEL, "ov_model_inputs_size") || !input_size) {
        return INVALID_C_PARAM;
    }
    *input_size = model->sig.n_in;
    return OK;
}

API ov_status_e ov_model_outputs_size(const ov_model_t *model, size_t *output_size) {
    if (!live(model, K_MODEL, "ov_model_outputs_size") || !output_size) {
        return INVALID_C_PARAM;
    }
    *output_size = model->sig.n_out;
    return OK;
}

static ov_status_e port(const ov_model_t *model, int input, size_t index, ov_output_const_port_t **out, const char *fn) {
    if (!live(model, K_MODEL, fn) || !out) {
        return INVALID_C_PARAM;
    }
    if (index >= (size_t) (input ? model->sig.n_in : model->sig.n_out)) {
        return fail(OUT_OF_BOUNDS, "%s: index %zu out of range", fn, index);
    }
    ov_output_const_port_t *p = new_object(sizeof(struct ov_output_const_port), K_PORT);
    p->port = input ? model->sig.in[index] : model->sig.out[index];
    *out = p;
    return OK;
}

API ov_status_e ov_model_const_input_by_index(const ov_model_t *model, const size_t index, ov_output_const_port_t **input_port) {
    return port(model, 1, index, input_port, "ov_model_const_input_by_index");
}

API ov_status_e ov_model_const_output_by_index(const ov_model_t *model, const size_t index, ov_output_const_port_t **output_port) {
    return port(model, 0, index, output_port, "ov_model_const_output_by_index");
}

API void ov_output_const_port_free(ov_output_const_port_t *port) { release(port, K_PORT, "ov_output_const_port_free"); }

API ov_status_e ov_port_get_any_name(const ov_output_const_port_t *port, char **tensor_name) {
    if (!live(port, K_PORT, "ov_port_get_any_name") || !tensor_name) {
        return INVALID_C_PARAM;
    }
    *tensor_name = new_string(port->port.name);
    return OK;
}

API ov_status_e ov_port_get_element_type(const ov_output_const_port_t *port, ov_element_type_e *tensor_type) {
    if (!live(port, K_PORT, "ov_port_get_element_type") || !tensor_type) {
        return INVALID_C_PARAM;
    }
    *tensor_type = port->port.type;
    return OK;
}

API ov_status_e ov_port_get_partial_shape(const ov_output_const_port_t *port, ov_partial_shape_t *partial_shape) {
    if (!live(port, K_PORT, "ov_port_get_partial_shape") || !partial_shape) {
        return INVALID_C_PARAM;
    }
    int rank = port->port.rank;
    partial_shape->rank = (ov_rank_t) {rank, rank};
    partial_shape->dims = malloc(sizeof(ov_dimension_t) * (rank ? rank : 1));
    memcpy(partial_shape->dims, port->port.dims, sizeof(ov_dimension_t) * rank);
    count_allocation(+1); /* the dims array, which the caller must free with ov_partial_shape_free */
    return OK;
}

API void ov_partial_shape_free(ov_partial_shape_t *partial_shape) {
    if (partial_shape && partial_shape->dims) {
        free(partial_shape->dims);
        partial_shape->dims = NULL;
        count_allocation(-1);
    }
}

API ov_status_e ov_model_reshape(const ov_model_t *model, const char **tensor_names, const ov_partial_shape_t *partial_shapes,
                                 size_t size) {
    if (!live(model, K_MODEL, "ov_model_reshape") || !tensor_names || !partial_shapes) {
        return INVALID_C_PARAM;
    }
    signature next = model->sig;
    for (size_t i = 0; i < size; i++) {
        int at = tensor_names[i] ? find_port(next.in, next.n_in, tensor_names[i]) : -1;
        if (at < 0) {
            return fail(GENERAL_ERROR, "ov_model_reshape: the model has no input named %s", tensor_names[i] ? tensor_names[i] : "NULL");
        }
        port_desc *p = &next.in[at];
        const ov_partial_shape_t *s = &partial_shapes[i];
        if (s->rank.min != p->rank || s->rank.max != p->rank || !s->dims) {
            return fail(GENERAL_ERROR, "ov_model_reshape: %s has rank %d, the new shape has rank %ld", p->name, p->rank,
                        (long) s->rank.max);
        }
        for (int d = 0; d < p->rank; d++) {
            ov_dimension_t want = s->dims[d], have = p->dims[d];
            if (have.max >= 0 && (want.max < 0 || want.min != have.min || want.max != have.max)) {
                return fail(GENERAL_ERROR, "ov_model_reshape: dimension %d of %s is static (%ld) and cannot become [%ld,%ld]", d,
                            p->name, (long) have.max, (long) want.min, (long) want.max);
            }
            p->dims[d] = want;
        }
    }
    ov_status_e status = derive_signature(&next);
    if (status == OK) {
        ((ov_model_t *) model)->sig = next;
    }
    return status;
}
