/* Writes the bad-input cases that are too large to keep in git, in the
 * layout cli-runner's corpus mode reads: DIR/CODE/NAME.json.
 *
 *   corpus-gen DIR */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct buf {
    char *data;
    size_t size, alloc;
};

static void put(struct buf *b, const char *fmt, ...)
{
    va_list args;
    for (;;) {
        va_start(args, fmt);
        size_t room = b->alloc - b->size;
        int n = vsnprintf(b->data + b->size, room, fmt, args);
        va_end(args);
        if ((size_t) n < room) {
            b->size += (size_t) n;
            return;
        }
        b->alloc = b->alloc ? 2 * b->alloc + (size_t) n : 4096 + (size_t) n;
        b->data = realloc(b->data, b->alloc);
        if (!b->data) {
            abort();
        }
    }
}

static void repeat(struct buf *b, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++) {
        put(b, "%s", s);
    }
}

static const char *dir;

static void emit(const char *code, const char *name, struct buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, code);
    mkdir(dir, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s.json", dir, code, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->size, f) != b->size || fclose(f)) {
        perror(path);
        exit(1);
    }
    free(b->data);
    *b = (struct buf){0};
}

#define CELL "<cell id='0' cpus='0' memory='1024' memAccess='shared'/>"
#define CELL_URL "%3Ccell+id%3D%270%27+cpus%3D%270%27+memory%3D%271024%27+memAccess%3D%27shared%27%2F%3E"

int main(int argc, char **argv)
{
    struct buf b = {0};

    if (argc != 2) {
        fprintf(stderr, "usage: corpus-gen DIR\n");
        return 64;
    }
    dir = argv[1];

    /* Requests above 1 MiB: refused before parsing. */
    put(&b, "{\"vm\": {\"rootDiskController\": \"");
    repeat(&b, "a", 1100 * 1024);
    put(&b, "\"}}\n");
    emit("invalid_request", "request-1.1mib-value", &b);

    repeat(&b, " ", 2 * 1024 * 1024);
    put(&b, "{}\n");
    emit("invalid_request", "request-2mib-whitespace", &b);

    put(&b, "{\"vm\": {\"extraconfig-dpdk-hugepages\": \"");
    repeat(&b, "%3CmemoryBacking%3E", 70000);
    put(&b, "\"}}\n");
    emit("invalid_request", "request-1.3mib-encoded-value", &b);

    /* Too many keys. */
    put(&b, "{\"vm\": {");
    for (int i = 0; i < 5000; i++) {
        put(&b, "%s\"key%d\": \"v\"", i ? ", " : "", i);
    }
    put(&b, "}}\n");
    emit("invalid_request", "5000-details", &b);

    /* JSON nested beyond jansson's limit. */
    put(&b, "{\"vm\": ");
    repeat(&b, "[", 100000);
    repeat(&b, "]", 100000);
    put(&b, "}\n");
    emit("invalid_json", "arrays-nested-100000", &b);

    /* Snippets above 64 KiB inside a request below 1 MiB. */
    put(&b, "{\"encoding\": \"none\", \"vm\": {\"extraconfig-dpdk-hugepages\": \"<memoryBacking><hugepages/>");
    repeat(&b, " ", 100 * 1024);
    put(&b, "</memoryBacking>\"}}\n");
    emit("invalid_xml", "hugepages-100kib-blank", &b);

    put(&b, "{\"encoding\": \"none\", \"offering\": {\"extraconfig-dpdk-numa\": \"<cpu><numa>");
    repeat(&b, CELL, 10000);
    put(&b, "</numa></cpu>\"}}\n");
    emit("invalid_xml", "numa-10000-cells", &b);

    put(&b, "{\"offering\": {\"extraconfig-dpdk-numa\": \"%%3Ccpu%%3E%%3Cnuma%%3E");
    repeat(&b, CELL_URL, 10000);
    put(&b, "%%3C%%2Fnuma%%3E%%3C%%2Fcpu%%3E\"}}\n");
    emit("invalid_xml", "numa-10000-cells-url-encoded", &b);

    /* 129 cells fit in 64 KiB but are more than QEMU's 128 nodes. */
    put(&b, "{\"encoding\": \"none\", \"vm\": {\"extraconfig-dpdk-numa\": \"<cpu><numa>");
    for (int i = 0; i < 129; i++) {
        put(&b, "<cell id='%d' cpus='%d' memory='1024' memAccess='shared'/>", i % 128, i);
    }
    put(&b, "</numa></cpu>\"}}\n");
    emit("invalid_xml", "numa-129-cells", &b);

    /* Depth: 300 is past libxml2's own limit, 20 past ours. */
    put(&b, "{\"encoding\": \"none\", \"vm\": {\"extraconfig-dpdk-hugepages\": \"");
    repeat(&b, "<memoryBacking>", 300);
    repeat(&b, "</memoryBacking>", 300);
    put(&b, "\"}}\n");
    emit("invalid_xml", "depth-300", &b);

    put(&b, "{\"encoding\": \"none\", \"vm\": {\"extraconfig-dpdk-hugepages\": \"");
    repeat(&b, "<memoryBacking>", 20);
    repeat(&b, "</memoryBacking>", 20);
    put(&b, "\"}}\n");
    emit("invalid_xml", "depth-20", &b);

    /* Many bad escapes, and many attributes nobody allowed. */
    put(&b, "{\"vm\": {\"extraconfig-dpdk-hugepages\": \"");
    repeat(&b, "%3C", 50000);
    repeat(&b, "%zz", 50000);
    put(&b, "\"}}\n");
    emit("invalid_encoding", "bad-escape-after-150kib", &b);

    put(&b, "{\"encoding\": \"none\", \"vm\": {\"extraconfig-dpdk-hugepages\": \"<memoryBacking");
    for (int i = 0; i < 3000; i++) {
        put(&b, " a%d='x'", i);
    }
    put(&b, "><hugepages/></memoryBacking>\"}}\n");
    emit("forbidden_xml", "3000-attributes", &b);

    return 0;
}
