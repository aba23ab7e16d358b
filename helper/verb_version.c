/* version: the versions of csdpdk and of the libraries it runs with. */
#include <curl/curl.h>
#include <libvirt/libvirt.h>
#include <libxml/globals.h>
#include <libxml/xmlversion.h>
#include <stdlib.h>

#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/verb.h"

static char *libvirt_version(void)
{
    unsigned long v = 0;
    if (virGetVersion(&v, NULL, NULL) < 0) {
        return NULL;
    }
    return mem_asprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

/* libxml2 gives its run-time version as "20914" for 2.9.14. */
static char *libxml2_version(void)
{
    unsigned long v = strtoul(xmlParserVersion, NULL, 10);
    return mem_asprintf("%lu.%lu.%lu", v / 10000, v / 100 % 100, v % 100);
}

struct err *verb_version_run(struct verb_context *ctx, json_t **result)
{
    (void) ctx;
    _cleanup_free_ char *libvirt = libvirt_version();
    _cleanup_free_ char *libxml2 = libxml2_version();

    *result = json_pack("{s:s, s:s, s:s*, s:s, s:s, s:s}",
                        "csdpdk", CSDPDK_VERSION,
                        "ovs", ovsdb_library_version(),
                        "libvirt", libvirt,
                        "jansson", jansson_version_str(),
                        "libxml2", libxml2,
                        "curl", curl_version_info(CURLVERSION_NOW)->version);
    return *result ? NULL : err_new(ERR_INTERNAL, NULL, "cannot build the version result");
}
