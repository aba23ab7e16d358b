/* The snippet parser and grammar: the first byte picks the grammar (NUMA,
 * hugepages, interface extras); the rest is the snippet, valid UTF-8 or
 * not (the parser is called only on what text_check() lets through, as
 * decode does). */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "helper/error.h"
#include "helper/text.h"
#include "offerings/snippet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct grammar *const grammars[] = {&grammar_numa, &grammar_hugepages,
                                                     &grammar_interface};
    if (size < 1) {
        return 0;
    }
    /* A snippet is a C string (decode hands over decoded text): copied
     * with its NUL. */
    char *xml = malloc(size);
    memcpy(xml, data + 1, size - 1);
    xml[size - 1] = '\0';
    struct err *e = text_check(xml, size - 1, "fuzz");
    if (!e) {
        struct snippet *s = NULL;
        e = snippet_parse(grammars[data[0] % 3], xml, size - 1, "fuzz", &s);
        snippet_free(s);
    }
    err_free(e);
    free(xml);
    return 0;
}
