#include "helper/mem.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

static void mem_oom(void)
{
    /* The one place where library code writes to stderr: there is no
     * envelope to build without memory. */
    static const char msg[] = "csdpdk: out of memory\n";
    fwrite(msg, 1, sizeof msg - 1, stderr);
    abort();
}

void *mem_alloc0(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        mem_oom();
    }
    return p;
}

void *mem_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        mem_oom();
    }
    return q;
}

void mem_grow(void **p, size_t *n_alloc, size_t n_needed, size_t elem_size)
{
    if (n_needed <= *n_alloc) {
        return;
    }
    size_t n = *n_alloc ? *n_alloc : 4;
    while (n < n_needed) {
        if (n > SIZE_MAX / 2) {
            mem_oom();
        }
        n *= 2;
    }
    if (n > SIZE_MAX / elem_size) {
        mem_oom();
    }
    *p = mem_realloc(*p, n * elem_size);
    *n_alloc = n;
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

char *mem_lower(char *s)
{
    for (char *p = s; p && *p; p++) {
        *p = (char) tolower((unsigned char) *p);
    }
    return s;
}

char *mem_strndup(const char *s, size_t len)
{
    char *p = mem_alloc0(len + 1);
    memcpy(p, s, len);
    return p;
}

char *mem_vasprintf(const char *fmt, va_list args)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, args) < 0) {
        mem_oom();
    }
    return s;
}

char *mem_asprintf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *s = mem_vasprintf(fmt, args);
    va_end(args);
    return s;
}

void mem_strv_free(char **v)
{
    for (char **p = v; p && *p; p++) {
        free(*p);
    }
    free(v);
}
