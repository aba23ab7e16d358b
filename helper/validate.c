#include "helper/validate.h"

#include <ctype.h>
#include <stdio.h>

#include "helper/mem.h"
#include "helper/text.h"

static bool is_hex_digit(char c)
{
    return isxdigit((unsigned char) c) != 0;
}

struct err *validate_mac(const char *mac, const char *field, char **normal)
{
    bool ok = strlen(mac) == 17;
    for (size_t i = 0; ok && i < 17; i++) {
        ok = i % 3 == 2 ? mac[i] == ':' : is_hex_digit(mac[i]);
    }
    _cleanup_free_ char *shown = text_quote_for_message(mac, 32);
    if (!ok) {
        return err_new(ERR_INVALID_MAC, field, "%s is not a MAC address like 02:00:4c:5f:00:01",
                       shown);
    }
    unsigned first = (unsigned) strtoul(mac, NULL, 16);
    if (first & 1) {
        return err_new(ERR_INVALID_MAC, field, "%s is a multicast address; a NIC needs a unicast one",
                       shown);
    }
    if (!strcmp(mac, "00:00:00:00:00:00")) {
        return err_new(ERR_INVALID_MAC, field, "%s is not a usable MAC address", shown);
    }
    *normal = mem_lower(mem_strdup(mac));
    return NULL;
}

struct err *validate_uuid(const char *uuid, const char *field, char **normal)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    const char *p = uuid;
    bool ok = strlen(uuid) == 36;
    for (size_t g = 0; ok && g < 5; g++) {
        for (int i = 0; ok && i < groups[g]; i++) {
            ok = is_hex_digit(*p++);
        }
        ok = ok && (g == 4 ? *p == '\0' : *p++ == '-');
    }
    if (!ok) {
        _cleanup_free_ char *shown = text_quote_for_message(uuid, 64);
        return err_new(ERR_INVALID_REQUEST, field, "%s is not a UUID", shown);
    }
    *normal = mem_lower(mem_strdup(uuid));
    return NULL;
}

struct err *validate_bridge(const char *name, const char *field)
{
    size_t len = strlen(name);
    if (len < 1 || len > 15 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len ||
        name[0] == '-' || !strcmp(name, ".") || !strcmp(name, "..")) {
        _cleanup_free_ char *shown = text_quote_for_message(name, 32);
        return err_new(ERR_INVALID_REQUEST, field,
                       "%s is not a bridge name: 1 to 15 of A-Z a-z 0-9 _ . -, not starting with '-'",
                       shown);
    }
    return NULL;
}

struct err *validate_socket_path(const char *path, const char *field)
{
    size_t size = strlen(path);
    if (size > VALIDATE_SOCKET_PATH_MAX) {
        _cleanup_free_ char *shown = text_quote_for_message(path, 160);
        return err_new(ERR_PATH_TOO_LONG, field,
                       "the socket path %s is %zu bytes; a unix socket path has at most %d",
                       shown, size, VALIDATE_SOCKET_PATH_MAX);
    }
    return NULL;
}
