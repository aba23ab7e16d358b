/* Small language helpers shared by every module: ownership, arrays, strings.
 *
 * Ownership is visible in the code: an owned local carries a _cleanup_
 * attribute and is initialised where it is declared; a value handed to the
 * caller leaves its owner through TAKE_PTR. */
#ifndef CSDPDK_MACROS_H
#define CSDPDK_MACROS_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _printf_(fmt, args) __attribute__((format(printf, fmt, args)))
#define _warn_unused_ __attribute__((warn_unused_result))

/* Returns the pointer held in 'p' and leaves NULL behind, so that the
 * cleanup attached to 'p' no longer frees it. */
#define TAKE_PTR(p)                                                           \
    ({                                                                        \
        __typeof__(p) _taken_ = (p);                                          \
        (p) = NULL;                                                           \
        _taken_;                                                              \
    })

/* Declares 'namep(type **)' calling 'name(type *)', for _cleanup_(namep). */
#define DEFINE_CLEANUP_FUNC(type, name)                                       \
    static inline void name##p(type **p)                                      \
    {                                                                         \
        name(*p);                                                             \
    }

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static inline void freep(void *p)
{
    free(*(void **) p);
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline bool streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static inline bool str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

#endif
