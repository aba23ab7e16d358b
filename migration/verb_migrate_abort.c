/* migrate-abort: on the destination, remove exactly the ports of op_id.
 * Safe to repeat: no port left is success. */
#include "helper/mem.h"
#include "migration/ops.h"

struct err *verb_migrate_abort_run(struct verb_context *ctx, json_t **result)
{
    const char *op_id = NULL;
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};

    struct err *e = mig_op_ports(ctx, NULL, 0, &op_id, &db, &ports);
    if (!e && ports.n && !ctx->options->dry_run) {
        _cleanup_free_ char *comment = mem_asprintf("csdpdk migrate-abort %s", op_id);
        e = ovsdb_ports_delete(db, ports.ports, ports.n, comment);
    }
    if (e) {
        return e;
    }
    if (!ports.n) {
        json_array_append_new(ctx->warnings, json_sprintf("no port is tagged with op_id '%s'", op_id));
    } else if (ctx->options->dry_run) {
        json_array_append_new(ctx->warnings, json_string("dry run: nothing was removed"));
    }
    *result = json_pack("{s:o}", "removed", mig_port_names(&ports));
    return NULL;
}
