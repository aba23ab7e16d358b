#include "helper/libvirt.h"

#include <limits.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "helper/dl.h"
#include "helper/mem.h"
#include "helper/xml.h"

DL_SYMBOL_DECLARE(virGetVersion);
DL_SYMBOL_DECLARE(virSetErrorFunc);
DL_SYMBOL_DECLARE(virGetLastError);
DL_SYMBOL_DECLARE(virResetLastError);
DL_SYMBOL_DECLARE(virConnectOpen);
DL_SYMBOL_DECLARE(virConnectClose);
DL_SYMBOL_DECLARE(virConnectIsAlive);
DL_SYMBOL_DECLARE(virDomainLookupByUUIDString);
DL_SYMBOL_DECLARE(virDomainIsActive);
DL_SYMBOL_DECLARE(virDomainFree);
DL_SYMBOL_DECLARE(virConnectGetLibVersion);
DL_SYMBOL_DECLARE(virConnectGetVersion);
DL_SYMBOL_DECLARE(virConnectGetType);
DL_SYMBOL_DECLARE(virConnectGetCapabilities);
DL_SYMBOL_DECLARE(virNodeGetFreePages);
DL_SYMBOL_DECLARE(virConnectListAllDomains);
DL_SYMBOL_DECLARE(virDomainGetUUIDString);
DL_SYMBOL_DECLARE(virDomainGetXMLDesc);

static void *libvirt;

struct libvirt {
    virConnectPtr conn;
};

/* libvirt prints every error to stderr unless given a handler. */
static void silence(void *data, virErrorPtr error)
{
    (void) data;
    (void) error;
}

static struct err *libvirt_load(void)
{
    static const struct dl_symbol symbols[] = {
        DL_SYMBOL(virGetVersion),
        DL_SYMBOL(virSetErrorFunc),
        DL_SYMBOL(virGetLastError),
        DL_SYMBOL(virResetLastError),
        DL_SYMBOL(virConnectOpen),
        DL_SYMBOL(virConnectClose),
        DL_SYMBOL(virConnectIsAlive),
        DL_SYMBOL(virDomainLookupByUUIDString),
        DL_SYMBOL(virDomainIsActive),
        DL_SYMBOL(virDomainFree),
        DL_SYMBOL(virConnectGetLibVersion),
        DL_SYMBOL(virConnectGetVersion),
        DL_SYMBOL(virConnectGetType),
        DL_SYMBOL(virConnectGetCapabilities),
        DL_SYMBOL(virNodeGetFreePages),
        DL_SYMBOL(virConnectListAllDomains),
        DL_SYMBOL(virDomainGetUUIDString),
        DL_SYMBOL(virDomainGetXMLDesc),
    };
    bool first = !libvirt;
    struct err *e = dl_load("libvirt.so.0", "libvirt0", ERR_LIBVIRT_UNAVAILABLE, &libvirt, symbols,
                            ARRAY_SIZE(symbols));
    if (!e && first) {
        sym_virSetErrorFunc(NULL, silence);
    }
    return e;
}

static const char *last_error(void)
{
    virErrorPtr e = sym_virGetLastError();
    return e && e->message ? e->message : "unknown libvirt error";
}

/* The error of a failed call on 'lv': 'what', then libvirt's message, read
 * before any other call resets it. A connection that died meanwhile (the
 * daemon killed, its socket closed) is libvirt_unavailable, as one that
 * could not be made: trying again later may succeed. */
static struct err *call_error(struct libvirt *lv, const char *what)
{
    _cleanup_free_ char *message = mem_strdup(last_error());
    if (sym_virConnectIsAlive(lv->conn) != 1) {
        return err_new(ERR_LIBVIRT_UNAVAILABLE, NULL, "lost the connection to libvirt: %s: %s", what,
                       message);
    }
    return err_new(ERR_LIBVIRT_ERROR, NULL, "%s: %s", what, message);
}

struct err *libvirt_library_version(char **out)
{
    struct err *e = libvirt_load();
    if (e) {
        return e;
    }
    unsigned long v = 0;
    if (sym_virGetVersion(&v, NULL, NULL) < 0) {
        return err_new(ERR_LIBVIRT_ERROR, NULL, "virGetVersion failed: %s", last_error());
    }
    *out = mem_asprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
    return NULL;
}

