/* plug: create (or find) the OVS ports of a VM's DPDK NICs (DESIGN.md
 * sections 4 and 5). All new ports of a request are created in one OVSDB
 * transaction; plugging the same (VM, MAC) again writes nothing. */
#include "helper/agent.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/request.h"
#include "helper/validate.h"
#include "helper/verb.h"
#include "offerings/details.h"
#include "offerings/text.h"

#define NICS_MAX 64
#define QUEUES_MAX 256

struct nic {
    char *mac;
    const char *bridge;
    int vlan; /* 0: none */
    int queues;
    char *uuid; /* the NIC's, for iface-id; NULL when not given */
    /* The outcome. */
    char *port;
    bool created;
};

struct plug {
    char *vm_uuid;
    struct nic *nics;
    size_t n_nics;
    struct dpdk_details *details;
    struct agent_config agent;
};

static void plug_clear(struct plug *p)
{
    for (size_t i = 0; i < p->n_nics; i++) {
        free(p->nics[i].mac);
        free(p->nics[i].uuid);
        free(p->nics[i].port);
    }
    free(p->nics);
    free(p->vm_uuid);
    dpdk_details_free(p->details);
    agent_config_clear(&p->agent);
}

static struct err *parse_vlan(const json_t *v, const char *field, int *vlan)
{
    *vlan = 0;
    if (!v) {
        return NULL;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 4094) {
        _cleanup_free_ char *text = json_dumps(v, JSON_ENCODE_ANY);
        _cleanup_free_ char *shown = text_quote_for_message(text ? text : "?", 32);
        return err_new(ERR_INVALID_VLAN, field,
                       "the VLAN must be a whole number from 1 to 4094, or null for none; not %s",
                       shown);
    }
    *vlan = (int) json_integer_value(v);
    return NULL;
}

static struct err *parse_nic(const json_t *j, size_t i, struct nic *nic)
{
    _cleanup_free_ char *path = mem_asprintf("nics[%zu]", i);
    json_t *mac, *bridge, *vlan, *model, *queues, *uuid;
    struct request_field fields[] = {
        {"mac", REQ_STRING, true, false, &mac},
        {"bridge", REQ_STRING, true, false, &bridge},
        {"vlan", REQ_ANY, false, true, &vlan},
        {"model", REQ_STRING, false, false, &model},
        {"queues", REQ_INTEGER, false, false, &queues},
        {"uuid", REQ_STRING, false, false, &uuid},
    };
    if (!json_is_object(j)) {
        return err_new(ERR_INVALID_REQUEST, path, "%s must be an object", path);
    }
    struct err *e = request_fields(j, path, fields, ARRAY_SIZE(fields));
    if (e) {
        return e;
    }

    _cleanup_free_ char *f_mac = request_path(path, "mac");
    _cleanup_free_ char *f_bridge = request_path(path, "bridge");
    _cleanup_free_ char *f_vlan = request_path(path, "vlan");
    _cleanup_free_ char *f_model = request_path(path, "model");
    _cleanup_free_ char *f_queues = request_path(path, "queues");
    _cleanup_free_ char *f_uuid = request_path(path, "uuid");

    if ((e = validate_mac(json_string_value(mac), f_mac, &nic->mac)) ||
        (e = validate_bridge(json_string_value(bridge), f_bridge)) ||
        (e = parse_vlan(vlan, f_vlan, &nic->vlan))) {
        return e;
    }
    nic->bridge = json_string_value(bridge);
    if (model && !streq(json_string_value(model), "virtio")) {
        _cleanup_free_ char *shown = text_quote_for_message(json_string_value(model), 32);
        return err_new(ERR_INVALID_REQUEST, f_model,
                       "vhost-user works with the model 'virtio' only, not %s", shown);
    }
    nic->queues = queues ? (int) json_integer_value(queues) : 1;
    if (queues && (json_integer_value(queues) < 1 || json_integer_value(queues) > QUEUES_MAX)) {
        return err_new(ERR_INVALID_REQUEST, f_queues, "queues must be from 1 to %d", QUEUES_MAX);
    }
    if (uuid) {
        return validate_uuid(json_string_value(uuid), f_uuid, &nic->uuid);
    }
    return NULL;
}

