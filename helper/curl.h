/* libcurl: the only file that knows it. Loaded on first use (helper/dl.h). */
#ifndef CSDPDK_CURL_H
#define CSDPDK_CURL_H

#include <stddef.h>

#include "helper/error.h"

/* Percent-decodes 'in' ('size' bytes) with curl_easy_unescape(). Every '%'
 * must already be followed by two hex digits: libcurl keeps bad escapes as
 * they are. '*out' is a new NUL-terminated string of '*out_size' bytes. */
struct err *libcurl_unescape(const char *in, size_t size, char **out, size_t *out_size)
    _warn_unused_;

/* The version of the libcurl that would be loaded ("7.88.1"). */
struct err *libcurl_version(char **out) _warn_unused_;

#endif