struct err *libvirt_open(const char *uri, struct libvirt **out)
{
    struct err *e = libvirt_load();
    if (e) {
        return e;
    }
    virConnectPtr conn = sym_virConnectOpen(uri);
    if (!conn) {
        return err_new(ERR_LIBVIRT_UNAVAILABLE, NULL, "cannot connect to libvirt at '%s': %s", uri,
                       last_error());
    }
    struct libvirt *lv = mem_new0(struct libvirt, 1);
    lv->conn = conn;
    *out = lv;
    return NULL;
}

void libvirt_close(struct libvirt *lv)
{
    if (lv) {
        sym_virConnectClose(lv->conn);
        free(lv);
    }
}

const char *libvirt_domain_state_name(enum libvirt_domain_state state)
{
    switch (state) {
    case LIBVIRT_DOMAIN_MISSING:
        return "missing";
    case LIBVIRT_DOMAIN_INACTIVE:
        return "inactive";
    case LIBVIRT_DOMAIN_ACTIVE:
        return "active";
    }
    return "?";
}

struct err *libvirt_domain_state(struct libvirt *lv, const char *uuid,
                                 enum libvirt_domain_state *state)
{
    sym_virResetLastError();
    virDomainPtr dom = sym_virDomainLookupByUUIDString(lv->conn, uuid);
    if (!dom) {
        virErrorPtr error = sym_virGetLastError();
        if (error && error->code == VIR_ERR_NO_DOMAIN) {
            *state = LIBVIRT_DOMAIN_MISSING;
            return NULL;
        }
        _cleanup_free_ char *what = mem_asprintf("cannot look domain '%s' up", uuid);
        return call_error(lv, what);
    }
    int active = sym_virDomainIsActive(dom);
    struct err *e = NULL;
    if (active < 0) { /* before virDomainFree(), which resets the error */
        _cleanup_free_ char *what = mem_asprintf("cannot tell whether domain '%s' runs", uuid);
        e = call_error(lv, what);
    }
    sym_virDomainFree(dom);
    if (e) {
        return e;
    }
    *state = active ? LIBVIRT_DOMAIN_ACTIVE : LIBVIRT_DOMAIN_INACTIVE;
    return NULL;
}

static char *version_string(unsigned long v)
{
    return mem_asprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

void libvirt_host_clear(struct libvirt_host *host)
{
    free(host->library);
    free(host->daemon);
    free(host->hypervisor);
    free(host->page_sizes_kib);
    free(host->cell_ids);
    *host = (struct libvirt_host){0};
}

struct err *libvirt_capabilities_parse(const char *xml, size_t size, struct libvirt_host *h)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    struct err *e = xml_parse_document(xml, size, "capabilities", &doc);
    if (e) {
        return err_prefix(e, "libvirt's capabilities");
    }
    xmlNodePtr host = xml_child(xmlDocGetRootElement(doc), "host");
    xmlNodePtr cells = xml_child(xml_child(host, "topology"), "cells");
    _cleanup_free_ char *num = xml_attr(cells, "num");
    h->numa_cells = num ? atoi(num) : 0;
    size_t n_alloc = 0;
    for (xmlNodePtr p = cells ? cells->children : NULL; p; p = p->next) {
        if (p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, BAD_CAST "cell")) {
            _cleanup_free_ char *id = xml_attr(p, "id");
            char *end = NULL;
            long v = id ? strtol(id, &end, 10) : -1;
            if (id && *end == '\0' && v >= 0 && v < INT_MAX) {
                mem_grow((void **) &h->cell_ids, &n_alloc, h->n_cell_ids + 1, sizeof *h->cell_ids);
                h->cell_ids[h->n_cell_ids++] = (int) v;
            }
        }
    }
    n_alloc = 0;
    for (xmlNodePtr p = xml_child(host, "cpu") ? xml_child(host, "cpu")->children : NULL; p;
         p = p->next) {
        if (p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, BAD_CAST "pages")) {
            _cleanup_free_ char *page = xml_attr(p, "size");
            if (page) {
                mem_grow((void **) &h->page_sizes_kib, &n_alloc, h->n_page_sizes + 1,
                         sizeof *h->page_sizes_kib);
                h->page_sizes_kib[h->n_page_sizes++] = strtoull(page, NULL, 10);
            }
        }
    }
    return NULL;
}