static struct err *parse_request(const struct verb_context *ctx, struct plug *p)
{
    json_t *vm, *nics, *details, *uuid, *name, *vcpus, *memory;
    struct request_field fields[] = {
        {"vm", REQ_OBJECT, true, false, &vm},
        {"nics", REQ_ARRAY, true, false, &nics},
        {"details", REQ_OBJECT, true, false, &details},
    };
    struct request_field vm_fields[] = {
        {"uuid", REQ_STRING, true, false, &uuid},
        {"name", REQ_STRING, false, false, &name},
        {"vcpus", REQ_INTEGER, false, false, &vcpus},
        {"memory_kib", REQ_INTEGER, false, false, &memory},
    };
    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e) {
        e = request_fields(vm, "vm", vm_fields, ARRAY_SIZE(vm_fields));
    }
    if (!e) {
        e = validate_uuid(json_string_value(uuid), "vm.uuid", &p->vm_uuid);
    }
    if (e) {
        return e;
    }
    if (vcpus && (json_integer_value(vcpus) < 1 || json_integer_value(vcpus) > 4096)) {
        return err_new(ERR_INVALID_REQUEST, "vm.vcpus", "vm.vcpus must be from 1 to 4096");
    }
    if (memory && json_integer_value(memory) < 1) {
        return err_new(ERR_INVALID_REQUEST, "vm.memory_kib", "vm.memory_kib must be at least 1");
    }

    size_t n = json_array_size(nics);
    if (n < 1 || n > NICS_MAX) {
        return err_new(ERR_INVALID_REQUEST, "nics", "nics must hold 1 to %d NICs, not %zu",
                       NICS_MAX, n);
    }
    p->nics = mem_new0(struct nic, n);
    p->n_nics = n;
    for (size_t i = 0; i < n; i++) {
        if ((e = parse_nic(json_array_get(nics, i), i, &p->nics[i]))) {
            return e;
        }
        for (size_t j = 0; j < i; j++) {
            if (streq(p->nics[i].mac, p->nics[j].mac)) {
                _cleanup_free_ char *field = mem_asprintf("nics[%zu].mac", i);
                return err_new(ERR_INVALID_MAC, field, "MAC %s is given twice (nics[%zu])",
                               p->nics[i].mac, j);
            }
        }
    }

    _cleanup_(request_details_clear) struct request_details d = {0};
    if ((e = request_details_parse(details, "details", &d)) ||
        (e = details_decode(&d.view, "details", &p->details))) {
        return e;
    }
    if (!p->details->dpdk) {
        return err_new(ERR_INVALID_REQUEST, "details",
                       "the VM is not DPDK-enabled: it needs both " DETAIL_NUMA " and "
                       DETAIL_HUGEPAGES " (from the offering or the VM)");
    }
    for (size_t i = 0; i < p->details->n_warnings; i++) {
        json_array_append_new(ctx->warnings, json_string(p->details->warnings[i]));
    }
    return NULL;
}

/* The socket of 'port': <socket dir>/<port>, in both modes. */
static char *socket_path(const struct plug *p, const char *port)
{
    return mem_asprintf("%s/%s", p->agent.socket_dir, port);
}

