#include "helper/sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/mem.h"

void host_memory_clear(struct host_memory *m)
{
    for (size_t i = 0; i < m->n_mounts; i++) {
        free(m->mounts[i].path);
    }
    free(m->mounts);
    free(m->mounts_error);
    free(m->pools);
    free(m->resv);
    for (size_t i = 0; i < m->n_cpus; i++) {
        free(m->cpus[i].cpulist);
        free(m->cpus[i].ovs_cpulist);
    }
    free(m->cpus);
    *m = (struct host_memory){0};
}

static bool read_number(const char *path, uint64_t *v)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return false;
    }
    unsigned long long n;
    bool ok = fscanf(f, "%llu", &n) == 1;
    fclose(f);
    *v = n;
    return ok;
}

/* The first line of 'path', without its newline; NULL if unreadable. */
static char *read_line(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return NULL;
    }
    char line[4096];
    char *s = fgets(line, sizeof line, f) ? mem_strndup(line, strcspn(line, "\n")) : NULL;
    fclose(f);
    return s;
}

static int int_compare(const void *a_, const void *b_)
{
    int a = *(const int *) a_, b = *(const int *) b_;
    return a < b ? -1 : a > b;
}

/* The cpuN entries of the node directory 'dir' whose CPU has a topology
 * (<sysfs>/devices/system/cpu/cpuN/topology/core_id; an offline CPU has
 * none): the CPUs OVS counts on the node (lib/ovs-numa.c,
 * discover_numa_and_core, cpu_detected), the only ones onto which it maps
 * pmd-cpu-mask. Writes them to '*list' as a CPU list, ascending (NULL if
 * the directory cannot be read or lists no cpuN at all: a tree without
 * them says nothing of what OVS counts), and returns the first in readdir order:
 * where OVS starts the node's PMD thread when pmd-cpu-mask is unset (sysfs
 * lists a directory in the order of its names' hashes, not by number); -1
 * if there is none. */
static int ovs_cpus(const char *sysfs, const char *dir, char **list)
{
    *list = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        return -1;
    }
    int first = -1;
    int *cpus = NULL;
    size_t n = 0, n_alloc = 0, seen = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *digits = e->d_name + 3;
        if (strncmp(e->d_name, "cpu", 3) || !*digits || strspn(digits, "0123456789") != strlen(digits) ||
            strlen(digits) > 6) {
            continue;
        }
        seen++;
        _cleanup_free_ char *core = mem_asprintf("%s/devices/system/cpu/%s/topology/core_id", sysfs, e->d_name);
        if (access(core, F_OK) == 0) {
            mem_grow((void **) &cpus, &n_alloc, n + 1, sizeof *cpus);
            cpus[n++] = atoi(digits);
            first = first < 0 ? cpus[n - 1] : first;
        }
    }
    closedir(d);
    if (!seen) {
        return -1;
    }
    qsort(cpus, n, sizeof *cpus, int_compare);
    size_t size = n * 8 + 1, used = 0;
    *list = mem_new0(char, size);
    for (size_t i = 0; i < n; i++) {
        used += (size_t) snprintf(*list + used, size - used, "%s%d", i ? "," : "", cpus[i]);
    }
    free(cpus);
    return first;
}

static int cpus_compare(const void *a_, const void *b_)
{
    const struct node_cpus *a = a_, *b = b_;
    return a->node < b->node ? -1 : a->node > b->node;
}

static void add_pool(struct host_memory *m, size_t *n_alloc, struct hugepage_pool pool)
{
    mem_grow((void **) &m->pools, n_alloc, m->n_pools + 1, sizeof *m->pools);
    m->pools[m->n_pools++] = pool;
}

/* Every hugepages-<size>kB directory of 'dir', as pools of 'node'. */
static bool read_pools(struct host_memory *m, size_t *n_alloc, const char *dir, int node)
{
    DIR *d = opendir(dir);
    if (!d) {
        return false;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned long long size;
        char tail[8];
        if (sscanf(e->d_name, "hugepages-%llukB%7s", &size, tail) != 1) {
            continue;
        }
        _cleanup_free_ char *nr = mem_asprintf("%s/%s/nr_hugepages", dir, e->d_name);
        _cleanup_free_ char *fr = mem_asprintf("%s/%s/free_hugepages", dir, e->d_name);
        struct hugepage_pool pool = {.node = node, .size_kib = size};
        if (read_number(nr, &pool.total) && read_number(fr, &pool.free)) {
            add_pool(m, n_alloc, pool);
        }
    }
    closedir(d);
    return true;
}

/* The host-wide reserved pages of each size (kernel/mm/hugepages). */
static void read_resv(struct host_memory *m, const char *sysfs)
{
    _cleanup_free_ char *dir = mem_asprintf("%s/kernel/mm/hugepages", sysfs);
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *e;
    size_t n_alloc = 0;
    while ((e = readdir(d))) {
        unsigned long long size;
        char tail[8];
        if (sscanf(e->d_name, "hugepages-%llukB%7s", &size, tail) != 1) {
            continue;
        }
        _cleanup_free_ char *path = mem_asprintf("%s/%s/resv_hugepages", dir, e->d_name);
        struct hugepage_resv r = {.size_kib = size};
        if (read_number(path, &r.pages) && r.pages) {
            mem_grow((void **) &m->resv, &n_alloc, m->n_resv + 1, sizeof *m->resv);
            m->resv[m->n_resv++] = r;
        }
    }
    closedir(d);
}

