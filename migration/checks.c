#include "migration/checks.h"

#include <stdlib.h>

void mig_checks_init(struct mig_checks *c)
{
    c->list = json_array();
    c->eligible = true;
}

void mig_check(struct mig_checks *c, const char *id, const char *side, bool ok, char *detail)
{
    json_array_append_new(c->list, json_pack("{s:s, s:s, s:b, s:s}", "id", id, "side", side, "ok",
                                             ok, "detail", detail ? detail : ""));
    c->eligible &= ok;
    free(detail);
}

uint64_t mig_default_page_kib(const struct host_memory *m)
{
    uint64_t smallest = 0;
    for (size_t i = 0; m && i < m->n_pools; i++) {
        if (m->pools[i].total && m->pools[i].size_kib == 2048) {
            return 2048;
        }
        if (m->pools[i].total && (!smallest || m->pools[i].size_kib < smallest)) {
            smallest = m->pools[i].size_kib;
        }
    }
    return smallest ? smallest : 2048;
}
