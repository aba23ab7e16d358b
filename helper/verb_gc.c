/* gc: find csdpdk's ports whose VM no longer runs, and with --apply remove
 * them. A port counts only if it is named csdpdk-N and carries csdpdk's
 * external_ids. A port of a migration in flight (csdpdk-op-id, made less
 * than OVS_MIGRATION_GRACE ago) is kept: its VM is not defined on this host
 * until the migration starts. An older tag is a migration whose abort never
 * came, and no longer protects the port. */
#include <time.h>

#include "helper/libvirt.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/verb.h"

struct err *verb_gc_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    const struct ovs_select query = {OVS_SELECT_VHOST, NULL};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(libvirt_closep) struct libvirt *lv = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};

    struct err *e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    if (!e) {
        e = ovsdb_ports_select(db, &query, 1, 0, &found);
    }
    if (e) {
        return e;
    }

    json_t *orphans = json_array();
    json_t *kept = json_array();
    _cleanup_free_ struct ovs_port *doomed = mem_new0(struct ovs_port, found.n + 1);
    size_t n_doomed = 0;

    long long now = (long long) time(NULL);
    for (size_t i = 0; i < found.n; i++) {
        const struct ovs_port *p = &found.ports[i];
        if (!ovsdb_is_port_name(p->name) || !p->vm_id) {
            continue; /* not csdpdk's: never touched */
        }
        if (ovs_port_migration_in_flight(p, now)) {
            json_array_append_new(kept, json_pack("{s:s, s:s, s:s}", "port", p->name, "vm",
                                                  p->vm_id, "reason", "migration in flight"));
            continue;
        }
        /* libvirt is asked only when there is a port to judge. */
        enum libvirt_domain_state state;
        if ((!lv && (e = libvirt_open(o->libvirt, &lv))) ||
            (e = libvirt_domain_state(lv, p->vm_id, &state))) {
            json_decref(orphans);
            json_decref(kept);
            return e;
        }
        if (state == LIBVIRT_DOMAIN_ACTIVE) {
            continue;
        }
        json_array_append_new(orphans, json_pack("{s:s, s:s, s:s?, s:s}", "port", p->name, "vm",
                                                 p->vm_id, "bridge", p->bridge, "domain",
                                                 libvirt_domain_state_name(state)));
        doomed[n_doomed++] = *p; /* borrowed: 'found' owns the strings */
    }

    json_t *removed = json_array();
    if (o->apply && !o->dry_run && n_doomed) {
        e = ovsdb_ports_delete(db, doomed, n_doomed, "csdpdk gc");
        if (e) {
            json_decref(orphans);
            json_decref(kept);
            json_decref(removed);
            return e;
        }
        for (size_t i = 0; i < n_doomed; i++) {
            json_array_append_new(removed, json_string(doomed[i].name));
        }
    }
    *result = json_pack("{s:o, s:o, s:o}", "orphans", orphans, "removed", removed, "kept", kept);
    return NULL;
}
