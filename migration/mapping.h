/* The mapping of a migration: each vhost-user NIC's socket on the
 * destination, by MAC, in CloudStack's DpdkTO shape:
 *   {"02:00:18:91:00:10": {"path": "/var/run/openvswitch", "port": "csdpdk-7",
 *                          "mode": "server"}}
 * where path is the socket directory and mode libvirt's <source mode>. */
#ifndef CSDPDK_MIGRATION_MAPPING_H
#define CSDPDK_MIGRATION_MAPPING_H

#include <jansson.h>
#include <stddef.h>

#include "helper/error.h"

struct mig_target {
    char *mac;        /* lower case */
    char *path;       /* the JSON's, its '/'s single, none at the end (but for "/") */
    const char *port;
    const char *mode;
};

struct mig_mapping {
    struct mig_target *targets;
    size_t n;
};

void mig_mapping_clear(struct mig_mapping *m);

/* Reads and checks 'object' (field 'field'): MACs (each once), absolute
 * directories without a '..', csdpdk-N ports (each once), modes client or
 * server, socket paths within 107 bytes. Borrows the port and mode strings
 * from 'object'. */
struct err *mig_mapping_parse(const json_t *object, const char *field, struct mig_mapping *out)
    _warn_unused_;

const struct mig_target *mig_mapping_find(const struct mig_mapping *m, const char *mac);

/* The socket of 't' on the destination: its directory and port. */
char *mig_target_socket(const struct mig_target *t);

#endif
