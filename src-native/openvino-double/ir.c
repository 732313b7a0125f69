/*
 * Reads the subset of OpenVINO IR (v11 XML) that the double needs: the Parameter and Result
 * layers, each with its tensor name (the port's names="..."), element type and shape. The
 * double reads a Result's name from its own port, where the real IR keeps it on the producing
 * layer's port: the test fixtures are written that way. Weights (.bin) are not read.
 */
#define _GNU_SOURCE
#include "ov_double_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ov_element_type_e parse_type(const char *s) {
    static const struct { const char *name; ov_element_type_e type; } types[] = {
        {"f32", F32}, {"FP32", F32}, {"f16", F16}, {"FP16", F16}, {"bf16", BF16}, {"BF16", BF16},
        {"i64", I64}, {"I64", I64}, {"i32", I32}, {"I32", I32}, {"u8", U8}, {"U8", U8}, {"boolean", BOOLEAN},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(s, types[i].name) == 0) {
            return types[i].type;
        }
    }
    return UNDEFINED;
}

/* The value of attribute name="..." inside [from, to), or false. */
static bool attribute(const char *from, const char *to, const char *name, char *out, size_t size) {
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *a = strstr(from, key);
    if (!a || a >= to) {
        return false;
    }
    a += strlen(key);
    const char *end = strchr(a, '"');
    if (!end || end >= to || (size_t) (end - a) >= size) {
        return false;
    }
    memcpy(out, a, end - a);
    out[end - a] = 0;
    return true;
}

/* "?,4,-1,32" or "1..8": dynamic dimensions are {0, -1}. */
static int parse_shape(const char *s, ov_dimension_t *dims) {
    int rank = 0;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", s);
    for (char *save, *t = strtok_r(copy, ",", &save); t && rank < MAX_RANK; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "?") == 0 || strcmp(t, "-1") == 0) {
            dims[rank++] = (ov_dimension_t) {0, -1};
        } else {
            long v = atol(t);
            dims[rank++] = (ov_dimension_t) {v, v};
        }
    }
    return rank;
}

/* The <dim> elements of a port in [from, to). */
static int parse_dims(const char *from, const char *to, ov_dimension_t *dims) {
    int rank = 0;
    for (const char *d = strstr(from, "<dim>"); d && d < to && rank < MAX_RANK; d = strstr(d + 5, "<dim>")) {
        long v = atol(d + 5);
        dims[rank++] = v < 0 ? (ov_dimension_t) {0, -1} : (ov_dimension_t) {v, v};
    }
    return rank;
}

ov_status_e parse_ir(const char *path, ov_model_t *model) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return fail(GENERAL_ERROR, "Model file %s cannot be opened!", path);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *xml = malloc(size + 1);
    size_t got = fread(xml, 1, size, f);
    fclose(f);
    xml[got] = 0;
    snprintf(model->path, sizeof model->path, "%s", path);
    signature *sig = &model->sig;
    if (!strstr(xml, "<net ")) {
        free(xml);
        return fail(GENERAL_ERROR, "%s: not an OpenVINO IR (no <net> element)", path);
    }
    for (const char *l = strstr(xml, "<layer "); l; l = strstr(l + 1, "<layer ")) {
        const char *end = strstr(l, "</layer>");
        if (!end) {
            break;
        }
        char type[32] = "", names[128] = "", text[256] = "";
        attribute(l, end, "type", type, sizeof type);
        bool input = strcmp(type, "Parameter") == 0;
        if (!input && strcmp(type, "Result") != 0) {
            continue;
        }
        if (!attribute(l, end, "names", names, sizeof names)) {
            free(xml);
            return fail(GENERAL_ERROR, "%s: a %s layer has no tensor names", path, type);
        }
        if ((input ? sig->n_in : sig->n_out) == MAX_PORTS) {
            free(xml);
            return fail(GENERAL_ERROR, "%s: more than %d inputs or outputs", path, MAX_PORTS);
        }
        port_desc *p = input ? &sig->in[sig->n_in++] : &sig->out[sig->n_out++];
        /* A port may carry several comma-separated names; the first is "any name". */
        char *comma = strchr(names, ',');
        if (comma) {
            *comma = 0;
        }
        snprintf(p->name, sizeof p->name, "%s", names);
        if (attribute(l, end, "element_type", text, sizeof text) || attribute(l, end, "precision", text, sizeof text)) {
            p->type = parse_type(text);
        }
        p->rank = attribute(l, end, "shape", text, sizeof text) ? parse_shape(text, p->dims) : parse_dims(l, end, p->dims);
    }
    free(xml);
    return derive_signature(sig);
}
