/* The ports of one migration, found by their operation id. */
#ifndef CSDPDK_MIGRATION_OPS_H
#define CSDPDK_MIGRATION_OPS_H

#include "helper/ovsdb.h"
#include "helper/verb.h"

#include "helper/request.h"

/* Reads {"op_id": ID} and the 'n_extra' optional fields of 'extra' (at
 * most 4) from ctx->request, opens OVSDB and finds the ports tagged with
 * it (read with 'flags', as for ovsdb_ports_select()). '*op_id' borrows
 * from the request. */
struct err *mig_op_ports(struct verb_context *ctx, struct request_field *extra, size_t n_extra, unsigned flags,
                         const char **op_id, struct ovsdb **db, struct ovs_port_list *ports)
    _warn_unused_;

/* The names of 'ports' as a JSON array. */
json_t *mig_port_names(const struct ovs_port_list *ports);

#endif
