#include "helper/libvirt.h"

#include <libvirt/libvirt.h>

#include "helper/dl.h"
#include "helper/mem.h"

DL_SYMBOL_DECLARE(virGetVersion);

static void *libvirt;

static struct err *libvirt_load(void)
{
    static const struct dl_symbol symbols[] = {
        DL_SYMBOL(virGetVersion),
    };
    return dl_load("libvirt.so.0", "libvirt0", ERR_LIBVIRT_UNAVAILABLE, &libvirt, symbols,
                   ARRAY_SIZE(symbols));
}

struct err *libvirt_library_version(char **out)
{
    struct err *e = libvirt_load();
    if (e) {
        return e;
    }
    unsigned long v = 0;
    if (sym_virGetVersion(&v, NULL, NULL) < 0) {
        return err_new(ERR_LIBVIRT_ERROR, NULL, "virGetVersion failed");
    }
    *out = mem_asprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
    return NULL;
}
