/* Allocation that never returns NULL.
 *
 * csdpdk is a short-lived command: when memory runs out there is nothing
 * sensible to roll back to, so these abort (the way GLib and Open vSwitch's
 * xmalloc do) instead of threading ENOMEM through every caller. Names carry
 * the 'mem_' prefix so that they never clash with libopenvswitch's x*alloc. */
#ifndef CSDPDK_MEM_H
#define CSDPDK_MEM_H

#include <stdarg.h>
#include <stddef.h>

#include "helper/macros.h"

void *mem_alloc0(size_t size);
void *mem_realloc(void *p, size_t size);
/* Grows the array '*p' of '*n_alloc' elements of 'elem_size' bytes so that it
 * holds at least 'n_needed' elements. */
void mem_grow(void **p, size_t *n_alloc, size_t n_needed, size_t elem_size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);
/* 's' in ASCII lower case, in place; NULL stays NULL. */
char *mem_lower(char *s);
char *mem_asprintf(const char *fmt, ...) _printf_(1, 2);
char *mem_vasprintf(const char *fmt, va_list args) _printf_(1, 0);

/* Frees a NULL-terminated array of strings and the strings; NULL is a no-op. */
void mem_strv_free(char **v);
DEFINE_CLEANUP_FUNC(char *, mem_strv_free)

#define mem_new0(type, n) ((type *) mem_alloc0(sizeof(type) * (n)))

#endif
