/* Plugging a VM's DPDK NICs: what plug does and migrate-prepare does on
 * the destination (docs/design.md sections 4, 5 and 7). All new ports of a
 * request are created in one OVSDB transaction; plugging the same (VM, MAC)
 * again writes nothing. Everything that can be checked is checked before
 * OVSDB is touched. */
#include "helper/plug.h"

#include <sys/stat.h>

#include <stdio.h>
#include <time.h>

#include "helper/domain.h"
#include "helper/failpoint.h"
#include "helper/mem.h"
#include "helper/text.h"
#include "helper/probe.h"
#include "helper/validate.h"

/* What the wait for the switch leaves of --timeout, to undo the plug. */
#define PLUG_UNDO_RESERVE_MS 1000

void plug_clear(struct plug *p)
{
    for (size_t i = 0; i < p->req.n_nics; i++) {
        free(p->ports ? p->ports[i] : NULL);
    }
    free(p->ports);
    free(p->created);
    free(p->retags);
    free(p->domain);
    ovs_port_list_clear(&p->found);
    vm_request_clear(&p->req);
    agent_config_clear(&p->agent);
    libvirt_close(p->lv);
    *p = (struct plug){0};
}

static void set_port(struct plug *p, size_t i, char *name, bool created)
{
    free(p->ports[i]);
    p->ports[i] = name;
    p->req.nics[i].port = name;
    p->created[i] = created;
}

/* Paths equal but for doubled '/' (CloudStack's own may have them). */
static bool same_path(const char *a, const char *b)
{
    _cleanup_free_ char *na = text_single_slashes(a);
    _cleanup_free_ char *nb = text_single_slashes(b);
    return streq(na, nb);
}