static int pool_compare(const void *a_, const void *b_)
{
    const struct hugepage_pool *a = a_, *b = b_;
    if (a->node != b->node) {
        return a->node < b->node ? -1 : 1;
    }
    return a->size_kib < b->size_kib ? -1 : a->size_kib > b->size_kib;
}

/* "2M", "1G", "2048k" in KiB. */
static uint64_t parse_page_size(const char *s)
{
    char *end;
    uint64_t n = strtoull(s, &end, 10);
    switch (*end) {
    case 'k':
    case 'K':
        return n;
    case 'm':
    case 'M':
        return n * 1024;
    case 'g':
    case 'G':
        return n * 1024 * 1024;
    default:
        return n / 1024;
    }
}

/* The kernel's default huge page size (its default_hugepagesz), which a
 * hugetlbfs mounted without pagesize= has: <proc>/meminfo's Hugepagesize. */
static uint64_t read_default_page_kib(const char *proc)
{
    _cleanup_free_ char *path = mem_asprintf("%s/meminfo", proc);
    FILE *f = fopen(path, "r");
    unsigned long long kib = 0;
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "Hugepagesize: %llu kB", &kib) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

static void read_mounts(struct host_memory *m, const char *proc)
{
    _cleanup_free_ char *path = mem_asprintf("%s/mounts", proc);
    FILE *f = fopen(path, "r");
    if (!f) {
        m->mounts_error = mem_asprintf("cannot read %s: %s", path, strerror(errno));
        return;
    }
    m->mounts_read = true;
    char line[4096];
    size_t n_alloc = 0;
    while (fgets(line, sizeof line, f)) {
        char dev[1024], dir[2048], type[64], opts[1024];
        if (sscanf(line, "%1023s %2047s %63s %1023s", dev, dir, type, opts) != 4 ||
            !streq(type, "hugetlbfs")) {
            continue;
        }
        const char *size = strstr(opts, "pagesize=");
        mem_grow((void **) &m->mounts, &n_alloc, m->n_mounts + 1, sizeof *m->mounts);
        m->mounts[m->n_mounts++] = (struct hugetlbfs_mount){
            .path = mem_strdup(dir),
            .page_kib = size ? parse_page_size(size + strlen("pagesize=")) : 0,
        };
    }
    fclose(f);
}

struct err *sysfs_read_memory(const char *sysfs, const char *proc, struct host_memory *out)
{
    struct host_memory m = {0};
    size_t n_alloc = 0;
    _cleanup_free_ char *nodes = mem_asprintf("%s/devices/system/node", sysfs);

    DIR *d = opendir(nodes);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            int node;
            char tail[8];
            if (sscanf(e->d_name, "node%d%7s", &node, tail) != 1 || node < 0) {
                continue;
            }
            m.numa_nodes++;
            _cleanup_free_ char *list = mem_asprintf("%s/%s/cpulist", nodes, e->d_name);
            _cleanup_free_ char *node_dir = mem_asprintf("%s/%s", nodes, e->d_name);
            m.cpus = mem_realloc(m.cpus, (m.n_cpus + 1) * sizeof *m.cpus);
            struct node_cpus *c = &m.cpus[m.n_cpus++];
            *c = (struct node_cpus){.node = node, .cpulist = read_line(list)};
            c->first_cpu = ovs_cpus(sysfs, node_dir, &c->ovs_cpulist);
            _cleanup_free_ char *dir = mem_asprintf("%s/%s/hugepages", nodes, e->d_name);
            read_pools(&m, &n_alloc, dir, node);
        }
        closedir(d);
    }
    m.per_node = m.numa_nodes > 0;
    if (!m.per_node) {
        _cleanup_free_ char *dir = mem_asprintf("%s/kernel/mm/hugepages", sysfs);
        if (!read_pools(&m, &n_alloc, dir, 0)) {
            host_memory_clear(&m);
            return err_new(ERR_INTERNAL, NULL,
                           "%s has neither devices/system/node nor kernel/mm/hugepages: %s", sysfs,
                           strerror(errno));
        }
        m.numa_nodes = 1;
    }
    if (m.n_cpus) {
        qsort(m.cpus, m.n_cpus, sizeof *m.cpus, cpus_compare);
    }
    if (m.n_pools) {
        qsort(m.pools, m.n_pools, sizeof *m.pools, pool_compare);
    }
    read_resv(&m, sysfs);
    read_mounts(&m, proc);
    m.default_page_kib = read_default_page_kib(proc);
    *out = m;
    return NULL;
}

uint64_t host_memory_resv(const struct host_memory *m, uint64_t size_kib)
{
    for (size_t i = 0; m && i < m->n_resv; i++) {
        if (m->resv[i].size_kib == size_kib) {
            return m->resv[i].pages;
        }
    }
    return 0;
}
