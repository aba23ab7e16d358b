/* The sysfs and /proc readers (NUMA nodes, hugepage pools, hugetlbfs
 * mounts), on a tree the input describes: parts separated by NUL bytes give
 * <proc>/mounts, a node directory's name, a hugepages-*kB directory's name,
 * nr_hugepages and free_hugepages. Names are kept to one path component. */
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper/error.h"
#include "helper/sysfs.h"

static char root[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st, (void) flag, (void) ftw;
    return remove(path);
}

static void write_file(const char *path, const char *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, data, size) < 0) {
            /* an unwritable file is one more case to read */
        }
        close(fd);
    }
}

/* One path component: at most 40 bytes, no '/', not "." or "..". */
static void component(char *out, const char *in, size_t size)
{
    size_t n = size < 40 ? size : 40;
    for (size_t i = 0; i < n; i++) {
        out[i] = in[i] == '/' ? '_' : in[i];
    }
    out[n] = '\0';
    if (!strcmp(out, ".") || !strcmp(out, "..") || !*out) {
        strcpy(out, "x");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *parts[5] = {"", "", "", "", ""};
    size_t sizes[5] = {0};
    const char *p = (const char *) data, *end = p + size;
    for (int i = 0; i < 5 && p <= end; i++) {
        const char *nul = memchr(p, '\0', (size_t) (end - p));
        parts[i] = p;
        sizes[i] = (size_t) ((nul ? nul : end) - p);
        p += sizes[i] + 1;
    }
    if (!*root) {
        snprintf(root, sizeof root, "/dev/shm/csdpdk-fuzz-sysfs.%ld", (long) getpid());
    }
    char node[48], pool[48], path[512];
    component(node, parts[1], sizes[1]);
    component(pool, parts[2], sizes[2]);
    nftw(root, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    snprintf(path, sizeof path, "%s/proc", root);
    mkdir(root, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/proc/mounts", root);
    write_file(path, parts[0], sizes[0]);
    snprintf(path, sizeof path, "%s/sys", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices/system", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices/system/node", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices/system/node/node%s", root, node);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices/system/node/node%s/hugepages", root, node);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices/system/node/node%s/hugepages/hugepages-%s", root,
             node, pool);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sys/devices/system/node/node%s/hugepages/hugepages-%s/nr_hugepages",
             root, node, pool);
    write_file(path, parts[3], sizes[3]);
    snprintf(path, sizeof path,
             "%s/sys/devices/system/node/node%s/hugepages/hugepages-%s/free_hugepages", root, node,
             pool);
    write_file(path, parts[4], sizes[4]);

    char sys[128], proc[128];
    snprintf(sys, sizeof sys, "%s/sys", root);
    snprintf(proc, sizeof proc, "%s/proc", root);
    struct host_memory m = {0};
    struct err *e = sysfs_read_memory(sys, proc, &m);
    err_free(e);
    host_memory_clear(&m);
    nftw(root, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
