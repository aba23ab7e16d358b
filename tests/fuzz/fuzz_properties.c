/* agent.properties, read as Java's Properties.load reads it. */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>

#include "helper/agent.h"
#include "helper/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"openvswitch.dpdk.ovs.path", "a", ""};
    for (size_t i = 0; i < 3; i++) {
        char *value = NULL;
        size_t len = 0;
        struct err *e = agent_properties_get((const char *) data, size, keys[i], &value, &len);
        err_free(e);
        free(value);
    }
    return 0;
}
