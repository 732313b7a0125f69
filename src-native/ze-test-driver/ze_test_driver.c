/*
 * A Level Zero driver for tests: the real loader (libze_loader.so.1) picks it up through
 * ZE_ENABLE_ALT_DRIVERS, and it reports one NPU and one GPU, so that device discovery's
 * found-a-device path runs against the real loader on machines without Intel hardware.
 * It implements only what discovery calls; every other entry point of the DDI tables is null.
 */
#include <string.h>
#include <ze_api.h>
#include <ze_ddi.h>
#include <zet_ddi.h>
#include <zes_ddi.h>

typedef struct {
    ze_device_type_t type;
    uint32_t device_id;
    const char *name;
    uint64_t memory;
} test_device;

static int driver_token;
static const test_device devices[] = {
    {ZE_DEVICE_TYPE_VPU, 0x7d1d, "Tandem Test NPU", 1ull << 30},
    {ZE_DEVICE_TYPE_GPU, 0x7d55, "Tandem Test GPU", 8ull << 30},
};
#define NUM_DEVICES (sizeof devices / sizeof devices[0])

static ze_result_t ZE_APICALL test_init(ze_init_flags_t flags) {
    (void)flags;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_driver_get(uint32_t *count, ze_driver_handle_t *drivers) {
    if (drivers != NULL && *count > 0) {
        drivers[0] = (ze_driver_handle_t)&driver_token;
    }
    *count = 1;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_driver_api_version(ze_driver_handle_t driver, ze_api_version_t *version) {
    (void)driver;
    *version = ZE_API_VERSION_CURRENT;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_driver_properties(ze_driver_handle_t driver, ze_driver_properties_t *p) {
    (void)driver;
    memset(p->uuid.id, 7, sizeof p->uuid.id);
    p->driverVersion = 1;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_extension_properties(ze_driver_handle_t driver, uint32_t *count, ze_driver_extension_properties_t *p) {
    (void)driver;
    (void)p;
    *count = 0;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_device_get(ze_driver_handle_t driver, uint32_t *count, ze_device_handle_t *out) {
    (void)driver;
    if (out != NULL) {
        for (uint32_t i = 0; i < *count && i < NUM_DEVICES; i++) {
            out[i] = (ze_device_handle_t)&devices[i];
        }
    }
    *count = NUM_DEVICES;
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_device_properties(ze_device_handle_t device, ze_device_properties_t *p) {
    const test_device *d = (const test_device *)device;
    p->type = d->type;
    p->vendorId = 0x8086;
    p->deviceId = d->device_id;
    p->flags = ZE_DEVICE_PROPERTY_FLAG_INTEGRATED;
    p->maxMemAllocSize = d->memory;
    strncpy(p->name, d->name, ZE_MAX_DEVICE_NAME - 1);
    p->name[ZE_MAX_DEVICE_NAME - 1] = '\0';
    return ZE_RESULT_SUCCESS;
}

static ze_result_t ZE_APICALL test_memory_properties(ze_device_handle_t device, uint32_t *count, ze_device_memory_properties_t *p) {
    const test_device *d = (const test_device *)device;
    if (p != NULL && *count > 0) {
        p[0].totalSize = d->memory;
        strncpy(p[0].name, "shared", ZE_MAX_DEVICE_NAME - 1);
    }
    *count = 1;
    return ZE_RESULT_SUCCESS;
}

/* Every table the loader may ask for starts empty; the three below are then filled in. */
#define TABLE(getter, type)                                                              \
    ZE_DLLEXPORT ze_result_t ZE_APICALL getter(ze_api_version_t version, type *table) { \
        (void)version;                                                                   \
        if (table == NULL) {                                                             \
            return ZE_RESULT_ERROR_INVALID_NULL_POINTER;                                 \
        }                                                                                \
        memset(table, 0, sizeof *table);                                                 \
        fill_##type(table);                                                              \
        return ZE_RESULT_SUCCESS;                                                        \
    }

#define NOTHING_TO_FILL(type) static inline void fill_##type(type *t) { (void)t; }

static inline void fill_ze_global_dditable_t(ze_global_dditable_t *t) {
    t->pfnInit = test_init;
}

static inline void fill_ze_driver_dditable_t(ze_driver_dditable_t *t) {
    t->pfnGet = test_driver_get;
    t->pfnGetApiVersion = test_driver_api_version;
    t->pfnGetProperties = test_driver_properties;
    t->pfnGetExtensionProperties = test_extension_properties;
}

static inline void fill_ze_device_dditable_t(ze_device_dditable_t *t) {
    t->pfnGet = test_device_get;
    t->pfnGetProperties = test_device_properties;
    t->pfnGetMemoryProperties = test_memory_properties;
}

#include "ze_fill_stubs.inc"
#include "ze_tables.inc"
