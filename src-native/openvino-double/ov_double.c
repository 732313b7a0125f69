/*
 * A contract double of the OpenVINO C API subset that Tandem binds (see ov_double.h). It is not
 * OpenVINO: it proves Tandem's plumbing. Every call checks its arguments the way the real C API
 * does (null pointers, shapes, element types) and more strictly (handles used after release,
 * released twice, tensors that do not fit the compiled shapes, NPU compiles with dynamic shapes).
 * A contract broken inside a void function is recorded as a violation that tests read back
 * through ovdouble_violations(). Inference runs a toy language model (see toy_model.c) whose
 * output depends on every past KV entry, so a wrong gather or scatter changes the answer.
 */
#define _GNU_SOURCE
#include "ov_double_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static __thread char last_error[1024];
static int violations;
static char last_violation[1024];
static long live_objects, live_allocations;

ov_status_e fail(ov_status_e status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

void violation(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_violation, sizeof last_violation, fmt, ap);
    va_end(ap);
    violations++;
    fprintf(stderr, "openvino contract double: violation: %s\n", last_violation);
}

void *new_object(size_t size, int kind) {
    struct object *o = calloc(1, size);
    o->magic = MAGIC;
    o->kind = kind;
    live_objects++;
    return o;
}

static const char *kind_name(int kind) {
    static const char *names[] = {"", "ov_core_t", "ov_model_t", "ov_compiled_model_t", "ov_infer_request_t", "ov_tensor_t",
                                  "ov_output_const_port_t"};
    return kind > 0 && kind <= K_PORT ? names[kind] : "?";
}

/* Whether p is a live handle of that kind; sets the error message otherwise. Handles are never
 * given back to malloc, so a released one can be recognised when it is used again. */
bool live(const void *p, int kind, const char *fn) {
    const struct object *o = p;
    if (!o) {
        fail(INVALID_C_PARAM, "%s: %s is NULL", fn, kind_name(kind));
        return false;
    }
    if (o->magic != MAGIC || o->kind != kind) {
        fail(INVALID_C_PARAM, "%s: argument is not a %s", fn, kind_name(kind));
        violation("%s: argument is not a %s", fn, kind_name(kind));
        return false;
    }
    if (o->released) {
        fail(INVALID_C_PARAM, "%s: %s used after it was released", fn, kind_name(kind));
        violation("%s: %s used after it was released", fn, kind_name(kind));
        return false;
    }
    return true;
}

void release(void *p, int kind, const char *fn) {
    struct object *o = p;
    if (!o) {
        return; /* OpenVINO's free functions accept NULL */
    }
    if (o->magic != MAGIC || o->kind != kind) {
        violation("%s: argument is not a %s", fn, kind_name(kind));
        return;
    }
    if (o->released) {
        violation("%s: %s released twice", fn, kind_name(kind));
        return;
    }
    o->released = 1;
    live_objects--;
}

void count_allocation(long delta) { live_allocations += delta; }

char *new_string(const char *s) {
    live_allocations++;
    return strdup(s);
}

/* ---- what tests read back (not part of OpenVINO) ---- */
API int ovdouble_violations(void) { return violations; }
API const char *ovdouble_last_violation(void) { return last_violation; }
API long ovdouble_live_objects(void) { return live_objects; }
API long ovdouble_live_allocations(void) { return live_allocations; }

/* ---- common ---- */
API const char *ov_get_error_info(ov_status_e status) {
    switch (status) {
        case OK: return "success";
        case GENERAL_ERROR: return "general error";
        case NOT_FOUND: return "not found";
        case INVALID_C_PARAM: return "invalid c input parameters";
        case PARAMETER_MISMATCH: return "parameter mismatch";
        default: return "unknown error";
    }
}

API const char *ov_get_last_err_msg(void) { return last_error; }

API void ov_free(const char *content) {
    if (content) {
        live_allocations--;
        free((void *) content);
    }
}