struct err *libvirt_host_read(struct libvirt *lv, struct libvirt_host *out)
{
    struct libvirt_host h = {0};
    unsigned long lib = 0, daemon = 0, hv = 0;
    struct err *e = NULL;

    if (sym_virGetVersion(&lib, NULL, NULL) == 0) {
        h.library = version_string(lib);
    }
    if (sym_virConnectGetLibVersion(lv->conn, &daemon) == 0) {
        h.daemon = version_string(daemon);
    }
    const char *type = sym_virConnectGetType(lv->conn);
    if (type && sym_virConnectGetVersion(lv->conn, &hv) == 0) {
        _cleanup_free_ char *v = version_string(hv);
        h.hypervisor = mem_asprintf("%s %s", type, v);
    }

    char *caps = sym_virConnectGetCapabilities(lv->conn);
    if (!caps) {
        e = call_error(lv, "virConnectGetCapabilities failed");
        libvirt_host_clear(&h);
        return e;
    }
    e = libvirt_capabilities_parse(caps, strlen(caps), &h);
    free(caps);
    if (e) {
        libvirt_host_clear(&h);
        return e;
    }
    *out = h;
    return NULL;
}

struct err *libvirt_free_pages(struct libvirt *lv, unsigned size_kib, const int *cells,
                               size_t n_cells, unsigned long long **counts_out, size_t *n_out)
{
    size_t n = n_cells ? n_cells : 1;
    _cleanup_free_ unsigned long long *counts = mem_new0(unsigned long long, n);
    unsigned int pages[] = {size_kib};
    for (size_t i = 0; i < n; i++) {
        int cell = n_cells ? cells[i] : 0;
        if (sym_virNodeGetFreePages(lv->conn, 1, pages, cell, 1, &counts[i], 0) < 0) {
            _cleanup_free_ char *what =
                mem_asprintf("virNodeGetFreePages(%u KiB, cell %d) failed", size_kib, cell);
            return call_error(lv, what);
        }
    }
    *counts_out = TAKE_PTR(counts);
    *n_out = n;
    return NULL;
}

void libvirt_domain_list_clear(struct libvirt_domain_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->domains[i].uuid);
        free(list->domains[i].xml);
    }
    free(list->domains);
    *list = (struct libvirt_domain_list){0};
}

static int domain_compare(const void *a, const void *b)
{
    return strcmp(((const struct libvirt_domain *) a)->uuid, ((const struct libvirt_domain *) b)->uuid);
}

struct err *libvirt_domains_read(struct libvirt *lv, struct libvirt_domain_list *out)
{
    virDomainPtr *doms = NULL;
    sym_virResetLastError();
    int n = sym_virConnectListAllDomains(lv->conn, &doms, 0);
    if (n < 0) {
        return call_error(lv, "cannot list the domains");
    }
    struct libvirt_domain_list list = {.domains = mem_new0(struct libvirt_domain, (size_t) n + 1)};
    struct err *e = NULL;
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        int active = e ? 0 : sym_virDomainIsActive(doms[i]);
        char *xml = e || active < 0 ? NULL : sym_virDomainGetXMLDesc(doms[i], 0);
        if (!e && (active < 0 || !xml || sym_virDomainGetUUIDString(doms[i], uuid) < 0)) {
            virErrorPtr error = sym_virGetLastError();
            /* Undefined or stopped meanwhile: not there any more. */
            if (!error || error->code != VIR_ERR_NO_DOMAIN) {
                e = call_error(lv, "cannot read a domain");
            }
            free(xml);
            xml = NULL;
        }
        if (xml) {
            list.domains[list.n++] = (struct libvirt_domain){
                .uuid = mem_strdup(uuid), .active = active == 1, .xml = xml};
        }
        sym_virDomainFree(doms[i]);
    }
    free(doms);
    if (e) {
        libvirt_domain_list_clear(&list);
        return e;
    }
    if (list.n) {
        qsort(list.domains, list.n, sizeof *list.domains, domain_compare);
    }
    *out = list;
    return NULL;
}
