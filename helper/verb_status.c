/* status: VM -> MAC -> port -> socket -> OVS link state, from OVSDB. */
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/request.h"
#include "helper/verb.h"

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *port_json(const struct ovs_port *p)
{
    /* OVS's side of the socket: dpdkvhostuserclient is OVS as the client,
     * so csdpdk's mode 'client' (QEMU owns the socket). */
    const char *mode = !p->type ? NULL
                       : streq(p->type, "dpdkvhostuserclient") ? "client"
                       : streq(p->type, "dpdkvhostuser") ? "server" : NULL;
    const char *socket = p->server_path ? p->server_path : p->status_socket;
    json_t *connected = p->status_link ? json_boolean(streq(p->status_link, "connected"))
                                       : json_null();
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "port", p->name,
                     "bridge", string_or_null(p->bridge),
                     "type", string_or_null(p->type),
                     "mode", string_or_null(mode),
                     "owner", string_or_null(p->vm_id),
                     "mac", string_or_null(p->mac),
                     "socket", string_or_null(socket),
                     "connected", connected,
                     "numa", string_or_null(p->status_numa),
                     "queues", p->queues >= 0 ? json_integer(p->queues) : json_null(),
                     "error", string_or_null(p->error),
                     "link_state", string_or_null(p->link_state),
                     "ofport", p->ofport >= 0 ? json_integer(p->ofport) : json_null(),
                     "op_id", string_or_null(p->op_id));
}

struct err *verb_status_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    json_t *vm = NULL;
    struct request_field fields[] = {{"vm", REQ_OBJECT, false, false, &vm}};
    _cleanup_free_ char *vm_uuid = NULL;

    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e && vm) {
        e = request_vm_uuid(vm, &vm_uuid);
    }
    if (e) {
        return e;
    }

    struct ovs_select query = vm_uuid ? (struct ovs_select){OVS_SELECT_VM, vm_uuid}
                                      : (struct ovs_select){OVS_SELECT_VHOST, NULL};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};
    if ((e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db)) ||
        (e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_STATUS, &found))) {
        return e;
    }

    json_t *ports = json_array();
    for (size_t i = 0; i < found.n; i++) {
        json_array_append_new(ports, port_json(&found.ports[i]));
    }
    *result = json_pack("{s:o}", "ports", ports);
    return NULL;
}