/* A port already there for this VM and MAC must be the one asked for. */
static struct err *check_existing(const struct plug *p, const struct nic *nic, size_t i,
                                  const struct ovs_port *port)
{
    const struct vhost_mode_info *mode = vhost_mode_info(p->details->mode);
    _cleanup_free_ char *path = socket_path(p, port->name);
    _cleanup_free_ char *field = mem_asprintf("nics[%zu]", i);
    const char *want_path = mode->ovs_owns_socket ? NULL : path;
    const char *differs = NULL;
    _cleanup_free_ char *detail = NULL;

    if (!port->bridge || !streq(port->bridge, nic->bridge)) {
        differs = "bridge";
        detail = mem_asprintf("is on bridge '%s', not '%s'", port->bridge ? port->bridge : "(none)",
                              nic->bridge);
    } else if (port->vlan != nic->vlan) {
        differs = "vlan";
        detail = mem_asprintf("has VLAN %d, not %d (0: none)", port->vlan, nic->vlan);
    } else if (!port->type || !streq(port->type, mode->port_type)) {
        differs = "mode";
        detail = mem_asprintf("has type '%s', not '%s'", port->type ? port->type : "", mode->port_type);
    } else if ((want_path == NULL) != (port->server_path == NULL) ||
               (want_path && !streq(want_path, port->server_path))) {
        differs = "socket";
        detail = mem_asprintf("has vhost-server-path '%s', not '%s'",
                              port->server_path ? port->server_path : "", want_path ? want_path : "");
    }
    if (differs) {
        return err_new(ERR_PORT_MISMATCH, field,
                       "port '%s' of this VM and MAC %s %s; unplug it first to change its %s",
                       port->name, nic->mac, detail, differs);
    }
    return NULL;
}

/* Matches every NIC with what OVSDB has: its own port (kept), another VM's
 * port with its MAC (a conflict), or nothing (to create). One lookup by
 * MAC per NIC answers all three; it is the only scan of a plug that
 * creates ports (OVSDB indexes nothing else), so keep it that way. */
static struct err *survey(struct ovsdb *db, struct plug *p, size_t *n_new)
{
    _cleanup_free_ struct ovs_select *queries = mem_new0(struct ovs_select, p->n_nics);
    for (size_t i = 0; i < p->n_nics; i++) {
        queries[i] = (struct ovs_select){OVS_SELECT_MAC, p->nics[i].mac};
    }
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};
    struct err *e = ovsdb_ports_select(db, queries, p->n_nics, 0, &found);
    if (e) {
        return e;
    }

    *n_new = 0;
    for (size_t i = 0; i < p->n_nics; i++) {
        struct nic *nic = &p->nics[i];
        for (size_t k = 0; k < found.n && !nic->port; k++) {
            const struct ovs_port *port = &found.ports[k];
            if (!port->mac || !streq(port->mac, nic->mac)) {
                continue;
            }
            _cleanup_free_ char *field = mem_asprintf("nics[%zu].mac", i);
            if (!port->vm_id || !streq(port->vm_id, p->vm_uuid)) {
                return err_new(ERR_PORT_CONFLICT, field,
                               "MAC %s is on port '%s' of VM %s; csdpdk leaves that port alone",
                               nic->mac, port->name, port->vm_id ? port->vm_id : "(unknown)");
            }
            if ((e = check_existing(p, nic, i, port))) {
                return e;
            }
            nic->port = mem_strdup(port->name);
        }
        *n_new += !nic->port;
    }
    return NULL;
}

static struct err *check_bridges(struct ovsdb *db, const struct plug *p)
{
    _cleanup_free_ const char **names = mem_new0(const char *, p->n_nics);
    _cleanup_free_ size_t *index = mem_new0(size_t, p->n_nics);
    size_t n = 0;
    for (size_t i = 0; i < p->n_nics; i++) {
        if (!p->nics[i].port) {
            index[n] = i;
            names[n++] = p->nics[i].bridge;
        }
    }
    int missing = -1;
    struct err *e = ovsdb_bridges_check(db, names, n, &missing);
    if (!e && missing >= 0) {
        _cleanup_free_ char *field = mem_asprintf("nics[%zu].bridge", index[missing]);
        e = err_new(ERR_UNKNOWN_BRIDGE, field, "no bridge named '%s'; nothing was created",
                    names[missing]);
    }
    return e;
}

