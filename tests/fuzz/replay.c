/* replay DIR...: runs a fuzz target's LLVMFuzzerTestOneInput on every file
 * of each DIR, in name order, and prints one TAP line per directory. Linked
 * with one target, built by gcc with ASan+UBSan in 'make check': the
 * corpora are replayed, not fuzzed. A crash or a sanitizer report ends the
 * process; REPLAY_VERBOSE=1 names each input on stderr before it runs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, by_name);
        if (n < 0) {
            printf("not ok %d - %s: cannot read it\n", i, argv[i]);
            failed++;
            continue;
        }
        int run = 0;
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
            FILE *f = names[k]->d_name[0] == '.' ? NULL : fopen(path, "rb");
            free(names[k]);
            if (!f) {
                continue;
            }
            if (getenv("REPLAY_VERBOSE")) { /* which input crashed: run again with it set */
                fprintf(stderr, "replay: %s\n", path);
            }
            size_t size = 0, cap = 1 << 16;
            unsigned char *buf = malloc(cap);
            size_t got;
            while ((got = fread(buf + size, 1, cap - size, f)) > 0) {
                size += got;
                if (size == cap) {
                    buf = realloc(buf, cap *= 2);
                }
            }
            fclose(f);
            LLVMFuzzerTestOneInput(buf, size);
            free(buf);
            run++;
        }
        free(names);
        if (run == 0) {
            printf("not ok %d - %s: no input in it\n", i, argv[i]);
            failed++;
        } else {
            printf("ok %d - %s: %d inputs\n", i, argv[i], run);
        }
    }
    printf("1..%d\n", argc - 1);
    return failed ? 1 : 0;
}