/* A port already there for this VM and MAC must be the one asked for. */
static struct err *check_existing(const struct plug *p, size_t i, const struct ovs_port *port)
{
    const struct vhost_mode_info *mode = vhost_mode_info(p->req.details->mode);
    const struct vm_nic *nic = &p->req.nics[i];
    _cleanup_free_ char *path = vm_socket_path(p->agent.socket_dir, port->name);
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
               (want_path && !same_path(want_path, port->server_path))) {
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

/* Whose port 'port' (found by the MAC of NIC 'i') is, for this request:
 * NULL when the request may take it, else the error. '*bind' is set when it
 * is the NIC's port, not bound yet, and the request names the VM. */
static struct err *judge_owner(const struct plug *p, size_t i, const struct ovs_port *port,
                               bool *bind)
{
    const struct vm_nic *nic = &p->req.nics[i];
    enum ovs_port_owner owner = ovs_port_owner(port);
    bool same_nic = nic->uuid && port->iface_id && streq(nic->uuid, port->iface_id);
    *bind = false;
    if (p->req.vm_uuid) {
        if (owner == OVS_OWNER_VM && streq(port->vm_id, p->req.vm_uuid)) {
            return NULL;
        }
        if (owner == OVS_OWNER_NIC && (same_nic || !nic->uuid)) {
            *bind = true;
            return NULL;
        }
    } else if (owner != OVS_OWNER_FOREIGN && same_nic) {
        return NULL;
    }
    _cleanup_free_ char *field = mem_asprintf("nics[%zu].mac", i);
    if (owner == OVS_OWNER_VM) {
        return err_new(ERR_PORT_CONFLICT, field,
                       "MAC %s is on port '%s' of VM %s; csdpdk leaves that port alone", nic->mac,
                       port->name, port->vm_id);
    }
    if (owner == OVS_OWNER_NIC) {
        return err_new(ERR_PORT_CONFLICT, field,
                       "MAC %s is on port '%s' of NIC %s; csdpdk leaves that port alone",
                       nic->mac, port->name, port->iface_id ? port->iface_id : "(unknown)");
    }
    return err_new(ERR_PORT_CONFLICT, field,
                   "MAC %s is on port '%s', which csdpdk does not own; csdpdk leaves that port alone",
                   nic->mac, port->name);
}

/* A plug by NIC (the stock agent's VIF driver, which knows no VM) that
 * finds its NIC's port bound to a VM whose domain runs on this host: a
 * start of a VM that already runs, which fails in libvirt, and whose
 * failure path unplugs what the plug returned, the running VM's port.
 * Refused (a VM that stopped, its release not run yet, is a restart: its
 * port is handed out). */
static struct err *refuse_running(struct plug *p, size_t i, const struct ovs_port *port)
{
    enum libvirt_domain_state state;
    struct err *e = p->lv ? NULL : libvirt_open(p->libvirt_uri, &p->lv);
    if (!e) {
        e = libvirt_domain_state(p->lv, port->vm_id, &state);
    }
    if (e) {
        return err_prefix(e, "asking libvirt whether VM %s (port '%s', MAC %s) runs", port->vm_id,
                          port->name, p->req.nics[i].mac);
    }
    if (state != LIBVIRT_DOMAIN_ACTIVE) {
        return NULL;
    }
    _cleanup_free_ char *field = mem_asprintf("nics[%zu].mac", i);
    return err_new(ERR_PORT_CONFLICT, field,
                   "MAC %s is on port '%s' of VM %s, which runs on this host: a plug by NIC "
                   "leaves a running VM's port alone",
                   p->req.nics[i].mac, port->name, port->vm_id);
}

/* Matches every NIC with what OVSDB has: its own port (kept), another VM's
 * or NIC's port with its MAC, or its own tagged for another migration in
 * flight (a conflict), or nothing (to create). What a kept port's tags must
 * say now goes to p->retags, written by plug_result(): the NIC's port gets
 * its VM (vm-id) when the request names it; its own port tagged for a
 * migration abandoned long ago (ovs_port_migration_in_flight()) is taken
 * back (the tag cleared, so that the old operation's abort cannot remove
 * it); a port the libvirt hook marked as used by a run of the VM
 * (csdpdk-instance "running:") is marked as plugged again, so that the
 * release of that run, should it come later, leaves it alone
 * (docs/hook.md). A plug stamps each port it hands out with
 * csdpdk-plug-time: when it makes it, binds it, or finds its stamp missing
 * or over half OVS_PLUG_GRACE old; a migration's prepare stamps the ports it
 * binds or finds, but not those tagged with its op_id (the tag has its own
 * grace). gc keeps a port so stamped
 * until its VM's start has had time to come (and removes a port only if
 * its tags did not change while it judged it). A retry within half the
 * grace writes nothing. One lookup by MAC per NIC answers all of it; it is the
 * only lookup of a plug that creates ports, and an indexed one (OVSDB
 * indexes _uuid only), so keep it that way. */
static struct err *survey(struct ovsdb *db, struct plug *p, size_t *n_new)
{
    _cleanup_free_ struct ovs_select *queries = mem_new0(struct ovs_select, p->req.n_nics);
    for (size_t i = 0; i < p->req.n_nics; i++) {
        queries[i] = (struct ovs_select){OVS_SELECT_MAC, p->req.nics[i].mac};
    }
    ovs_port_list_clear(&p->found);
    free(p->retags);
    p->retags = mem_new0(struct ovs_retag, p->req.n_nics);
    p->n_retags = 0;
    struct err *e = ovsdb_ports_select(db, queries, p->req.n_nics, 0, &p->found);
    if (e) {
        return e;
    }

    long long now = (long long) time(NULL);
    snprintf(p->claim, sizeof p->claim, OVS_INSTANCE_PLUGGED "%lld", now);
    snprintf(p->now, sizeof p->now, "%lld", now);
    *n_new = 0;
    for (size_t i = 0; i < p->req.n_nics; i++) {
        const struct vm_nic *nic = &p->req.nics[i];
        for (size_t k = 0; k < p->found.n && !p->ports[i]; k++) {
            const struct ovs_port *port = &p->found.ports[k];
            bool bind;
            if (!port->mac || !streq(port->mac, nic->mac)) {
                continue;
            }
            if ((e = judge_owner(p, i, port, &bind))) {
                return e;
            }
            if (!p->req.vm_uuid && ovs_port_owner(port) == OVS_OWNER_VM &&
                (e = refuse_running(p, i, port))) {
                return e;
            }
            bool other_op = port->op_id && !(p->op_id && streq(port->op_id, p->op_id));
            if (other_op && ovs_port_migration_in_flight(port, now)) {
                /* That migration's abort would remove it from under us. */
                _cleanup_free_ char *field = mem_asprintf("nics[%zu].mac", i);
                return err_new(ERR_PORT_CONFLICT, field,
                               "MAC %s is on port '%s', made for the incoming migration %s of this VM "
                               "less than %d minutes ago: if that migration brought the VM here, "
                               "migrate-finish it (with verify false if need be); if it failed, "
                               "migrate-abort it",
                               nic->mac, port->name, port->op_id, OVS_MIGRATION_GRACE / 60);
            }
            if ((e = check_existing(p, i, port))) {
                return e;
            }
            struct ovs_retag *r = &p->retags[p->n_retags];
            *r = (struct ovs_retag){.port = port};
            /* Handed out for a start, or found for an incoming migration
             * (no tag of its operation marks it: only the stamp keeps gc
             * from taking it before the VM's domain is here): gc's grace
             * starts again. */
            if (bind) {
                ovs_retag_bind(r, p->req.vm_uuid, p->now);
            } else if (!(p->op_id && port->op_id && streq(port->op_id, p->op_id))) {
                /* Handed out again: a stamp over half the grace old
                 * starts it again, so that the start to come has at least
                 * half of it (not on a port of this very migration: its
                 * tag has its own grace, and a retry writes nothing). */
                if (!ovs_port_plug_stamp_fresh(port, now)) {
                    ovs_retag_set(r, OVS_KEY_PLUG_TIME, p->now);
                }
            }
            if (other_op) {
                ovs_retag_clear(r, OVS_KEY_OP);
                ovs_retag_clear(r, OVS_KEY_OP_TIME);
            }
            if (ovs_port_instance_is(port, OVS_INSTANCE_RUNNING)) {
                ovs_retag_set(r, OVS_KEY_INSTANCE, p->claim);
            }
            p->n_retags += r->set[0] || r->clear[0];
            set_port(p, i, mem_strdup(port->name), false);
        }
        *n_new += !p->ports[i];
    }
    return NULL;
}

/* Writes p->retags (unless none). */
static struct err *retag(struct ovsdb *db, const struct plug *p)
{
    if (!p->n_retags) {
        return NULL;
    }
    _cleanup_free_ char *comment = mem_asprintf("csdpdk %s: %s %s takes its ports as they are",
                                                p->op_id ? "migrate-prepare" : "plug",
                                                p->req.vm_uuid ? "VM" : "NIC of",
                                                p->req.vm_uuid ? p->req.vm_uuid : p->req.nics[0].mac);
    FAILPOINT("plug.before-retag");
    return ovsdb_ports_retag(db, p->retags, p->n_retags, 0, comment, NULL);
}

static struct err *check_bridges(struct ovsdb *db, const struct plug *p)
{
    _cleanup_free_ const char **names = mem_new0(const char *, p->req.n_nics);
    _cleanup_free_ size_t *index = mem_new0(size_t, p->req.n_nics);
    size_t n = 0;
    for (size_t i = 0; i < p->req.n_nics; i++) {
        if (!p->ports[i]) {
            index[n] = i;
            names[n++] = p->req.nics[i].bridge;
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
    const struct vhost_mode_info *mode = vhost_mode_info(p->req.details->mode);
    char op_time[32];
    snprintf(op_time, sizeof op_time, "%lld", (long long) time(NULL));
    _cleanup_free_ struct ovs_port_spec *specs = mem_new0(struct ovs_port_spec, n_new);
    _cleanup_free_ size_t *targets = mem_new0(size_t, n_new);
    size_t k = 0;

    for (size_t i = 0; i < p->req.n_nics; i++) {
        const struct vm_nic *nic = &p->req.nics[i];
        if (p->ports[i]) {
            continue;
        }
        targets[k] = i;
        specs[k++] = (struct ovs_port_spec){
            .bridge = nic->bridge,
            .type = mode->port_type,
            .socket_dir = mode->ovs_owns_socket ? NULL : p->agent.socket_dir,
            .vlan = nic->vlan,
            .vm_id = p->req.vm_uuid,
            .mac = nic->mac,
            .iface_id = nic->uuid ? nic->uuid : nic->mac,
            .op_id = p->op_id,
            .op_time = p->op_id ? op_time : NULL,
            /* A NIC's port (its owner), or a VM's made for a start (gc's
             * grace); not a VM's made for a migration (its tag's grace). */
            .plug_time = !p->req.vm_uuid || !p->op_id ? op_time : NULL,
        };
    }

    char **names = NULL;
    const char *owner = p->req.vm_uuid ? "VM" : "NICs of";
    const char *who = p->req.vm_uuid ? p->req.vm_uuid : p->req.nics[0].mac;
    _cleanup_free_ char *comment = p->op_id ? mem_asprintf("csdpdk migrate-prepare %s: %s %s", p->op_id, owner, who)
                                            : mem_asprintf("csdpdk plug: %s %s", owner, who);
    struct err *e = dry_run ? ovsdb_ports_predict(db, n_new, &names)
                            : ovsdb_ports_create(db, specs, n_new, comment, &names);
    if (e) {
        return e;
    }
    for (k = 0; k < n_new; k++) {
        set_port(p, targets[k], TAKE_PTR(names[k]), true);
    }
    ovsdb_names_free(names, n_new);
    return NULL;
}

/* Renders with a name for every NIC, before any is known, so that a bad
 * domain or a NUMA mistake is found while nothing has changed yet. */
static struct err *render_provisionally(struct plug *p, json_t *warnings)
{
    json_auto_t *scratch = json_object();
    json_auto_t *scratch_warnings = json_array();
    for (size_t i = 0; i < p->req.n_nics; i++) {
        p->req.nics[i].port = p->ports[i] ? p->ports[i] : "csdpdk-0";
    }
    struct err *e = vm_render(&p->req, p->agent.socket_dir, scratch, scratch_warnings);
    json_array_extend(warnings, scratch_warnings);
    /* What the VM will run: its NUMA cells are the details', which the
     * NUMA judgement reads with the domain's <numatune> (port names do not
     * matter to it). */
    const char *domain = json_string_value(json_object_get(scratch, "domain_xml"));
    free(p->domain);
    p->domain = domain ? mem_strdup(domain) : NULL;
    for (size_t i = 0; i < p->req.n_nics; i++) {
        p->req.nics[i].port = p->ports[i];
    }
    return e;
}

/* The request's ports, or only those this run created, as OVSDB has them
 * now ('flags' as for ovsdb_ports_select()). */
static struct err *select_ports(struct ovsdb *db, const struct plug *p, bool created_only,
                                unsigned flags, struct ovs_port_list *out)
{
    _cleanup_free_ struct ovs_select *queries = mem_new0(struct ovs_select, p->req.n_nics);
    size_t n = 0;
    for (size_t i = 0; i < p->req.n_nics; i++) {
        if (p->created[i] || !created_only) {
            queries[n++] = (struct ovs_select){OVS_SELECT_NAME, p->ports[i]};
        }
    }
    return ovsdb_ports_select(db, queries, n, flags, out);
}

/* Removes the ports this run created: what a failure after creating them
 * leaves behind must be nothing. */
static struct err *roll_back(struct ovsdb *db, const struct plug *p)
{
    _cleanup_(ovs_port_list_clear) struct ovs_port_list created = {0};
    struct err *e = select_ports(db, p, true, 0, &created);
    if (!e) {
        e = ovsdb_ports_delete(db, created.ports, created.n, "csdpdk plug: roll back");
    }
    return e;
}

/* Undoes what this run created after 'e', and says so in its message (or
 * that it could not: then the caller unplugs). */
static struct err *undo(struct ovsdb *db, const struct plug *p, struct err *e)
{
    bool created = false;
    for (size_t i = 0; i < p->req.n_nics; i++) {
        created |= p->created[i];
    }
    if (!created) {
        return e;
    }
    _cleanup_(err_freep) struct err *failed = roll_back(db, p);
    return failed ? err_prefix(e, "the new ports could not be removed again (%s; unplug them)",
                               failed->message)
                  : err_prefix(e, "the new ports were removed again");
}

static json_t *ports_json(const struct plug *p)
{
    const struct vhost_mode_info *mode = vhost_mode_info(p->req.details->mode);
    json_t *ports = json_array();
    for (size_t i = 0; i < p->req.n_nics; i++) {
        const struct vm_nic *nic = &p->req.nics[i];
        _cleanup_free_ char *path = vm_socket_path(p->agent.socket_dir, p->ports[i]);
        json_array_append_new(ports,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}",
                                        "mac", nic->mac,
                                        "port", p->ports[i],
                                        "bridge", nic->bridge,
                                        "type", mode->port_type,
                                        "socket", path,
                                        "guest_mode", mode->guest_mode,
                                        "vlan", nic->vlan ? json_integer(nic->vlan) : json_null(),
                                        "created", p->created[i]));
    }
    return ports;
}

struct err *plug_prepare(struct verb_context *ctx, bool with_op_id, struct plug *p)
{
    const struct options *o = ctx->options;
    struct err *e = vm_request_parse(ctx, VM_REQUEST_WAIT | VM_REQUEST_NIC_OWNED |
                                              (with_op_id ? VM_REQUEST_OP_ID : 0), &p->req);
    if (!e) {
        e = agent_config_load(o->agent_properties, &p->agent);
    }
    if (e) {
        return e;
    }
    p->op_id = p->req.op_id;
    p->libvirt_uri = o->libvirt;
    p->ports = mem_new0(char *, p->req.n_nics);
    p->created = mem_new0(bool, p->req.n_nics);
    if (!p->agent.found) {
        json_array_append_new(ctx->warnings,
                              json_sprintf("%s does not exist: the socket directory is %s",
                                           o->agent_properties, p->agent.socket_dir));
    }
    /* Every name csdpdk may choose must fit, so check the longest. */
    _cleanup_free_ char *longest = vm_socket_path(p->agent.socket_dir, "csdpdk-4294967295");
    if ((e = validate_socket_path(longest, "agent.properties:openvswitch.dpdk.ovs.path"))) {
        return err_prefix(e, "socket directory '%s' is too long for port names of up to %d bytes",
                          p->agent.socket_dir, OVSDB_PORT_NAME_MAX);
    }
    /* A socket directory that is a symbolic link (or not a directory) would
     * put QEMU's or OVS's sockets somewhere else: refused before OVSDB is
     * touched, as capabilities refuses it (a missing one is capabilities'
     * to report; OVS makes server-mode sockets in its own directory). */
    struct stat st;
    if (lstat(p->agent.socket_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        _cleanup_free_ char *shown = text_quote_for_message(p->agent.socket_dir, 128);
        return err_new(ERR_INVALID_REQUEST, "agent.properties:openvswitch.dpdk.ovs.path",
                       "the socket directory %s is %s, not a directory: csdpdk never points OVS "
                       "or QEMU at a socket outside it",
                       shown, S_ISLNK(st.st_mode) ? "a symbolic link" : "a file");
    }
    FAILPOINT("plug.after-validation");
    return render_provisionally(p, ctx->warnings);
}

struct err *plug_execute(struct ovsdb *db, struct plug *p, bool dry_run, json_t *warnings)
{
    size_t n_new = 0;
    struct err *e = survey(db, p, &n_new);
    if (!e && n_new) {
        e = check_bridges(db, p);
    }
    if (!e && n_new) {
        e = create_ports(db, p, n_new, dry_run);
        /* Another plug of one of these MACs won the race: look again; now
         * its port is ours (created: false) or a conflict. */
        if (e && e->code == ERR_PORT_CONFLICT) {
            err_free(e);
            for (size_t i = 0; i < p->req.n_nics; i++) {
                set_port(p, i, NULL, false);
            }
            e = survey(db, p, &n_new);
            if (!e && n_new) {
                e = create_ports(db, p, n_new, dry_run);
            }
        }
    }
    if (!e && dry_run && n_new) {
        json_array_append_new(warnings,
                              json_string("dry run: nothing was changed; new ports get the first free names from those shown"));
    }
    return e;
}

/* The first of the request's ports (made now or before) that the switch
 * refused: an Interface.error, or no OpenFlow port number. */
static struct err *check_applied(struct ovsdb *db, const struct plug *p)
{
    _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};
    struct err *e = select_ports(db, p, false, OVS_SELECT_WITH_STATUS, &ports);
    /* Every port is still there: one found (a retry's) may have been removed
     * meanwhile by the run that made it (its undo), an unplug, gc or the
     * libvirt hook; the VM would start without it. */
    for (size_t i = 0; !e && i < p->req.n_nics; i++) {
        if (!ovs_port_list_find(&ports, p->ports[i])) {
            e = err_new(ERR_PORT_CONFLICT, NULL,
                        "port %s (MAC %s) was removed while csdpdk waited for the switch (the run that made it "
                        "gave up, an unplug, gc, or the libvirt hook): try again",
                        p->ports[i], p->req.nics[i].mac);
        }
    }
    for (size_t k = 0; !e && k < ports.n; k++) {
        const struct ovs_port *port = &ports.ports[k];
        bool made_now = false;
        for (size_t i = 0; i < p->req.n_nics; i++) {
            made_now |= p->created[i] && streq(p->ports[i], port->name);
        }
        if ((port->error && *port->error) || port->ofport < 0) {
            e = err_new(ERR_PORT_REFUSED, NULL,
                        "ovs-vswitchd could not make port '%s' (MAC %s): %s (see ovs-vswitchd's log)%s",
                        port->name, port->mac ? port->mac : "?",
                        port->error && *port->error ? port->error : "it has no OpenFlow port number",
                        made_now ? "" : "; this VM had the port before: unplug it and plug again");
        }
    }
    return e;
}

struct err *plug_apply(struct ovsdb *db, struct plug *p, const char *ovsdb_url, bool dry_run,
                       json_t *warnings)
{
    if (dry_run || !p->req.wait) {
        return NULL;
    }
    bool running = false;
    long pid = host_vswitchd_pid(ovsdb_url, &running);
    if (!running) {
        json_array_append_new(warnings,
                              pid ? json_sprintf("no ovs-vswitchd runs as pid %ld of its pidfile: the ports are in OVSDB, not yet in the switch",
                                                 pid)
                                  : json_string("no ovs-vswitchd runs beside OVSDB (no pidfile): the ports are in OVSDB, not yet in the switch"));
        return NULL;
    }
    /* Ports found, not made now, are waited for too: a plug that timed out
     * before may have left them unapplied. Time is kept to remove the new
     * ports again if the switch is too slow. */
    struct err *e = ovsdb_wait_applied(db, PLUG_UNDO_RESERVE_MS);
    if (!e) {
        e = check_applied(db, p);
    } else if (e->code == ERR_TIMEOUT) {
        e = err_prefix(e, "is ovs-vswitchd (pid %ld) stopped or busy?", pid);
    }
    return e && e->code != ERR_OVSDB_UNAVAILABLE ? undo(db, p, e) : e;
}

struct err *plug_result(struct ovsdb *db, struct plug *p, bool dry_run, json_t **result)
{
    json_t *out = json_pack("{s:o, s:s}", "ports", ports_json(p), "mode",
                            vhost_mode_info(p->req.details->mode)->name);
    json_auto_t *ignored = json_array(); /* the provisional render gave them already */
    struct err *e = vm_render(&p->req, p->agent.socket_dir, out, ignored);
    if (!e && !dry_run) {
        e = retag(db, p);
    }
    if (e) {
        json_decref(out);
        return dry_run ? e : undo(db, p, e);
    }
    *result = out;
    return NULL;
}
