/* Text at the edge: URL decoding, strict UTF-8, and quoting for messages. */
#ifndef CSDPDK_TEXT_H
#define CSDPDK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/error.h"

/* Decodes 'in' (of 'size' bytes) once, the way Java's URLDecoder does with
 * UTF-8: '+' is a space, '%XX' is the byte XX, every other byte stands for
 * itself. Unlike URLDecoder it is strict: '%' not followed by two hex digits
 * is ERR_INVALID_ENCODING, and so is a result that fails text_check().
 * On success '*out' is a new NUL-terminated string of '*out_size' bytes. */
struct err *text_url_decode(const char *in, size_t size, const char *field, char **out,
                            size_t *out_size) _warn_unused_;

/* Checks that 's' (of 'size' bytes) is valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) without NUL or C0 controls other than
 * tab, CR and LF. Returns ERR_INVALID_ENCODING naming 'field' and the byte
 * offset otherwise. */
struct err *text_check(const char *s, size_t size, const char *field) _warn_unused_;

/* Returns the length of the valid UTF-8 sequence at the start of 's' (at most
 * 'size' bytes), or 0 if there is none. */
size_t text_utf8_sequence_size(const unsigned char *s, size_t size);

/* Returns 's' in single quotes for an error message: valid UTF-8 is kept,
 * control characters and invalid bytes become \xNN, and text beyond
 * 'max_len' characters is cut with '...'. Always valid UTF-8. */
char *text_quote_for_message(const char *s, size_t max_len);

/* 'path' with each run of '/' made one: the file the kernel would open
 * (CloudStack's rewrite writes "DIR//csdpdk-N"). */
char *text_single_slashes(const char *path);

/* Sorts the '*n' strings of 'strings' (malloc'ed, owned by the array) by
 * strcmp() and frees each repeated one, so that every string is there
 * once; '*n' becomes the number kept. */
void text_sort_unique(char **strings, size_t *n);

/* Is 's' a number of seconds above 0 and at most 'max' (fractions
 * allowed, nothing around it)? Sets '*seconds' when it is. */
bool text_seconds(const char *s, double max, double *seconds);

#endif
