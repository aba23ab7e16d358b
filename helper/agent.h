/* The CloudStack agent's settings (agent.properties) that csdpdk reads. */
#ifndef CSDPDK_AGENT_H
#define CSDPDK_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/error.h"

#define AGENT_DEFAULT_SOCKET_DIR "/var/run/openvswitch"

/* The keys of the agent's own settings that csdpdk reads. */
#define AGENT_KEY_BRIDGE_TYPE "network.bridge.type"
#define AGENT_KEY_DPDK_ENABLED "openvswitch.dpdk.enabled"
#define AGENT_KEY_SOCKET_DIR "openvswitch.dpdk.ovs.path"

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

/* Reads 'path' as agent_config_load() does: values[i] gets the value of
 * keys[i] (UTF-8; free each), or NULL when absent. A missing file sets
 * '*found' false and every value NULL; an unreadable one (or larger than
 * 1 MiB) is ERR_USAGE naming it; a malformed \uXXXX, or a value holding
 * U+0000, is ERR_INVALID_REQUEST. */
struct err *agent_properties_load(const char *path, const char *const *keys, size_t n_keys,
                                  char **values, bool *found) _warn_unused_;

/* The socket directory that openvswitch.dpdk.ovs.path 'value' (NULL or
 * empty: AGENT_DEFAULT_SOCKET_DIR) names, normalised, into '*dir'; not an
 * absolute path (or not text) is ERR_INVALID_REQUEST naming the key. */
struct err *agent_socket_dir_parse(const char *value, char **dir) _warn_unused_;

/* Does network.bridge.type 'bridge_type' (NULL: unset) make the agent use
 * Open vSwitch ("openvswitch" in any case, as BridgeType.valueOf of its
 * upper case)? */
bool agent_is_openvswitch(const char *bridge_type);

/* Is 'value' (NULL: unset) true as the agent reads a boolean
 * (commons-beanutils' BooleanConverter): true, yes, y, on or 1, in any case,
 * not trimmed? */
bool agent_is_true(const char *value);

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
