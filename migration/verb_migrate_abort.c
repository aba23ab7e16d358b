/* migrate-abort: on the destination, remove exactly the ports of op_id.
 * Safe to repeat: no port left is success. */
#include "helper/mem.h"
#include "migration/ops.h"

/* Reads and removals at most, while the ports change under abort. */
#define ABORT_PASSES 3

struct err *verb_migrate_abort_run(struct verb_context *ctx, json_t **result)
{
    const char *op_id = NULL;
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};

    struct err *e = mig_op_ports(ctx, NULL, 0, OVS_SELECT_WITH_IDS, &op_id, &db, &ports);
    /* Each port only as it was read: one a plug or migrate-prepare took
     * back meanwhile (its op_id tag cleared, or another's) is no longer
     * this operation's. */
    bool changed = true;
    for (int pass = 0; !e && ports.n && !ctx->options->dry_run && changed && pass < ABORT_PASSES; pass++) {
        _cleanup_free_ char *comment = mem_asprintf("csdpdk migrate-abort %s", op_id);
        e = ovsdb_ports_delete_unchanged(db, ports.ports, ports.n, comment, &changed);
        if (!e && changed) {
            const struct ovs_select query = {OVS_SELECT_OP, op_id};
            ovs_port_list_clear(&ports);
            e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_IDS, &ports);
        }
    }
    if (!e && ports.n && !ctx->options->dry_run && changed) {
        e = err_new(ERR_PORT_CONFLICT, NULL,
                    "the ports of op_id '%s' changed at each of %d attempts: nothing was removed; try again",
                    op_id, ABORT_PASSES);
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
