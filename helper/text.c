#include "helper/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "helper/curl.h"
#include "helper/mem.h"

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

struct err *text_url_decode(const char *in, size_t size, const char *field, char **out,
                            size_t *out_size)
{
    /* libcurl's unescape is lenient ('%zz' stays as it is) and knows nothing
     * of '+', so check every escape first and turn each '+' into a space:
     * '+' never appears inside a valid escape, so doing it first is exact. */
    _cleanup_free_ char *plain = mem_strndup(in, size);
    bool escapes = false;
    for (size_t i = 0; i < size; i++) {
        if (plain[i] == '%') {
            if (i + 2 >= size) {
                return err_new(ERR_INVALID_ENCODING, field,
                               "incomplete escape '%%' at byte %zu: '%%' must be followed by two hex digits",
                               i);
            }
            if (!is_hex((unsigned char) plain[i + 1]) || !is_hex((unsigned char) plain[i + 2])) {
                return err_new(ERR_INVALID_ENCODING, field,
                               "bad escape at byte %zu: '%%' must be followed by two hex digits", i);
            }
            escapes = true;
            i += 2;
        } else if (plain[i] == '+') {
            plain[i] = ' ';
        }
    }

    /* Without escapes there is nothing for libcurl to do (and nothing to
     * load: the agent sends values already decoded). */
    _cleanup_free_ char *decoded = NULL;
    size_t decoded_size = size;
    if (escapes) {
        struct err *e = libcurl_unescape(plain, size, &decoded, &decoded_size);
        if (e) {
            return err_set_field(e, field);
        }
    } else {
        decoded = TAKE_PTR(plain);
    }

    struct err *e = text_check(decoded, decoded_size, field);
    if (e) {
        return err_prefix(e, "after URL decoding");
    }
    *out = TAKE_PTR(decoded);
    *out_size = decoded_size;
    return NULL;
}

size_t text_utf8_sequence_size(const unsigned char *s, size_t size)
{
    if (size == 0) {
        return 0;
    }
    unsigned char c = s[0];
    if (c < 0x80) {
        return 1;
    }

    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c == 0xe0) {
        n = 3, lo = 0xa0;           /* no overlong forms */
    } else if (c == 0xed) {
        n = 3, hi = 0x9f;           /* no UTF-16 surrogates */
    } else if (c >= 0xe1 && c <= 0xef) {
        n = 3;
    } else if (c == 0xf0) {
        n = 4, lo = 0x90;           /* no overlong forms */
    } else if (c >= 0xf1 && c <= 0xf3) {
        n = 4;
    } else if (c == 0xf4) {
        n = 4, hi = 0x8f;           /* nothing above U+10FFFF */
    } else {
        return 0;                   /* 0x80-0xc1 and 0xf5-0xff never start one */
    }

    if (size < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

struct err *text_check(const char *s, size_t size, const char *field)
{
    const unsigned char *u = (const unsigned char *) s;

    for (size_t i = 0; i < size;) {
        if (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') {
            return err_new(ERR_INVALID_ENCODING, field,
                           u[i] ? "control character \\x%02x at byte %zu is not allowed"
                                : "NUL (\\x%02x) at byte %zu is not allowed",
                           u[i], i);
        }
        size_t n = text_utf8_sequence_size(u + i, size - i);
        if (!n) {
            return err_new(ERR_INVALID_ENCODING, field, "invalid UTF-8 at byte %zu (\\x%02x)", i,
                           u[i]);
        }
        i += n;
    }
    return NULL;
}

char *text_quote_for_message(const char *s, size_t max_len)
{
    const unsigned char *u = (const unsigned char *) s;
    size_t size = strlen(s);
    size_t shown = size < max_len ? size : max_len;
    /* Each character shown takes at most 4 bytes ("\xNN" or UTF-8). */
    _cleanup_free_ char *buf = mem_alloc0(4 * shown + sizeof "''...");
    char *p = buf;
    size_t len = 0;

    *p++ = '\'';
    for (size_t i = 0; i < size;) {
        if (len == max_len) {
            p = stpcpy(p, "...");
            break;
        }
        size_t n = text_utf8_sequence_size(u + i, size - i);
        if (n == 0 || u[i] < 0x20 || u[i] == 0x7f) {
            p += sprintf(p, "\\x%02x", u[i]);
            i++;
        } else {
            memcpy(p, u + i, n);
            p += n;
            i += n;
        }
        len++;
    }
    *p++ = '\'';
    *p = '\0';
    return TAKE_PTR(buf);
}

char *text_single_slashes(const char *path)
{
    char *out = mem_strdup(path), *w = out;
    for (const char *r = path; *r; r++) {
        if (!(*r == '/' && w > out && w[-1] == '/')) {
            *w++ = *r;
        }
    }
    *w = '\0';
    return out;
}

static int string_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

void text_sort_unique(char **strings, size_t *n)
{
    size_t kept = 0;
    if (*n) { /* qsort(NULL, 0, ...) is undefined */
        qsort(strings, *n, sizeof *strings, string_compare);
    }
    for (size_t i = 0; i < *n; i++) {
        if (kept && streq(strings[i], strings[kept - 1])) {
            free(strings[i]);
        } else {
            strings[kept++] = strings[i];
        }
    }
    *n = kept;
}

bool text_seconds(const char *s, double max, double *seconds)
{
    /* Digits, then optionally '.' and digits: no sign, exponent, hex or
     * blank, which strtod() alone would take (the Java driver reads the same). */
    size_t whole = strspn(s, "0123456789");
    size_t frac = s[whole] == '.' ? strspn(s + whole + 1, "0123456789") : 0;
    if (!whole || (s[whole] == '.' && !frac) || s[whole + (s[whole] == '.') + frac]) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    double t = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(t) || !(t > 0) || t > max) {
        return false;
    }
    *seconds = t;
    return true;
}
