/* version: the versions of csdpdk and of the libraries it runs with. */
#include <libxml/globals.h>
#include <libxml/xmlversion.h>
#include <stdlib.h>

#include "helper/curl.h"
#include "helper/libvirt.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/verb.h"

/* libxml2 gives its run-time version as "20914" for 2.9.14. */
static char *libxml2_version(void)
{
    unsigned long v = strtoul(xmlParserVersion, NULL, 10);
    return mem_asprintf("%lu.%lu.%lu", v / 10000, v / 100 % 100, v % 100);
}

struct err *verb_version_run(struct verb_context *ctx, json_t **result)
{
    (void) ctx;
    _cleanup_free_ char *libvirt = NULL;
    _cleanup_free_ char *curl = NULL;
    _cleanup_free_ char *libxml2 = libxml2_version();

    /* A library that cannot be loaded is reported as null, with the reason
     * in the warnings: 'version' is what one runs to find that out. */
    struct err *e = libvirt_library_version(&libvirt);
    if (e) {
        json_array_append_new(ctx->warnings, json_string(e->message));
        err_free(e);
    }
    e = libcurl_version(&curl);
    if (e) {
        json_array_append_new(ctx->warnings, json_string(e->message));
        err_free(e);
    }

    *result = json_pack("{s:s, s:s, s:s*, s:s, s:s, s:s*}",
                        "csdpdk", CSDPDK_VERSION,
                        "ovs", ovsdb_library_version(),
                        "libvirt", libvirt,
                        "jansson", jansson_version_str(),
                        "libxml2", libxml2,
                        "curl", curl);
    return *result ? NULL : err_new(ERR_INTERNAL, NULL, "cannot build the version result");
}
