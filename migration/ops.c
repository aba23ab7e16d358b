#include "migration/ops.h"

#include "helper/request.h"
#include "helper/vm_request.h"

struct err *mig_op_ports(struct verb_context *ctx, const char **op_id, struct ovsdb **db,
                         struct ovs_port_list *ports)
{
    const struct options *o = ctx->options;
    json_t *id = NULL;
    struct request_field fields[] = {{"op_id", REQ_STRING, true, false, &id}};
    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e) {
        *op_id = json_string_value(id);
        e = vm_validate_op_id(*op_id, "op_id");
    }
    if (!e) {
        e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, db);
    }
    if (!e) {
        const struct ovs_select query = {OVS_SELECT_OP, *op_id};
        e = ovsdb_ports_select(*db, &query, 1, 0, ports);
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
