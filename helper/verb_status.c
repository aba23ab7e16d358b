/* status: VM -> MAC -> port -> socket -> OVS link state, from OVSDB. */
#include <string.h>

#include "helper/mem.h"
#include "helper/output.h"
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
    enum ovs_port_owner owner = ovs_port_owner(p);
    json_t *port = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
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
    json_object_set_new(port, "owned_by", json_string(ovs_port_owner_name(owner)));
    json_object_set_new(port, "nic", string_or_null(owner != OVS_OWNER_FOREIGN ? p->iface_id : NULL));
    json_object_set_new(port, "adopted", json_boolean(owner == OVS_OWNER_VM && p->adopted));
    return port;
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

/* The VM column: the VM, "(not bound)" for a NIC's port, "-" for a port
 * csdpdk does not own. */
static const char *owner_text(const json_t *p)
{
    return streq(output_text_or_dash(json_object_get(p, "owned_by")), "nic") ? "(not bound)"
                                                                  : output_text_or_dash(json_object_get(p, "owner"));
}

/* For a person: one line per port, in at most 100 columns (a full VM UUID
 * included); bridge, socket, NUMA node, ofport, error and migration with
 * --verbose, under each line. */
void verb_status_text(FILE *out, const json_t *result, bool verbose)
{
    static const char *const head[] = {"PORT", "VM", "MAC", "MODE", "CONN", "LINK", "QUEUES"};
    const json_t *ports = json_object_get(result, "ports");
    size_t n = json_array_size(ports), i;
    int width[7];
    json_t *p;

    for (size_t c = 0; c < 7; c++) {
        width[c] = (int) strlen(head[c]);
    }
    json_array_foreach(ports, i, p) {
        const char *cells[] = {output_text_or_dash(json_object_get(p, "port")), owner_text(p),
                               output_text_or_dash(json_object_get(p, "mac")), output_text_or_dash(json_object_get(p, "mode"))};
        for (size_t c = 0; c < 4; c++) {
            width[c] = (int) strlen(cells[c]) > width[c] ? (int) strlen(cells[c]) : width[c];
        }
    }
    if (n == 0) {
        fprintf(out, "no vhost-user port\n");
        return;
    }
    fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", width[0], head[0], width[1], head[1],
            width[2], head[2], width[3], head[3], width[4], head[4], width[5], head[5], head[6]);
    json_array_foreach(ports, i, p) {
        const json_t *connected = json_object_get(p, "connected");
        const json_t *queues = json_object_get(p, "queues");
        char q[24] = "-";
        if (json_is_integer(queues)) {
            snprintf(q, sizeof q, "%lld", (long long) json_integer_value(queues));
        }
        fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", width[0],
                output_text_or_dash(json_object_get(p, "port")), width[1], owner_text(p),
                width[2], output_text_or_dash(json_object_get(p, "mac")), width[3],
                output_text_or_dash(json_object_get(p, "mode")), width[4],
                json_is_true(connected) ? "yes" : json_is_false(connected) ? "no" : "-", width[5],
                output_text_or_dash(json_object_get(p, "link_state")), q);
        if (verbose) {
            const json_t *ofport = json_object_get(p, "ofport");
            char of[24] = "-";
            if (json_is_integer(ofport)) {
                snprintf(of, sizeof of, "%lld", (long long) json_integer_value(ofport));
            }
            fprintf(out, "    bridge %s, ofport %s, numa %s, socket %s\n",
                    output_text_or_dash(json_object_get(p, "bridge")), of, output_text_or_dash(json_object_get(p, "numa")),
                    output_text_or_dash(json_object_get(p, "socket")));
            if (json_is_string(json_object_get(p, "error"))) {
                fprintf(out, "    error: %s\n", output_text_or_dash(json_object_get(p, "error")));
            }
            if (streq(output_text_or_dash(json_object_get(p, "owned_by")), "nic")) {
                fprintf(out, "    NIC %s's port, not bound to its VM yet\n",
                        output_text_or_dash(json_object_get(p, "nic")));
            } else if (streq(output_text_or_dash(json_object_get(p, "owned_by")), "none")) {
                fprintf(out, "    not csdpdk's (adopt takes it in)\n");
            }
            if (json_is_true(json_object_get(p, "adopted"))) {
                fprintf(out, "    adopted\n");
            }
            if (json_is_string(json_object_get(p, "op_id"))) {
                fprintf(out, "    migration %s in flight\n", output_text_or_dash(json_object_get(p, "op_id")));
            }
        }
    }
}
