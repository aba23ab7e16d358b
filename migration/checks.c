#include "migration/checks.h"

#include "helper/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    /* libvirt's: the hugetlbfs mount of the kernel's default size, else
     * the first one (qemuGetDomainDefaultHugepath). */
    uint64_t first = 0;
    for (size_t i = 0; m && i < m->n_mounts; i++) {
        uint64_t size = m->mounts[i].page_kib ? m->mounts[i].page_kib : m->default_page_kib;
        if (size && size == m->default_page_kib) {
            return size;
        }
        first = first ? first : size;
    }
    if (first || (m && m->default_page_kib)) {
        return first ? first : m->default_page_kib;
    }
    /* Neither known: 2 MiB if this host has such pages, else its smallest. */
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

bool mig_hugepages_cover(const struct host_memory *m, uint64_t page_kib, uint64_t memory_kib,
                         char **detail)
{
    if (!m) {
        *detail = mem_strdup("sysfs could not be read");
        return false;
    }
    uint64_t page = page_kib ? page_kib : mig_default_page_kib(m);
    if (!memory_kib) {
        *detail = mem_asprintf("the VM's memory is not known (no vm.memory_kib, domain_xml or NUMA cells): %llu KiB pages not counted",
                               (unsigned long long) page);
        return true;
    }
    uint64_t needed = (memory_kib + page - 1) / page;
    uint64_t free_pages = 0;
    _cleanup_free_ char *nodes = mem_strdup("");
    for (size_t i = 0; i < m->n_pools; i++) {
        if (m->pools[i].size_kib == page) {
            free_pages += m->pools[i].free;
            char *more = mem_asprintf("%s%snode %d: %llu", nodes, *nodes ? ", " : "", m->pools[i].node,
                                      (unsigned long long) m->pools[i].free);
            free(nodes);
            nodes = more;
        }
    }
    *detail = mem_asprintf("the VM needs %llu pages of %llu KiB for %llu KiB; %llu free (%s)",
                           (unsigned long long) needed, (unsigned long long) page,
                           (unsigned long long) memory_kib, (unsigned long long) free_pages,
                           *nodes ? nodes : "no pool of that size");
    return free_pages >= needed;
}

void mig_checks_text(FILE *out, const json_t *result)
{
    const json_t *checks = json_object_get(result, "checks");
    int side_width = 0, id_width = 0;
    size_t i;
    json_t *c;
    fprintf(out, "eligible: %s\n", json_is_true(json_object_get(result, "eligible")) ? "yes" : "NO");
    json_array_foreach(checks, i, c) {
        int side = (int) strlen(json_string_value(json_object_get(c, "side")));
        int id = (int) strlen(json_string_value(json_object_get(c, "id")));
        side_width = side > side_width ? side : side_width;
        id_width = id > id_width ? id : id_width;
    }
    json_array_foreach(checks, i, c) {
        fprintf(out, "  %-4s  %-*s  %-*s  %s\n", json_is_true(json_object_get(c, "ok")) ? "ok" : "FAIL",
                side_width, json_string_value(json_object_get(c, "side")), id_width,
                json_string_value(json_object_get(c, "id")),
                json_string_value(json_object_get(c, "detail")));
    }
}
