#include "migration/ops.h"

#include "helper/request.h"
#include "helper/vm_request.h"

struct err *mig_op_ports(struct verb_context *ctx, struct request_field *extra, size_t n_extra, unsigned flags,
                         const char **op_id, struct ovsdb **db, struct ovs_port_list *ports)
{
    const struct options *o = ctx->options;
    json_t *id = NULL;
    struct request_field fields[5] = {{"op_id", REQ_STRING, true, false, &id}};
    for (size_t i = 0; i < n_extra && i + 1 < ARRAY_SIZE(fields); i++) {
        fields[i + 1] = extra[i];
    }
    size_t n_fields = n_extra + 1 < ARRAY_SIZE(fields) ? n_extra + 1 : ARRAY_SIZE(fields);
    struct err *e = request_fields(ctx->request, "", fields, n_fields);
    if (!e) {
        *op_id = json_string_value(id);
        e = vm_validate_op_id(*op_id, "op_id");
    }
    if (!e) {
        e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, db);
    }
    if (!e) {
        const struct ovs_select query = {OVS_SELECT_OP, *op_id};
        e = ovsdb_ports_select(*db, &query, 1, flags, ports);
    }
    return e;
}

json_t *mig_port_names(const struct ovs_port_list *ports)
{
    json_t *names = json_array();
    for (size_t i = 0; i < ports->n; i++) {
        json_array_append_new(names, json_string(ports->ports[i].name));
    }
    return names;
}
