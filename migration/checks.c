#include "migration/checks.h"

#include "helper/mem.h"
#include "helper/numa.h"

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

/* Is every node of 'a' in 'b'? */
static bool nodes_within(const struct cpuset *a, const struct cpuset *b)
{
    for (int n = cpuset_next(a, 0); n >= 0; n = cpuset_next(a, (unsigned) n + 1)) {
        if (!cpuset_has(b, (unsigned) n)) {
            return false;
        }
    }
    return true;
}

/* Distinct sets of nodes bound to, up to this many, have every union of
 * them checked (2^N - 1 unions); past it each set alone. */
#define BOUND_SETS_MAX 12

/* The pages of 'page' KiB free on the nodes of 'nodes'. */
static uint64_t free_on(const struct host_memory *m, uint64_t page, const struct cpuset *nodes)
{
    uint64_t free_pages = 0;
    for (size_t k = 0; m && k < m->n_pools; k++) {
        if (m->pools[k].size_kib == page && m->pools[k].node >= 0 &&
            cpuset_has(nodes, (unsigned) m->pools[k].node)) {
            free_pages += m->pools[k].free;
        }
    }
    return free_pages;
}

/* Does the memory of the bindings ('sets', 'pages': 'n' of them) whose
 * nodes are all in 'u' fit in the free pages of 'u'? Short: '*detail'
 * becomes that shortage alone. Enough: with 'say', one more line of what
 * was counted. */
static bool union_holds(const struct host_memory *m, uint64_t page, const struct cpuset *sets,
                        const uint64_t *pages, size_t n, const struct cpuset *u, bool say, char **detail)
{
    uint64_t needed = 0;
    for (size_t i = 0; i < n; i++) {
        needed += cpuset_count(&sets[i]) && nodes_within(&sets[i], u) ? pages[i] : 0;
    }
    uint64_t free_pages = free_on(m, page, u);
    _cleanup_free_ char *nodes = cpuset_text(u);
    const char *s = strpbrk(nodes, ",-") ? "s" : "";
    char *text = NULL;
    if (free_pages < needed) {
        text = mem_asprintf("the memory <numatune> binds to node%s %s needs %llu pages of %llu KiB there, %llu free",
                            s, nodes, (unsigned long long) needed, (unsigned long long) page,
                            (unsigned long long) free_pages);
    } else if (say) {
        text = mem_asprintf("%s%sthe memory <numatune> binds to node%s %s needs %llu of them there, %llu free",
                            *detail ? *detail : "", *detail ? "; " : "", s, nodes,
                            (unsigned long long) needed, (unsigned long long) free_pages);
    }
    if (text) {
        free(*detail);
        *detail = text;
    }
    return free_pages >= needed;
}

bool mig_hugepages_bound(const struct host_memory *m, uint64_t page, uint64_t memory_kib,
                         const struct domain_binding *b, size_t n, char **detail)
{
    *detail = NULL;
    _cleanup_free_ struct cpuset *sets = mem_new0(struct cpuset, n + 1);
    _cleanup_free_ uint64_t *pages = mem_new0(uint64_t, n + 1);
    _cleanup_free_ size_t *distinct = mem_new0(size_t, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t kib = b[i].kib ? b[i].kib : memory_kib;
        pages[i] = (kib + page - 1) / page;
        if (!cpuset_parse_list(b[i].nodeset, &sets[i]) || !pages[i]) {
            cpuset_clear(&sets[i]); /* libvirt checked it; a size not known counts nothing */
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++) {
            seen = nodes_within(&sets[distinct[j]], &sets[i]) && nodes_within(&sets[i], &sets[distinct[j]]);
        }
        if (!seen && cpuset_count(&sets[i])) {
            distinct[k++] = i;
        }
    }
    /* Every union of the sets bound to (Hall's condition): the memory bound
     * within it must fit in its nodes' free pages, so that cells bound to
     * overlapping sets are not each counted on the same pages. Unions by
     * size, so that the smallest one short of pages is named; past
     * BOUND_SETS_MAX sets, each alone. */
    bool ok = true;
    bool unions = k <= BOUND_SETS_MAX;
    uint64_t masks = unions ? UINT64_C(1) << k : 1; /* 1: none */
    for (size_t size = 1; size <= (unions ? k : 1) && ok; size++) {
        for (uint64_t mask = 1; mask < masks && ok; mask++) {
            if ((size_t) __builtin_popcountll(mask) != size) {
                continue;
            }
            struct cpuset u = {0};
            for (size_t j = 0; j < k; j++) {
                if (mask & (UINT64_C(1) << j)) {
                    cpuset_union(&u, &sets[distinct[j]]);
                }
            }
            ok = union_holds(m, page, sets, pages, n, &u, size == 1, detail);
            cpuset_clear(&u);
        }
        for (size_t j = 0; j < k && ok && !unions; j++) {
            ok = union_holds(m, page, sets, pages, n, &sets[distinct[j]], true, detail);
        }
    }
    for (size_t i = 0; i < n; i++) {
        cpuset_clear(&sets[i]);
    }
    return ok;
}

bool mig_hugepages_cover(const struct host_memory *m, uint64_t page_kib, uint64_t memory_kib,
                         const struct domain_binding *bindings, size_t n_bindings, char **detail)
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
    /* Reserved by a mapping (a running VM's memory not touched yet): free
     * as sysfs counts it, no other mapping's. Host-wide only: the nodes'
     * counts, and the check of what <numatune> binds, cannot take it off. */
    uint64_t resv = host_memory_resv(m, page);
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
    uint64_t usable = free_pages > resv ? free_pages - resv : 0;
    _cleanup_free_ char *reserved = resv ? mem_asprintf(", %llu of them reserved by a mapping (%llu usable)",
                                                        (unsigned long long) resv, (unsigned long long) usable)
                                         : mem_strdup("");
    _cleanup_free_ char *bound = NULL;
    bool ok = usable >= needed && mig_hugepages_bound(m, page, memory_kib, bindings, n_bindings, &bound);
    *detail = mem_asprintf("the VM needs %llu pages of %llu KiB for %llu KiB; %llu free (%s)%s%s%s",
                           (unsigned long long) needed, (unsigned long long) page,
                           (unsigned long long) memory_kib, (unsigned long long) free_pages,
                           *nodes ? nodes : "no pool of that size", reserved, bound ? "; " : "",
                           bound ? bound : "");
    return ok;
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
