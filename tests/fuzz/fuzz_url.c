/* URL decoding as Java's URLDecoder, strict, and the UTF-8 check. */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>

#include "helper/error.h"
#include "helper/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = NULL;
    size_t out_size = 0;
    struct err *e = text_url_decode((const char *) data, size, "fuzz", &out, &out_size);
    err_free(e);
    free(out);
    err_free(text_check((const char *) data, size, "fuzz"));
    return 0;
}
