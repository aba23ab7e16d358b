#include "helper/curl.h"

#include <curl/curl.h>
#include <limits.h>

#include "helper/dl.h"
#include "helper/mem.h"

DL_SYMBOL_DECLARE(curl_easy_unescape);
DL_SYMBOL_DECLARE(curl_free);
DL_SYMBOL_DECLARE(curl_version_info);

static void *libcurl;

static struct err *libcurl_load(void)
{
    static const struct dl_symbol symbols[] = {
        DL_SYMBOL(curl_easy_unescape),
        DL_SYMBOL(curl_free),
        DL_SYMBOL(curl_version_info),
    };
    return dl_load("libcurl.so.4", "libcurl4", ERR_INTERNAL, &libcurl, symbols,
                   ARRAY_SIZE(symbols));
}

struct err *libcurl_unescape(const char *in, size_t size, char **out, size_t *out_size)
{
    if (size > INT_MAX) {
        return err_new(ERR_INTERNAL, NULL, "value of %zu bytes is too large for libcurl", size);
    }
    struct err *e = libcurl_load();
    if (e) {
        return e;
    }

    int decoded_size = 0;
    /* Since libcurl 7.82 the handle may be NULL. */
    char *decoded = sym_curl_easy_unescape(NULL, in, (int) size, &decoded_size);
    if (!decoded) {
        return err_new(ERR_INTERNAL, NULL, "libcurl could not decode the value");
    }
    /* What libcurl allocated goes back through curl_free(). */
    *out = mem_strndup(decoded, (size_t) decoded_size);
    *out_size = (size_t) decoded_size;
    sym_curl_free(decoded);
    return NULL;
}

struct err *libcurl_version(char **out)
{
    struct err *e = libcurl_load();
    if (e) {
        return e;
    }
    *out = mem_strdup(sym_curl_version_info(CURLVERSION_NOW)->version);
    return NULL;
}
