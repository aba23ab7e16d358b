/* The merge of a VM's details and interfaces into the agent's domain XML
 * (what render and plug do with domain_xml): the input is the domain. */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>

#include "helper/domxml.h"
#include "helper/error.h"
#include "offerings/details.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dpdk_details *details;
    if (!details) {
        static const struct detail offering[] = {
            {DETAIL_NUMA, "<cpu><numa><cell id='0' cpus='0-1' memory='1048576' unit='KiB' "
                          "memAccess='shared'/></numa></cpu>", 0},
            {DETAIL_HUGEPAGES, "<memoryBacking><hugepages/></memoryBacking>", 0},
            {DETAIL_MODE, "client", 0},
            {DETAIL_INTERFACE_PREFIX "mtu", "<mtu size='9000'/>", 0},
        };
        struct detail d[4];
        for (size_t i = 0; i < 4; i++) {
            d[i] = offering[i];
            d[i].size = strlen(d[i].value);
        }
        struct details_request request = {.offering = d, .n_offering = 4};
        struct err *e = details_decode(&request, "", &details);
        if (e) {
            abort(); /* the fixed details are valid */
        }
    }
    struct domxml_vm vm = {.details = details, .reconnect = 1, .details_field = "details"};
    struct domxml_nic nics[] = {
        {.mac = "02:00:00:00:00:01", .port = "csdpdk-1", .socket = "/run/ovs/csdpdk-1", .queues = 1,
         .field = "nics[0]"},
        {.mac = "52:54:00:12:34:56", .port = "csdpdk-2", .socket = "/run/ovs/csdpdk-2", .queues = 2,
         .field = "nics[1]"},
    };
    char *out = NULL, **warnings = NULL;
    size_t n_warnings = 0;
    struct err *e = domxml_merge(&vm, nics, 2, (const char *) data, size, &out, &warnings, &n_warnings);
    err_free(e);
    free(out);
    domxml_strings_free(warnings, n_warnings);
    return 0;
}
