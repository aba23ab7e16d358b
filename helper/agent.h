/* The CloudStack agent's settings (agent.properties) that csdpdk reads. */
#ifndef CSDPDK_AGENT_H
#define CSDPDK_AGENT_H

#include <stdbool.h>

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

/* The value of 'key' in the properties text 'text' (Java syntax: '#' and
 * '!' comments, '=' ':' or blanks between key and value, '\' line
 * continuations and escapes), or NULL. Exposed for the unit tests. */
char *agent_properties_get(const char *text, const char *key);

/* 'dir' with doubled and trailing '/' removed ("/" stays "/"). */
char *agent_normalise_dir(const char *dir);

#endif
