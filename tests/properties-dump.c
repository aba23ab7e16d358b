/* properties-dump KEY FILE...: for each FILE, one line "FILE VALUE" where
 * VALUE is what csdpdk reads for KEY (agent_properties_get), as hex of its
 * UTF-8 bytes, "-" for an empty value, "null" when absent or "error" when
 * the file is refused. tests/oracle/PropertiesOracle.java prints the same
 * from Java's Properties.load; tests/integration/properties-oracle.sh
 * compares the two. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/agent.h"
#include "helper/mem.h"

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = mem_alloc0(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = mem_realloc(buf, cap);
        }
    }
    fclose(f);
    *size = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: properties-dump KEY FILE...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        size_t size = 0;
        char *text = slurp(argv[i], &size);
        if (!text) {
            perror(argv[i]);
            return 2;
        }
        char *value = NULL;
        size_t len = 0;
        struct err *e = agent_properties_get(text, size, argv[1], &value, &len);
        printf("%s ", argv[i]);
        if (e) {
            printf("error");
        } else if (!value) {
            printf("null");
        } else if (len == 0) {
            printf("-");
        } else {
            for (size_t k = 0; k < len; k++) {
                printf("%02x", (unsigned char) value[k]);
            }
        }
        printf("\n");
        err_free(e);
        free(value);
        free(text);
    }
    return 0;
}
