/* The double's own structures: what a handle is, what a model knows about its ports. */
#pragma once
#include "ov_double.h"

#define MAGIC 0x0DB1E0A7u
#define MAX_PORTS 320
#define MAX_RANK 8

enum { K_CORE = 1, K_MODEL, K_COMPILED, K_REQUEST, K_TENSOR, K_PORT };

struct object {
    uint32_t magic;
    int kind;
    int released;
};

typedef struct {
    char name[128];
    ov_element_type_e type;
    int rank;
    ov_dimension_t dims[MAX_RANK];
} port_desc;

/* Ports, and the model geometry read from them (the toy model needs it). */
typedef struct {
    int n_in, n_out;
    port_desc in[MAX_PORTS], out[MAX_PORTS];
    int layers, kv_heads, head_dim, vocab;
} signature;

struct ov_core { struct object head; };
struct ov_model { struct object head; signature sig; char path[1024]; };
struct ov_compiled_model {
    struct object head;
    signature sig;
    char device[32];
    int loaded_from_cache;
};

typedef struct {
    ov_element_type_e type;
    int rank;
    int64_t dims[MAX_RANK];
    void *data;
} tensor_desc;

struct ov_tensor { struct object head; tensor_desc t; };
struct ov_output_const_port { struct object head; port_desc port; };
struct ov_infer_request {
    struct object head;
    ov_compiled_model_t *compiled;
    int bound_in[MAX_PORTS], bound_out[MAX_PORTS];
    tensor_desc in[MAX_PORTS], out[MAX_PORTS];
};

ov_status_e fail(ov_status_e status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *new_object(size_t size, int kind);
bool live(const void *p, int kind, const char *fn);
void release(void *p, int kind, const char *fn);
char *new_string(const char *s);
void count_allocation(long delta);
bool device_available(const char *name);

ov_status_e parse_ir(const char *path, ov_model_t *model);
ov_status_e derive_signature(signature *sig);
int find_port(const port_desc *ports, int n, const char *name);
void shape_string(const port_desc *p, char *out, size_t size);
ov_status_e run_toy_model(const signature *sig, const tensor_desc *in, const tensor_desc *out);
