#include "helper/dl.h"

#include <dlfcn.h>

struct err *dl_load(const char *soname, const char *package, enum err_code code, void **handle,
                    const struct dl_symbol *symbols, size_t n_symbols)
{
    if (*handle) {
        return NULL;
    }

    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        return err_new(code, NULL, "cannot load %s (package %s): %s", soname, package, dlerror());
    }
    for (size_t i = 0; i < n_symbols; i++) {
        *symbols[i].slot = dlsym(h, symbols[i].name);
        if (!*symbols[i].slot) {
            dlclose(h);
            return err_new(code, NULL, "%s has no symbol '%s' (package %s too old?)", soname,
                           symbols[i].name, package);
        }
    }
    *handle = h;
    return NULL;
}
