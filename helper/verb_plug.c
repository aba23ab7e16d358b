/* plug: create (or find) the OVS ports of a VM's DPDK NICs and render the
 * XML that uses them (helper/plug.c). */
#include "helper/plug.h"
#include "helper/probe.h"

struct err *verb_plug_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    _cleanup_(plug_clear) struct plug p = {0};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;

    _cleanup_(numa_host_clear) struct numa_host numa = {0};
    json_t *locality = NULL;
    struct err *e = plug_prepare(ctx, false, &p);
    if (!e) {
        e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    }
    if (!e) {
        /* Before anything changes: a VM the switch cannot serve is refused. */
        host_numa_read(o, db, 0, &numa);
        size_t size;
        const char *domain = plug_domain(&p, &size);
        _cleanup_free_ unsigned *queues = vm_request_nic_queues(&p.req);
        e = host_locality(&numa, domain, size, queues, p.req.n_nics, ctx->warnings, &locality);
    }
    if (!e) {
        e = plug_execute(db, &p, o->dry_run, ctx->warnings);
    }
    if (!e) {
        e = plug_apply(db, &p, o->ovsdb, o->dry_run, ctx->warnings);
    }
    if (!e) {
        e = plug_result(db, &p, o->dry_run, result);
    }
    if (!e) {
        json_object_set_new(*result, "locality", TAKE_PTR(locality));
    }
    json_decref(locality);
    return e;
}
