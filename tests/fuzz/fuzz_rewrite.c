/* migrate-rewrite's core: a running domain's XML (the input) pointed at
 * the destination's ports, and the domain reading migrate-check does. */
#include "tests/fuzz/fuzz.h"

#include <jansson.h>
#include <stdlib.h>

#include "helper/error.h"
#include "helper/domain.h"
#include "migration/mapping.h"
#include "migration/rewrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *object;
    static struct mig_mapping map;
    if (!object) {
        object = json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}",
                           "02:00:00:00:00:01", "path", "/run/ovs", "port", "csdpdk-7", "mode", "server",
                           "52:54:00:12:34:56", "path", "/run/ovs", "port", "csdpdk-8", "mode", "client");
        struct err *e = mig_mapping_parse(object, "mapping", &map);
        if (e) {
            abort(); /* the fixed mapping is valid */
        }
    }
    char *out = NULL;
    size_t unused = 0;
    struct err *e = mig_rewrite((const char *) data, size, &map, (int) (size % 3), &out, &unused);
    err_free(e);
    free(out);

    struct domain domain = {0};
    e = domain_parse((const char *) data, size, "domain_xml", &domain);
    err_free(e);
    domain_clear(&domain);
    return 0;
}
