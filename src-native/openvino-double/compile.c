/*
 * Compiling (device rules, properties, the CACHE_DIR model cache), tensors over host memory, and
 * infer requests: what is bound must fit the compiled shapes, everything must be bound to infer.
 */
#define _GNU_SOURCE
#include "ov_double_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* Real plugins refuse properties they do not know; so does the double, per device. */
static bool supported(const char *device, const char *key) {
    static const char *common[] = {"CACHE_DIR", "PERFORMANCE_HINT", "INFERENCE_PRECISION_HINT", "NUM_STREAMS", "KV_CACHE_PRECISION"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        if (strcmp(key, common[i]) == 0) {
            return true;
        }
    }
    if (strcmp(device, "NPU") == 0) {
        return starts(key, "NPU_") || starts(key, "NPUW_");
    }
    return strcmp(device, "GPU") == 0 && starts(key, "GPU_");
}

static bool power_of_two(long v) { return v > 0 && (v & (v - 1)) == 0; }

/* FNV-1a over what makes a compiled blob differ: the model file, its shapes, device, properties. */
static uint64_t fnv(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

static ov_status_e use_cache(const char *dir, uint64_t key, int *loaded) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return fail(GENERAL_ERROR, "CACHE_DIR %s cannot be created: %s", dir, strerror(errno));
    }
    char blob[1200];
    snprintf(blob, sizeof blob, "%s/%016llx.blob", dir, (unsigned long long) key);
    struct stat st;
    *loaded = stat(blob, &st) == 0;
    if (!*loaded) {
        FILE *f = fopen(blob, "w");
        if (!f) {
            return fail(GENERAL_ERROR, "CACHE_DIR %s is not writable: %s", dir, strerror(errno));
        }
        fputs("openvino contract double compiled model\n", f);
        fclose(f);
    }
    return OK;
}

API ov_status_e ov_core_compile_model(const ov_core_t *core, const ov_model_t *model, const char *device_name,
                                      const size_t property_args_size, ov_compiled_model_t **compiled_model, ...) {
    if (!live(core, K_CORE, "ov_core_compile_model") || !live(model, K_MODEL, "ov_core_compile_model")) {
        return INVALID_C_PARAM;
    }
    if (!device_name || !compiled_model || property_args_size % 2 != 0) {
        return fail(INVALID_C_PARAM, "ov_core_compile_model: NULL argument or odd property_args_size %zu", property_args_size);
    }
    if (!device_available(device_name)) {
        return fail(GENERAL_ERROR, "Device with \"%s\" name is not registered in the OpenVINO Runtime", device_name);
    }
    const signature *sig = &model->sig;
    uint64_t key = fnv(fnv(1469598103934665603ull, model->path, strlen(model->path)), sig, sizeof *sig);
    key = fnv(key, device_name, strlen(device_name));
    const char *cache_dir = NULL;
    va_list ap;
    va_start(ap, compiled_model);
    for (size_t i = 0; i < property_args_size / 2; i++) {
        const char *k = va_arg(ap, const char *), *v = va_arg(ap, const char *);
        if (!k || !v) {
            va_end(ap);
            return fail(INVALID_C_PARAM, "ov_core_compile_model: property %zu has a NULL key or value", i);
        }
        if (!supported(device_name, k)) {
            va_end(ap);
            return fail(NOT_FOUND, "Option '%s' is not supported for %s", k, device_name);
        }
        if (strcmp(k, "NPUW_LLM_PREFILL_CHUNK_SIZE") == 0 && !power_of_two(atol(v))) {
            va_end(ap);
            return fail(GENERAL_ERROR, "NPUW_LLM_PREFILL_CHUNK_SIZE must be a power of two, got %s", v);
        }
        if (strcmp(k, "CACHE_DIR") == 0) {
            cache_dir = v;
        } else {
            key = fnv(fnv(key, k, strlen(k)), v, strlen(v));
        }
    }
    va_end(ap);
    if (strcmp(device_name, "NPU") == 0) {
        /* The NPU compiler takes static shapes only. */
        for (int i = 0; i < sig->n_in; i++) {
            for (int d = 0; d < sig->in[i].rank; d++) {
                if (sig->in[i].dims[d].max < 0 || sig->in[i].dims[d].min != sig->in[i].dims[d].max) {
                    char shape[128];
                    shape_string(&sig->in[i], shape, sizeof shape);
                    return fail(GENERAL_ERROR, "NPU plugin: dynamic shapes are not supported; input %s is %s", sig->in[i].name, shape);
                }
            }
        }
    }
    int loaded = 0;
    if (cache_dir && *cache_dir) {
        ov_status_e status = use_cache(cache_dir, key, &loaded);
        if (status != OK) {
            return status;
        }
    }
    ov_compiled_model_t *c = new_object(sizeof(struct ov_compiled_model), K_COMPILED);
    c->sig = *sig;
    c->loaded_from_cache = loaded;
    snprintf(c->device, sizeof c->device, "%s", device_name);
    *compiled_model = c;
    return OK;
}

API void ov_compiled_model_free(ov_compiled_model_t *compiled_model) {
    release(compiled_model, K_COMPILED, "ov_compiled_model_free");
}

