/* The checks of a migration verb: each {id, side, ok, detail}; eligible
 * when all hold. */
#ifndef CSDPDK_MIGRATION_CHECKS_H
#define CSDPDK_MIGRATION_CHECKS_H

#include <jansson.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "helper/domain.h"
#include "helper/macros.h"
#include "helper/sysfs.h"

struct mig_checks {
    json_t *list;  /* array of check objects */
    bool eligible; /* no check failed so far */
};

void mig_checks_init(struct mig_checks *c);

/* Adds a check; 'detail' is taken. */
void mig_check(struct mig_checks *c, const char *id, const char *side, bool ok, char *detail);

/* The page size a VM gets when it names none, as libvirt chooses it: that
 * of the hugetlbfs mount of the kernel's default size, else of the first
 * mount; with no mount, the default size; with neither known, 2 MiB if
 * the host has such pages, else its smallest reserved size, else 2 MiB. */
uint64_t mig_default_page_kib(const struct host_memory *m);

/* Do the free hugepages of 'page_kib' (0: mig_default_page_kib()) on 'm'
 * (NULL: sysfs could not be read) cover 'memory_kib', on all nodes
 * together, and the memory that 'bindings' bind to host nodes on those
 * nodes (mig_hugepages_bound())? '*detail' says what was counted. */
bool mig_hugepages_cover(const struct host_memory *m, uint64_t page_kib, uint64_t memory_kib,
                         const struct domain_binding *bindings, size_t n_bindings, char **detail);

/* Does the memory that 'b' ('n' of them: a domain's <numatune>; a binding
 * of 0 KiB is all of 'memory_kib') binds to host nodes fit in the free
 * pages of 'page' KiB of 'm''s pools on those nodes? Every union of the
 * sets of nodes bound to must hold the memory bound within it (each set
 * alone past 12 distinct sets). '*detail' says what was counted (NULL when
 * nothing is bound); when the answer is no, it names the smallest union
 * that lacks pages, alone. */
bool mig_hugepages_bound(const struct host_memory *m, uint64_t page, uint64_t memory_kib,
                         const struct domain_binding *b, size_t n, char **detail);

/* For a person: "eligible: yes" or "eligible: NO", then one aligned line
 * per check of 'result' (ok or FAIL, side, id, detail). */
void mig_checks_text(FILE *out, const json_t *result);

#endif
