#include "helper/libvirt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "helper/dl.h"
#include "helper/mem.h"

DL_SYMBOL_DECLARE(virGetVersion);
DL_SYMBOL_DECLARE(virSetErrorFunc);
DL_SYMBOL_DECLARE(virGetLastError);
DL_SYMBOL_DECLARE(virResetLastError);
DL_SYMBOL_DECLARE(virConnectOpen);
DL_SYMBOL_DECLARE(virConnectClose);
DL_SYMBOL_DECLARE(virDomainLookupByUUIDString);
DL_SYMBOL_DECLARE(virDomainIsActive);
DL_SYMBOL_DECLARE(virDomainFree);

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
        DL_SYMBOL(virDomainLookupByUUIDString),
        DL_SYMBOL(virDomainIsActive),
        DL_SYMBOL(virDomainFree),
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
        return err_new(ERR_LIBVIRT_ERROR, NULL, "cannot look domain '%s' up: %s", uuid,
                       last_error());
    }
    int active = sym_virDomainIsActive(dom);
    sym_virDomainFree(dom);
    if (active < 0) {
        return err_new(ERR_LIBVIRT_ERROR, NULL, "cannot tell whether domain '%s' runs: %s", uuid,
                       last_error());
    }
    *state = active ? LIBVIRT_DOMAIN_ACTIVE : LIBVIRT_DOMAIN_INACTIVE;
    return NULL;
}