API ov_status_e ov_compiled_model_get_property(const ov_compiled_model_t *compiled_model, const char *key, char **property_value) {
    if (!live(compiled_model, K_COMPILED, "ov_compiled_model_get_property") || !key || !property_value) {
        return INVALID_C_PARAM;
    }
    if (strcmp(key, "LOADED_FROM_CACHE") == 0) {
        *property_value = new_string(compiled_model->loaded_from_cache ? "YES" : "NO");
        return OK;
    }
    if (strcmp(key, "EXECUTION_DEVICES") == 0) {
        *property_value = new_string(compiled_model->device);
        return OK;
    }
    return fail(NOT_FOUND, "Unsupported property %s by the compiled model", key);
}

API ov_status_e ov_compiled_model_create_infer_request(const ov_compiled_model_t *compiled_model, ov_infer_request_t **infer_request) {
    if (!live(compiled_model, K_COMPILED, "ov_compiled_model_create_infer_request") || !infer_request) {
        return INVALID_C_PARAM;
    }
    ov_infer_request_t *r = new_object(sizeof(struct ov_infer_request), K_REQUEST);
    r->compiled = (ov_compiled_model_t *) compiled_model;
    *infer_request = r;
    return OK;
}

API void ov_infer_request_free(ov_infer_request_t *infer_request) { release(infer_request, K_REQUEST, "ov_infer_request_free"); }

API ov_status_e ov_tensor_create_from_host_ptr(const ov_element_type_e type, const ov_shape_t shape, void *host_ptr,
                                               ov_tensor_t **tensor) {
    if (!tensor || !host_ptr || shape.rank <= 0 || shape.rank > MAX_RANK || !shape.dims) {
        return fail(INVALID_C_PARAM, "ov_tensor_create_from_host_ptr: NULL pointer or rank %ld", (long) shape.rank);
    }
    if (type != F32 && type != I64 && type != I32 && type != F16 && type != BF16) {
        return fail(INVALID_C_PARAM, "ov_tensor_create_from_host_ptr: element type %d is not supported here", type);
    }
    ov_tensor_t *t = new_object(sizeof(struct ov_tensor), K_TENSOR);
    t->t.type = type;
    t->t.rank = (int) shape.rank;
    t->t.data = host_ptr;
    for (int d = 0; d < shape.rank; d++) {
        if (shape.dims[d] < 0) {
            release(t, K_TENSOR, "ov_tensor_create_from_host_ptr");
            return fail(INVALID_C_PARAM, "ov_tensor_create_from_host_ptr: dimension %d is negative", d);
        }
        t->t.dims[d] = shape.dims[d];
    }
    *tensor = t;
    return OK;
}

API void ov_tensor_free(ov_tensor_t *tensor) { release(tensor, K_TENSOR, "ov_tensor_free"); }

API ov_status_e ov_infer_request_set_tensor(ov_infer_request_t *infer_request, const char *tensor_name, const ov_tensor_t *tensor) {
    if (!live(infer_request, K_REQUEST, "ov_infer_request_set_tensor") || !live(tensor, K_TENSOR, "ov_infer_request_set_tensor")) {
        return INVALID_C_PARAM;
    }
    if (!tensor_name) {
        return fail(INVALID_C_PARAM, "ov_infer_request_set_tensor: tensor_name is NULL");
    }
    const signature *sig = &infer_request->compiled->sig;
    int input = 1, at = find_port(sig->in, sig->n_in, tensor_name);
    if (at < 0) {
        input = 0;
        at = find_port(sig->out, sig->n_out, tensor_name);
    }
    if (at < 0) {
        return fail(NOT_FOUND, "Port for tensor name %s was not found.", tensor_name);
    }
    const port_desc *p = input ? &sig->in[at] : &sig->out[at];
    const tensor_desc *t = &tensor->t;
    char shape[128];
    shape_string(p, shape, sizeof shape);
    if (t->type != p->type) {
        return fail(PARAMETER_MISMATCH, "The tensor element type (%d) does not match the model's %s element type (%d)", t->type, tensor_name,
                    p->type);
    }
    bool fits = t->rank == p->rank;
    for (int d = 0; fits && d < p->rank; d++) {
        fits = t->dims[d] >= p->dims[d].min && (p->dims[d].max < 0 || t->dims[d] <= p->dims[d].max);
    }
    if (!fits) {
        return fail(PARAMETER_MISMATCH, "The tensor shape does not fit %s %s (compiled for %s)", tensor_name, shape, infer_request->compiled->device);
    }
    /* The request keeps the tensor (OpenVINO holds a reference): the handle may be freed now, its host memory may not. */
    if (input) {
        infer_request->in[at] = *t;
        infer_request->bound_in[at] = 1;
    } else {
        infer_request->out[at] = *t;
        infer_request->bound_out[at] = 1;
    }
    return OK;
}

API ov_status_e ov_infer_request_infer(ov_infer_request_t *infer_request) {
    if (!live(infer_request, K_REQUEST, "ov_infer_request_infer")) {
        return INVALID_C_PARAM;
    }
    const signature *sig = &infer_request->compiled->sig;
    for (int i = 0; i < sig->n_in; i++) {
        if (!infer_request->bound_in[i]) {
            return fail(GENERAL_ERROR, "Input %s has no tensor: set every input before infer", sig->in[i].name);
        }
    }
    for (int i = 0; i < sig->n_out; i++) {
        if (!infer_request->bound_out[i]) {
            return fail(GENERAL_ERROR, "Output %s has no tensor: the double requires outputs in caller memory", sig->out[i].name);
        }
    }
    return run_toy_model(sig, infer_request->in, infer_request->out);
}
