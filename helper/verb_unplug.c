/* unplug: remove a VM's ports, or named csdpdk-N ports (docs/design.md section 4).
 * Only ports owned by the VM, or named, are touched; an absent port is a
 * warning, so that unplugging twice succeeds. With the VM's MACs, its ports
 * are found by their MAC-derived row UUIDs (indexed lookups) instead of a
 * scan of the Interface table for its vm-id. */
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/request.h"
#include "helper/validate.h"
#include "helper/verb.h"
#include "helper/vm_request.h"
#include "helper/text.h"

#define NAMES_MAX 256

struct err *verb_unplug_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    json_t *vm = NULL, *ports = NULL, *macs = NULL;
    struct request_field fields[] = {
        {"vm", REQ_OBJECT, false, false, &vm},
        {"ports", REQ_ARRAY, false, false, &ports},
        {"macs", REQ_ARRAY, false, false, &macs},
    };
    _cleanup_free_ char *vm_uuid = NULL;

    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e && vm) {
        e = request_vm_uuid(vm, &vm_uuid);
    }
    if (e) {
        return e;
    }
    if (!vm && !ports) {
        return err_new(ERR_INVALID_REQUEST, NULL, "give vm.uuid, ports, or both");
    }
    if (macs && (!vm || ports)) {
        return err_new(ERR_INVALID_REQUEST, "macs", "macs go with vm.uuid, and not with ports");
    }
    size_t n_macs = json_array_size(macs);
    if (macs && (n_macs == 0 || n_macs > VM_NICS_MAX)) {
        return err_new(ERR_INVALID_REQUEST, "macs", "macs lists 1 to %d MACs", VM_NICS_MAX);
    }
    _cleanup_(mem_strv_freep) char **mac_list = mem_new0(char *, n_macs + 1);
    for (size_t i = 0; i < n_macs; i++) {
        _cleanup_free_ char *field = mem_asprintf("macs[%zu]", i);
        const json_t *mac = json_array_get(macs, i);
        if (!json_is_string(mac)) {
            return err_new(ERR_INVALID_MAC, field, "%s must be a MAC string", field);
        }
        if ((e = validate_mac(json_string_value(mac), field, &mac_list[i]))) {
            return e;
        }
    }

    /* Every name is checked before anything runs. */
    size_t n_names = json_array_size(ports);
    if (n_names > NAMES_MAX) {
        return err_new(ERR_INVALID_REQUEST, "ports", "at most %d ports at a time", NAMES_MAX);
    }
    _cleanup_free_ struct ovs_select *queries = mem_new0(struct ovs_select, n_names + n_macs + 1);
    size_t n_queries = 0;
    for (size_t i = 0; i < n_macs; i++) {
        queries[n_queries++] = (struct ovs_select){OVS_SELECT_MAC, mac_list[i]};
    }
    for (size_t i = 0; i < n_names; i++) {
        const json_t *name = json_array_get(ports, i);
        _cleanup_free_ char *field = mem_asprintf("ports[%zu]", i);
        if (!json_is_string(name) || !ovsdb_is_port_name(json_string_value(name))) {
            _cleanup_free_ char *text = json_is_string(name) ? mem_strdup(json_string_value(name))
                                                             : json_dumps(name, JSON_ENCODE_ANY);
            _cleanup_free_ char *shown = text_quote_for_message(text ? text : "?", 64);
            return err_new(ERR_INVALID_PORT_NAME, field,
                           "%s is not a csdpdk port name (csdpdk-N); nothing was removed", shown);
        }
        queries[n_queries++] = (struct ovs_select){OVS_SELECT_NAME, json_string_value(name)};
    }
    if (vm_uuid && !ports && !macs) {
        queries[n_queries++] = (struct ovs_select){OVS_SELECT_VM, vm_uuid};
    }

    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};
    if ((e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db)) ||
        (e = ovsdb_ports_select(db, queries, n_queries, 0, &found))) {
        return e;
    }
    /* A MAC whose port csdpdk did not make (its row UUID is not the MAC's):
     * look at the VM's ports after all. */
    if (macs && found.n < n_macs) {
        queries[n_queries++] = (struct ovs_select){OVS_SELECT_VM, vm_uuid};
        ovs_port_list_clear(&found);
        if ((e = ovsdb_ports_select(db, queries, n_queries, 0, &found))) {
            return e;
        }
    }
    /* What goes (borrowed from 'found'): with macs, only their ports. */
    _cleanup_free_ struct ovs_port *doomed = mem_new0(struct ovs_port, found.n + 1);
    size_t n_doomed = 0;
    for (size_t i = 0; i < found.n; i++) {
        bool listed = !macs;
        for (size_t k = 0; k < n_macs && !listed; k++) {
            listed = found.ports[i].mac && streq(found.ports[i].mac, mac_list[k]);
        }
        if (listed) {
            doomed[n_doomed++] = found.ports[i];
        }
    }

    /* Named ports of another VM stay: the caller named the wrong ones. */
    for (size_t i = 0; vm_uuid && i < n_doomed; i++) {
        const struct ovs_port *p = &doomed[i];
        if (p->vm_id && !streq(p->vm_id, vm_uuid)) {
            return err_new(ERR_PORT_CONFLICT, macs ? "macs" : "ports",
                           "port '%s' belongs to VM %s, not %s; nothing was removed", p->name,
                           p->vm_id, vm_uuid);
        }
    }

    json_t *removed = json_array();
    json_t *absent = json_array();
    for (size_t i = 0; i < n_doomed; i++) {
        json_array_append_new(removed, json_string(doomed[i].name));
    }
    for (size_t i = 0; i < n_names; i++) {
        const char *name = json_string_value(json_array_get(ports, i));
        bool seen = ovs_port_list_find(&found, name) != NULL;
        for (size_t k = 0; k < i && !seen; k++) {
            seen = streq(json_string_value(json_array_get(ports, k)), name);
        }
        if (!seen) {
            json_array_append_new(absent, json_string(name));
            json_array_append_new(ctx->warnings, json_sprintf("port '%s' does not exist", name));
        }
    }
    for (size_t i = 0; i < n_macs; i++) {
        bool seen = false;
        for (size_t k = 0; k < n_doomed && !seen; k++) {
            seen = doomed[k].mac && streq(doomed[k].mac, mac_list[i]);
        }
        if (!seen) {
            json_array_append_new(ctx->warnings,
                                  json_sprintf("VM %s has no port for MAC %s", vm_uuid, mac_list[i]));
        }
    }
    if (!ports && !macs && found.n == 0) {
        json_array_append_new(ctx->warnings, json_sprintf("VM %s has no ports", vm_uuid));
    }

    if (n_doomed && !o->dry_run) {
        _cleanup_free_ char *comment = mem_asprintf("csdpdk unplug: %s", vm_uuid ? vm_uuid : "by name");
        e = ovsdb_ports_delete(db, doomed, n_doomed, comment);
    }
    if (e) {
        json_decref(removed);
        json_decref(absent);
        return e;
    }
    if (o->dry_run && n_doomed) {
        json_array_append_new(ctx->warnings, json_string("dry run: nothing was removed"));
    }
    *result = json_pack("{s:o, s:o}", "removed", removed, "absent", absent);
    return NULL;
}
