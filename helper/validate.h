/* Checks of the values a request names on the host: pure functions. */
#ifndef CSDPDK_VALIDATE_H
#define CSDPDK_VALIDATE_H

#include <stdbool.h>

#include "helper/error.h"

#define VALIDATE_SOCKET_PATH_MAX 107 /* sizeof(sun_path) - 1 */

/* A unicast MAC "02:00:4c:5f:00:01" (hex in any case); '*normal' gets it in
 * lower case. ERR_INVALID_MAC for anything else, multicast and all-zero
 * included. */
struct err *validate_mac(const char *mac, const char *field, char **normal) _warn_unused_;

/* A UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"; '*normal' in lower case.
 * ERR_INVALID_REQUEST otherwise. */
struct err *validate_uuid(const char *uuid, const char *field, char **normal) _warn_unused_;

/* An OVS bridge name: 1 to 15 of A-Z a-z 0-9 _ . - (a Linux interface name
 * that needs no quoting anywhere). ERR_INVALID_REQUEST otherwise. */
struct err *validate_bridge(const char *name, const char *field) _warn_unused_;

/* A socket path within sun_path. ERR_PATH_TOO_LONG otherwise. */
struct err *validate_socket_path(const char *path, const char *field) _warn_unused_;

#endif