static struct err *create_ports(struct ovsdb *db, struct plug *p, size_t n_new, bool dry_run)
{
    const struct vhost_mode_info *mode = vhost_mode_info(p->details->mode);
    _cleanup_free_ struct ovs_port_spec *specs = mem_new0(struct ovs_port_spec, n_new);
    _cleanup_free_ struct nic **targets = mem_new0(struct nic *, n_new);
    size_t k = 0;

    for (size_t i = 0; i < p->n_nics; i++) {
        struct nic *nic = &p->nics[i];
        if (nic->port) {
            continue;
        }
        targets[k] = nic;
        specs[k++] = (struct ovs_port_spec){
            .bridge = nic->bridge,
            .type = mode->port_type,
            .socket_dir = mode->ovs_owns_socket ? NULL : p->agent.socket_dir,
            .vlan = nic->vlan,
            .vm_id = p->vm_uuid,
            .mac = nic->mac,
            .iface_id = nic->uuid ? nic->uuid : nic->mac,
        };
    }

    char **names = NULL;
    _cleanup_free_ char *comment = mem_asprintf("csdpdk plug: VM %s", p->vm_uuid);
    struct err *e = dry_run ? ovsdb_ports_predict(db, n_new, &names)
                            : ovsdb_ports_create(db, specs, n_new, comment, &names);
    if (e) {
        return e;
    }
    for (k = 0; k < n_new; k++) {
        targets[k]->port = TAKE_PTR(names[k]);
        targets[k]->created = true;
    }
    ovsdb_names_free(names, n_new);
    return NULL;
}

static json_t *plug_result(const struct plug *p)
{
    const struct vhost_mode_info *mode = vhost_mode_info(p->details->mode);
    json_t *ports = json_array();
    for (size_t i = 0; i < p->n_nics; i++) {
        const struct nic *nic = &p->nics[i];
        _cleanup_free_ char *path = socket_path(p, nic->port);
        json_array_append_new(ports,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}",
                                        "mac", nic->mac,
                                        "port", nic->port,
                                        "bridge", nic->bridge,
                                        "type", mode->port_type,
                                        "socket", path,
                                        "guest_mode", mode->guest_mode,
                                        "vlan", nic->vlan ? json_integer(nic->vlan) : json_null(),
                                        "created", nic->created));
    }
    return json_pack("{s:o, s:s, s:s?, s:s?}",
                     "ports", ports,
                     "mode", mode->name,
                     "numa", p->details->numa,
                     "hugepages", p->details->hugepages);
}

struct err *verb_plug_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    _cleanup_(plug_clear) struct plug p = {0};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    size_t n_new = 0;

    struct err *e = parse_request(ctx, &p);
    if (!e) {
        e = agent_config_load(o->agent_properties, &p.agent);
    }
    if (e) {
        return e;
    }
    if (!p.agent.found) {
        json_array_append_new(ctx->warnings,
                              json_sprintf("%s does not exist: the socket directory is %s",
                                           o->agent_properties, p.agent.socket_dir));
    }
    /* Every name csdpdk may choose must fit, so check the longest. */
    _cleanup_free_ char *longest = mem_asprintf("%s/%s", p.agent.socket_dir, "csdpdk-4294967295");
    if ((e = validate_socket_path(longest, "agent.properties:openvswitch.dpdk.ovs.path"))) {
        return err_prefix(e, "socket directory '%s' is too long for port names of up to %d bytes",
                          p.agent.socket_dir, OVSDB_PORT_NAME_MAX);
    }

    if ((e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db)) ||
        (e = survey(db, &p, &n_new))) {
        return e;
    }
    if (n_new && ((e = check_bridges(db, &p)) || (e = create_ports(db, &p, n_new, o->dry_run)))) {
        return e;
    }
    if (o->dry_run && n_new) {
        json_array_append_new(ctx->warnings,
                              json_string("dry run: nothing was changed; new ports get the first free names from those shown"));
    }
    *result = plug_result(&p);
    return NULL;
}