API ov_status_e ov_get_openvino_version(ov_version_t *version) {
    if (!version) {
        return fail(INVALID_C_PARAM, "ov_get_openvino_version: version is NULL");
    }
    version->buildNumber = new_string("2025.4.0-tandem-contract-double");
    version->description = new_string("Tandem's OpenVINO C API contract double");
    return OK;
}

API void ov_version_free(ov_version_t *version) {
    if (version) {
        ov_free(version->buildNumber);
        ov_free(version->description);
        version->buildNumber = version->description = NULL;
    }
}

/* ---- core ---- */
static const char *devices_env(void) {
    const char *d = getenv("OV_DOUBLE_DEVICES");
    return d ? d : "CPU,GPU,NPU";
}

bool device_available(const char *name) {
    char list[256];
    snprintf(list, sizeof list, "%s", devices_env());
    for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, name) == 0) {
            return true;
        }
    }
    return false;
}

API ov_status_e ov_core_create(ov_core_t **core) {
    if (!core) {
        return fail(INVALID_C_PARAM, "ov_core_create: core is NULL");
    }
    *core = new_object(sizeof(struct ov_core), K_CORE);
    return OK;
}

API void ov_core_free(ov_core_t *core) { release(core, K_CORE, "ov_core_free"); }

API ov_status_e ov_core_get_available_devices(const ov_core_t *core, ov_available_devices_t *devices) {
    if (!live(core, K_CORE, "ov_core_get_available_devices")) {
        return INVALID_C_PARAM;
    }
    if (!devices) {
        return fail(INVALID_C_PARAM, "ov_core_get_available_devices: devices is NULL");
    }
    char list[256];
    snprintf(list, sizeof list, "%s", devices_env());
    devices->devices = calloc(8, sizeof(char *));
    devices->size = 0;
    for (char *save, *t = strtok_r(list, ",", &save); t && devices->size < 8; t = strtok_r(NULL, ",", &save)) {
        devices->devices[devices->size++] = new_string(t);
    }
    live_allocations++; /* the array itself */
    return OK;
}

API void ov_available_devices_free(ov_available_devices_t *devices) {
    if (!devices || !devices->devices) {
        return;
    }
    for (size_t i = 0; i < devices->size; i++) {
        ov_free(devices->devices[i]);
    }
    free(devices->devices);
    live_allocations--;
    devices->devices = NULL;
    devices->size = 0;
}

API ov_status_e ov_core_get_property(const ov_core_t *core, const char *device_name, const char *property_key,
                                     char **property_value) {
    if (!live(core, K_CORE, "ov_core_get_property")) {
        return INVALID_C_PARAM;
    }
    if (!device_name || !property_key || !property_value) {
        return fail(INVALID_C_PARAM, "ov_core_get_property: NULL argument");
    }
    if (!device_available(device_name)) {
        return fail(GENERAL_ERROR, "Device with \"%s\" name is not registered in the OpenVINO Runtime", device_name);
    }
    if (strcmp(property_key, "FULL_DEVICE_NAME") != 0) {
        return fail(NOT_FOUND, "Unsupported property %s by %s plugin", property_key, device_name);
    }
    char name[128];
    snprintf(name, sizeof name, "Contract double %s", device_name);
    *property_value = new_string(name);
    return OK;
}

API ov_status_e ov_core_read_model(const ov_core_t *core, const char *model_path, const char *bin_path, ov_model_t **model) {
    if (!live(core, K_CORE, "ov_core_read_model")) {
        return INVALID_C_PARAM;
    }
    if (!model_path || !model) {
        return fail(INVALID_C_PARAM, "ov_core_read_model: NULL argument");
    }
    struct stat st;
    if (bin_path && *bin_path && stat(bin_path, &st) != 0) {
        return fail(GENERAL_ERROR, "Weights file %s cannot be opened: %s", bin_path, strerror(errno));
    }
    ov_model_t *m = new_object(sizeof(struct ov_model), K_MODEL);
    ov_status_e status = parse_ir(model_path, m);
    if (status != OK) {
        release(m, K_MODEL, "ov_core_read_model");
        return status;
    }
    *model = m;
    return OK;
}
