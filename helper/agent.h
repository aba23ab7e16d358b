/* The CloudStack agent's settings (agent.properties) that csdpdk reads. */
#ifndef CSDPDK_AGENT_H
#define CSDPDK_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/error.h"

#define AGENT_DEFAULT_SOCKET_DIR "/var/run/openvswitch"

struct agent_config {
    bool found;          /* the file exists */
    char *bridge_type;   /* network.bridge.type, or NULL */
    char *dpdk_enabled;  /* openvswitch.dpdk.enabled as written, or NULL */
    char *socket_dir;    /* openvswitch.dpdk.ovs.path, normalised; the default when unset */
    bool socket_dir_set; /* openvswitch.dpdk.ovs.path was set */
};

void agent_config_clear(struct agent_config *cfg);

/* Reads 'path' with the syntax of java.util.Properties. A missing file
 * gives the defaults and cfg->found false; an unreadable one is an error.
 * The socket directory is normalised (no doubled or trailing '/'), and must
 * be absolute: ERR_INVALID_REQUEST naming the key otherwise. */
struct err *agent_config_load(const char *path, struct agent_config *cfg) _warn_unused_;

/* Sets '*value' (and '*value_len', unless NULL: U+0000 is a NUL byte in
 * it) to the value of 'key' in the properties file content
 * text[0..size), read exactly as java.util.Properties.load(InputStream)
 * reads it (ISO-8859-1 bytes; LF, CR or CRLF line ends; '#' and '!'
 * comments; '=', ':' or blanks between key and value; '\' continuations and
 * escapes, \uXXXX included), as UTF-8, or to NULL when the key is absent.
 * A malformed \uXXXX anywhere is ERR_INVALID_REQUEST, as Java refuses the
 * whole file. Exposed for the tests. */
struct err *agent_properties_get(const char *text, size_t size, const char *key, char **value,
                                 size_t *value_len) _warn_unused_;

/* 'dir' with doubled and trailing '/' removed ("/" stays "/"). */
char *agent_normalise_dir(const char *dir);

#endif
