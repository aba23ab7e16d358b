/* Libraries loaded when first needed.
 *
 * libvirt and libcurl each pull in dozens of shared libraries: linked
 * normally they add about 12 ms and 7 ms to every start of csdpdk, more than
 * the whole budget of a plug. The few verbs that need them load them here;
 * the symbols keep the types of the libraries' own headers. */
#ifndef CSDPDK_DL_H
#define CSDPDK_DL_H

#include <stddef.h>

#include "helper/error.h"

struct dl_symbol {
    const char *name;
    void **slot;
};

/* One row of a symbol table: { "fn", &sym_fn }, where sym_fn was declared
 * with DL_SYMBOL_DECLARE(fn). */
#define DL_SYMBOL_DECLARE(fn) static __typeof__(fn) *sym_##fn
#define DL_SYMBOL(fn) {#fn, (void **) &sym_##fn}

/* Loads 'soname' once and resolves every symbol of 'symbols'; later calls
 * return at once. On failure returns an error with 'code' naming the
 * library and 'package', the Debian package that provides it. The library
 * stays loaded until the process exits. */
struct err *dl_load(const char *soname, const char *package, enum err_code code, void **handle,
                    const struct dl_symbol *symbols, size_t n_symbols) _warn_unused_;

#endif
