#include "hook/hook.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helper/agent.h"
#include "helper/binding.h"
#include "helper/domxml.h"
#include "helper/failpoint.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/probe.h"
#include "helper/sockdir.h"
#include "helper/sysfs.h"
#include "helper/text.h"
#include "helper/vm_request.h"
#include "helper/xml.h"
#include "migration/checks.h"

#define CONFIG_MAX_SIZE 65536

void hook_config_clear(struct hook_config *c)
{
    free(c->ovsdb);
    free(c->agent_properties);
    free(c->sysfs);
    free(c->proc);
    free(c->log);
    *c = (struct hook_config){0};
}

static void set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = mem_strdup(value);
}

/* One "key = value" line of the configuration. */
static struct err *config_line(struct hook_config *c, const char *key, const char *value)
{
    struct {
        const char *key;
        char **slot;
    } strings[] = {
        {"ovsdb", &c->ovsdb}, {"agent-properties", &c->agent_properties}, {"sysfs", &c->sysfs},
        {"proc", &c->proc}, {"log", &c->log},
    };
    for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
        if (streq(key, strings[i].key)) {
            if (!streq(key, "ovsdb") && value[0] != '/' && !(streq(key, "log") && !*value)) {
                return err_new(ERR_INVALID_REQUEST, key, "%s must be an absolute path%s", key,
                               streq(key, "log") ? ", or empty for no log" : "");
            }
            set_string(strings[i].slot, value);
            return NULL;
        }
    }
    if (streq(key, "timeout")) {
        if (!text_seconds(value, HOOK_TIMEOUT_MAX, &c->timeout)) {
            return err_new(ERR_INVALID_REQUEST, key, "timeout must be seconds above 0, at most %g",
                           HOOK_TIMEOUT_MAX);
        }
        return NULL;
    }
    _cleanup_free_ char *shown = text_quote_for_message(key, 64);
    return err_new(ERR_INVALID_REQUEST, key,
                   "unknown key %s (ovsdb, agent-properties, sysfs, proc, log, timeout)", shown);
}

static char *trim(char *s)
{
    s += strspn(s, " \t");
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

struct err *hook_config_load(const char *path, struct hook_config *c)
{
    *c = (struct hook_config){
        .ovsdb = mem_strdup("unix:/var/run/openvswitch/db.sock"),
        .agent_properties = mem_strdup("/etc/cloudstack/agent/agent.properties"),
        .sysfs = mem_strdup("/sys"),
        .proc = mem_strdup("/proc"),
        .log = mem_strdup(HOOK_LOG_DEFAULT),
        .timeout = HOOK_TIMEOUT_DEFAULT,
    };
    FILE *f = fopen(path, "r");
    if (!f) {
        return errno == ENOENT ? NULL
                               : err_new(ERR_USAGE, NULL, "cannot read '%s': %s", path, strerror(errno));
    }
    char line[1024];
    struct err *e = NULL;
    for (int n = 1; !e && fgets(line, sizeof line, f); n++) {
        if (!strchr(line, '\n') && !feof(f)) {
            e = err_new(ERR_INVALID_REQUEST, NULL, "%s:%d: the line is longer than %zu bytes", path, n,
                        sizeof line - 2);
            break;
        }
        line[strcspn(line, "\n")] = '\0';
        char *text = trim(line);
        if (!*text || *text == '#') {
            continue;
        }
        char *eq = strchr(text, '=');
        if (!eq) {
            e = err_new(ERR_INVALID_REQUEST, NULL, "%s:%d: not 'key = value'", path, n);
            break;
        }
        *eq = '\0';
        if ((e = config_line(c, trim(text), trim(eq + 1)))) {
            e = err_prefix(e, "%s:%d", path, n);
        }
    }
    /* A read that failed (a directory, an I/O error) is no settings file
     * read to its end: not the defaults silently. */
    if (!e && ferror(f)) {
        e = err_new(ERR_USAGE, NULL, "cannot read '%s': %s", path, strerror(errno ? errno : EIO));
    }
    fclose(f);
    return e;
}

enum hook_action hook_action_of(const char *op, const char *subop)
{
    if ((streq(op, "prepare") || streq(op, "started")) && streq(subop, "begin")) {
        return HOOK_BIND;
    }
    if (streq(op, "migrate") && streq(subop, "begin")) {
        return HOOK_MIGRATE;
    }
    if (streq(op, "release") && streq(subop, "end")) {
        return HOOK_RELEASE;
    }
    return HOOK_NOTHING;
}

void hook_outcome_clear(struct hook_outcome *o)
{
    free(o->log);
    free(o->refusal);
    free(o->xml);
    *o = (struct hook_outcome){0};
}

/* ---- what every action needs ---- */

/* The host as the hook sees it: OVSDB, the socket directory, and the
 * domain's ports, each found by its socket's name. */
struct host {
    struct ovsdb *db;
    struct agent_config agent;
    struct ovs_switch sw;
    struct binding_ports ports;       /* the domain's, each found by its socket */
    long switch_pid;                  /* ovs-vswitchd's, from its pidfile beside OVSDB's socket */
    bool switch_running;
};

static void host_clear(struct host *h)
{
    ovsdb_close(h->db);
    agent_config_clear(&h->agent);
    ovs_switch_clear(&h->sw);
    binding_ports_clear(&h->ports);
    *h = (struct host){0};
}

static struct err *host_read(const struct hook_config *c, const struct domain *d, unsigned flags,
                             struct host *h)
{
    struct err *e = agent_config_load(c->agent_properties, &h->agent);
    if (!e) {
        e = ovsdb_open(c->ovsdb, c->timeout, false, &h->db);
    }
    if (!e) {
        e = ovsdb_switch_read(h->db, &h->sw);
    }
    return e ? e : binding_ports_find(h->db, d, flags, &h->ports);
}

static char *vformat(const char *fmt, va_list args) _printf_(1, 0);
static char *vformat(const char *fmt, va_list args)
{
    char *text = NULL;
    return vasprintf(&text, fmt, args) < 0 ? NULL : text;
}

/* Appends "; " and a formatted note to '*log'. */
static void note(char **log, const char *fmt, ...) _printf_(2, 3);
static void note(char **log, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    _cleanup_free_ char *text = vformat(fmt, args);
    va_end(args);
    char *more = mem_asprintf("%s%s%s", *log ? *log : "", *log ? "; " : "", text ? text : "?");
    free(*log);
    *log = more;
}

static const char *vm_of(const struct domain *d)
{
    return d->uuid ? d->uuid : "(no uuid)";
}

/* ---- prepare begin, started begin ---- */

struct err *hook_bind(const struct hook_config *c, const struct domain *d, struct hook_outcome *out)
{
    if (!d->n_ifaces) {
        return NULL;
    }
    if (!d->uuid) {
        out->log = mem_strdup("the domain has no <uuid>: nothing bound");
        return NULL;
    }
    _cleanup_(host_clear) struct host h = {0};
    struct err *e = host_read(c, d, 0, &h);
    if (e) {
        return e;
    }
    char now[32], run[48];
    snprintf(now, sizeof now, "%lld", (long long) time(NULL));
    snprintf(run, sizeof run, OVS_INSTANCE_RUNNING "%s", now);
    _cleanup_free_ struct ovs_retag *changes = mem_new0(struct ovs_retag, d->n_ifaces + 1);
    size_t n_changes = 0;
    uint64_t highest = 0; /* of the csdpdk-N names adopted */
    for (size_t k = 0; k < d->n_ifaces; k++) {
        const struct domain_iface *i = &d->ifaces[k];
        const struct ovs_port *p = h.ports.of_iface[k];
        if (!p) {
            note(&out->log, "%s: no port for socket %s", i->mac, i->path ? i->path : "(none)");
            continue;
        }
        struct ovs_retag *r = &changes[n_changes];
        *r = (struct ovs_retag){.port = p};
        switch (ovs_port_owner(p)) {
        case OVS_OWNER_VM:
            if (!streq(p->vm_id, d->uuid)) {
                note(&out->log, "%s: %s is VM %s's, left alone", i->mac, p->name, p->vm_id);
                continue;
            }
            break;
        case OVS_OWNER_NIC:
            if (!streq(p->mac, i->mac) || !binding_serves(p, i, h.agent.socket_dir)) {
                note(&out->log, "%s: %s is NIC %s's (MAC %s), which this interface does not fit; left alone",
                     i->mac, p->name, p->iface_id ? p->iface_id : "?", p->mac);
                continue;
            }
            ovs_retag_bind(r, d->uuid, NULL);
            note(&out->log, "%s: bound %s", i->mac, p->name);
            break;
        case OVS_OWNER_FOREIGN: {
            /* CloudStack's own csdpdk-N only: its agent makes a new one at
             * every start, so the release may remove it. A port of another
             * name (an operator's, made once) is adopted only when asked
             * (csdpdk adopt --apply). */
            uint64_t number;
            if (!ovsdb_port_number(p->name, &number)) {
                note(&out->log, "%s: %s is not csdpdk's nor CloudStack's (csdpdk-N); left alone", i->mac,
                     p->name);
                continue;
            }
            if (p->mac && !streq(p->mac, i->mac)) {
                /* As adopt judges it: ambiguous. */
                note(&out->log, "%s: %s is not csdpdk's and is tagged for MAC %s; left alone", i->mac,
                     p->name, p->mac);
                continue;
            }
            if (!ovs_switch_netdev_bridge(&h.sw, p->bridge) || !binding_serves(p, i, h.agent.socket_dir)) {
                note(&out->log, "%s: %s is not csdpdk's and does not serve this interface as it asks; left alone",
                     i->mac, p->name);
                continue;
            }
            ovs_retag_adopt(r, d->uuid, i->mac, now);
            note(&out->log, "%s: adopted %s", i->mac, p->name);
            highest = number > highest ? number : highest;
            break;
        }
        }
        /* The run is marked once (prepare begin; started begin finds it). */
        if (!ovs_port_instance_is(p, OVS_INSTANCE_RUNNING)) {
            ovs_retag_set(r, OVS_KEY_INSTANCE, run);
        }
        n_changes += r->set[0] != NULL;
    }
    /* With the tags, csdpdk's next name moves after the CloudStack port it
     * adopted. */
    if (n_changes) {
        _cleanup_free_ char *comment = mem_asprintf("csdpdk libvirt hook: VM %s starts", d->uuid);
        uint64_t hint;
        e = ovsdb_ports_retag(h.db, changes, n_changes, highest ? highest + 1 : 0, comment, &hint);
    }
    return e;
}

/* ---- migrate begin ---- */

static void refuse(struct hook_outcome *out, const char *check, const char *fmt, ...) _printf_(3, 4);
static void refuse(struct hook_outcome *out, const char *check, const char *fmt, ...)
{
    if (out->refusal) {
        return; /* the first failed check is the one named */
    }
    va_list args;
    va_start(args, fmt);
    _cleanup_free_ char *text = vformat(fmt, args);
    va_end(args);
    out->refusal = mem_asprintf("%s: %s", check, text ? text : "?");
}

static void judge_port(const struct host *h, const struct domain *d, size_t k,
                       struct hook_outcome *out)
{
    const struct domain_iface *i = &d->ifaces[k];
    const struct ovs_port *p = h->ports.of_iface[k];
    _cleanup_free_ char *path = i->path ? text_single_slashes(i->path) : NULL;
    if (!p) {
        refuse(out, "port", "no port of this host serves %s's socket %s", i->mac,
               path ? path : "(none)");
        return;
    }
    if (!ovs_switch_netdev_bridge(&h->sw, p->bridge)) {
        refuse(out, "bridge", "port %s for %s is on %s, not a netdev bridge", p->name, i->mac,
               p->bridge ? p->bridge : "no bridge");
        return;
    }
    _cleanup_free_ char *why = NULL;
    const char *check = binding_misfit(p, i, d->uuid, h->agent.socket_dir, &why);
    if (check) {
        refuse(out, check, "%s", why);
        return;
    }
    if (!h->switch_running) {
        refuse(out, "applied",
               "no ovs-vswitchd runs beside OVSDB (%s): nothing would serve port %s of %s",
               h->switch_pid ? "its pidfile names a process that is gone" : "no pidfile", p->name, i->mac);
    } else if ((p->error && *p->error) || p->ofport < 0) {
        refuse(out, "applied", "the switch has not made port %s for %s: %s", p->name, i->mac,
               p->error && *p->error ? p->error : "it has no OpenFlow port number (is ovs-vswitchd running?)");
    }
}

/* Free hugepages that cannot be read are a check that could not be made
 * (an error: nothing is removed), not a host without them. */
static struct err *judge_memory(const struct hook_config *c, const struct domain *d, struct hook_outcome *out)
{
    if (!d->hugepages) {
        return NULL;
    }
    _cleanup_(host_memory_clear) struct host_memory m = {0};
    struct err *e = sysfs_read_memory(c->sysfs, c->proc, &m);
    if (e) {
        return err_prefix(e, "hugepages: cannot read this host's free hugepages");
    }
    _cleanup_free_ char *detail = NULL;
    if (!mig_hugepages_cover(&m, d->page_kib, d->memory_kib, d->bindings, d->n_bindings, &detail)) {
        refuse(out, "hugepages", "%s", detail);
    }
    return NULL;
}

/* Where this host's switch would poll the incoming VM's queues, judged as
 * plug judges a VM here (docs/ports.md, "NUMA locality"): a placement it
 * cannot serve at all (no PMD that can poll, no DPDK memory on the VM's
 * node) refuses the migration; a cross-NUMA one is logged, not refused
 * (the VM runs, at up to half its packet rate). */
static void judge_numa(const struct hook_config *c, const struct host *h, const char *xml, size_t size,
                       struct hook_outcome *out, char **warned)
{
    const struct options o = {.ovsdb = c->ovsdb, .sysfs = c->sysfs, .proc = c->proc};
    _cleanup_(numa_host_clear) struct numa_host numa = {0};
    /* A slow ovs-vswitchd must not take the whole run: the PMDs of its
     * settings then, and the time left for the rest (a refusal's cleanup). */
    host_numa_read(&o, h->db, c->timeout / 4, &numa);
    json_auto_t *warnings = json_array();
    json_t *locality = NULL;
    struct err *e = host_locality(&numa, xml, size, NULL, 0, warnings, &locality);
    if (e && e->code == ERR_NUMA_REFUSED) {
        refuse(out, "numa", "%s", e->message);
    } else if (e) {
        note(warned, "NUMA locality not judged: %s", e->message);
    }
    size_t i;
    const json_t *w;
    json_array_foreach(warnings, i, w) {
        note(warned, "warning: %s", json_string_value(w));
    }
    err_free(e);
    json_decref(locality);
}

/* CloudStack's source-side rewrite joins the socket directory and the
 * port with "//" and leaves <reconnect> as it was; QEMU wants a reconnect
 * only as the socket's client, and libvirt refuses one on a server. */
static struct err *correct(const char *xml, size_t size, struct hook_outcome *out)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    xmlNodePtr domain;
    struct err *e = xml_parse_domain(xml, size, "domain", &doc, &domain);
    if (e) {
        return e;
    }
    size_t changes = 0;
    for (xmlNodePtr c = domxml_vhostuser_next(domain, NULL); c;
         c = domxml_vhostuser_next(domain, c)) {
        /* No port given: the path and the reconnect setting, one bit each. */
        changes += (size_t) __builtin_popcount(domxml_complete_interface(c, NULL, VM_RECONNECT_DEFAULT));
    }
    if (changes) {
        out->xml = xml_doc_string(doc, xml_has_declaration(xml, size));
        out->xml_size = strlen(out->xml);
        note(&out->log, "corrected %zu socket path(s) or reconnect setting(s) of CloudStack's rewrite",
             changes);
    }
    return NULL;
}

/* The incoming VM is refused: the ports made for it and never bound
 * (NICs' ports, made by the agent's PrepareForMigration through csdpdk's
 * driver, or CloudStack's own, made by the stock driver: not csdpdk's, named csdpdk-N, on
 * a netdev bridge; both serving this very socket, and disconnected as the
 * switch says, so that no running QEMU uses them) will not be used; CloudStack's cleanup of a
 * failed migration cannot remove them (its StopCommand finds no domain,
 * and refuses csdpdk-N names), so the hook does. A VM's ports
 * (migrate-prepare's) are migrate-abort's. */
static struct err *drop_unbound(const struct host *h, const struct domain *d,
                                struct hook_outcome *out)
{
    _cleanup_free_ struct ovs_port *doomed = mem_new0(struct ovs_port, d->n_ifaces + 1);
    size_t n = 0;
    for (size_t k = 0; k < d->n_ifaces; k++) {
        const struct ovs_port *p = h->ports.of_iface[k];
        enum ovs_port_owner owner = p ? ovs_port_owner(p) : OVS_OWNER_FOREIGN;
        /* Unused as the switch says: a port whose status it has not
         * written (not applied yet) is left alone, and so is one a QEMU is
         * connected to (a VM of this host on a NIC's port never bound, or
         * with the same MAC). */
        bool unused = p && p->status_link && streq(p->status_link, "disconnected");
        bool made_for_it = unused && owner == OVS_OWNER_NIC && streq(p->mac, d->ifaces[k].mac);
        uint64_t number;
        bool stock = unused && owner == OVS_OWNER_FOREIGN && ovsdb_port_number(p->name, &number) &&
                     ovs_switch_netdev_bridge(&h->sw, p->bridge);
        bool already = false;
        for (size_t j = 0; j < n; j++) {
            already |= p && streq(doomed[j].name, p->name);
        }
        if ((made_for_it || stock) && !already && binding_serves(p, &d->ifaces[k], h->agent.socket_dir)) {
            doomed[n++] = *p;
        }
    }
    FAILPOINT("hook.refused-judged");
    /* Only as read: a plug that binds one of them meanwhile (the VM's own
     * start here, say) retags it, and every port stays. */
    bool changed = false;
    struct err *e = n ? ovsdb_ports_delete_unchanged(h->db, doomed, n, "csdpdk libvirt hook: incoming VM refused",
                                                     &changed)
                      : NULL;
    if (!e && changed) {
        note(&out->log, "kept the ports made for it: one was retagged or removed meanwhile (gc removes what nobody uses)");
        return NULL;
    }
    for (size_t k = 0; !e && k < n; k++) {
        note(&out->log, "removed %s, made for it", doomed[k].name);
    }
    return e;
}

struct err *hook_migrate(const struct hook_config *c, const char *xml, size_t size,
                         struct hook_outcome *out)
{
    _cleanup_(domain_clear) struct domain d = {0};
    struct err *e = domain_parse(xml, size, "domain", &d);
    if (e) {
        /* Not csdpdk's to judge: libvirt reads it next, and says what is wrong. */
        out->log = mem_asprintf("left alone a domain csdpdk cannot read: %s", e->message);
        err_free(e);
        return NULL;
    }
    if (!d.n_ifaces) {
        return NULL; /* not a DPDK domain: none of csdpdk's business */
    }
    _cleanup_(host_clear) struct host h = {0};
    if ((e = host_read(c, &d, OVS_SELECT_WITH_STATUS | OVS_SELECT_WITH_IDS, &h))) {
        return e;
    }
    /* The switch's pidfile is beside a unix: OVSDB socket; elsewhere only
     * its ofport and error tell. */
    _cleanup_free_ char *rundir = host_ovs_rundir(c->ovsdb);
    h.switch_pid = host_vswitchd_pid(c->ovsdb, &h.switch_running);
    h.switch_running |= !rundir;
    for (size_t k = 0; k < d.n_ifaces; k++) {
        judge_port(&h, &d, k, out);
    }
    if (!out->refusal && (e = judge_memory(c, &d, out))) {
        return e;
    }
    _cleanup_free_ char *warned = NULL;
    if (!out->refusal) {
        judge_numa(c, &h, xml, size, out, &warned);
    }
    if (out->refusal) {
        return drop_unbound(&h, &d, out);
    }
    note(&out->log, "accepted the incoming VM %s: %zu vhost-user port(s) ready", vm_of(&d), d.n_ifaces);
    if (warned) {
        note(&out->log, "%s", warned);
    }
    return correct(xml, size, out);
}

/* ---- release end ---- */

/* Removes the socket QEMU left at 'path' (client mode: QEMU was its
 * server; the port served it) when it is in the socket directory and
 * nobody holds it any more. */
static void remove_stale_socket(const char *path, const char *socket_dir, char **log)
{
    struct stat st;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash || (size_t) (slash - path) != strlen(socket_dir) || strncmp(path, socket_dir, strlen(socket_dir)) ||
        lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return;
    }
    _cleanup_free_ char *why = sockdir_holder(path, 0);
    if (why) {
        note(log, "kept the socket %s: %s", path, why);
    } else if (unlink(path) == 0) {
        note(log, "removed the socket QEMU left, %s", path);
    }
}

/* The domain's ports that go: '*doomed' (and the client-mode sockets QEMU
 * served, '*client_sockets'); what stays and why goes into the log. */
static size_t release_judge(const struct host *h, const struct domain *d, struct ovs_port *doomed,
                            const struct domain_iface **client_sockets, size_t *n_sockets, char **log)
{
    size_t n_doomed = 0;
    *n_sockets = 0;
    for (size_t k = 0; k < d->n_ifaces; k++) {
        const struct domain_iface *i = &d->ifaces[k];
        const struct ovs_port *p = h->ports.of_iface[k];
        bool already = false;
        for (size_t j = 0; p && j < n_doomed; j++) {
            already |= streq(doomed[j].name, p->name);
        }
        if (!p || already) {
            continue;
        }
        enum ovs_port_owner owner = ovs_port_owner(p);
        bool mine = owner == OVS_OWNER_VM && streq(p->vm_id, d->uuid);
        bool never_bound = owner == OVS_OWNER_NIC && streq(p->mac, i->mac);
        if (!mine && !never_bound) {
            note(log, "kept %s: not this VM's", p->name);
            continue;
        }
        if (!binding_serves(p, i, h->agent.socket_dir)) {
            note(log, "kept %s: it does not serve %s's socket %s as the domain asks", p->name, i->mac,
                 i->path ? i->path : "(none)");
            continue;
        }
        /* libvirt starts no new run of a VM before the old one's release
         * has run; a plug for the next start may have come first. */
        if (mine && ovs_port_instance_is(p, OVS_INSTANCE_PLUGGED)) {
            note(log, "kept %s: plugged again for the VM's next start", p->name);
            continue;
        }
        doomed[n_doomed++] = *p;
        if (p->type && streq(p->type, "dpdkvhostuserclient")) {
            client_sockets[(*n_sockets)++] = i;
        }
    }
    return n_doomed;
}

/* How many times release end judges again when a port it judged was
 * retagged before it could remove it (a plug for the VM's next start). */
#define RELEASE_PASSES 3

struct err *hook_release(const struct hook_config *c, const struct domain *d,
                         struct hook_outcome *out)
{
    if (!d->n_ifaces || !d->uuid) {
        return NULL;
    }
    _cleanup_(host_clear) struct host h = {0};
    struct err *e = host_read(c, d, OVS_SELECT_WITH_IDS, &h);
    if (e) {
        return e;
    }
    _cleanup_free_ struct ovs_port *doomed = mem_new0(struct ovs_port, d->n_ifaces + 1);
    _cleanup_free_ const struct domain_iface **client_sockets =
        mem_new0(const struct domain_iface *, d->n_ifaces + 1);
    size_t n_doomed = 0, n_sockets = 0;
    for (int pass = 1;; pass++) {
        /* Each pass's reasons replace the last one's. */
        _cleanup_free_ char *log = NULL;
        n_doomed = release_judge(&h, d, doomed, client_sockets, &n_sockets, &log);
        FAILPOINT("hook.release-judged");
        bool changed = false;
        if (n_doomed) {
            _cleanup_free_ char *comment = mem_asprintf("csdpdk libvirt hook: VM %s released", d->uuid);
            /* Only as read: a plug that hands a port out again meanwhile
             * retags it, and the port stays. */
            if ((e = ovsdb_ports_delete_unchanged(h.db, doomed, n_doomed, comment, &changed))) {
                return e;
            }
        }
        if (!changed) {
            if (log) {
                note(&out->log, "%s", log);
            }
            break;
        }
        if (pass == RELEASE_PASSES) {
            return err_new(ERR_PORT_CONFLICT, NULL,
                           "the VM's ports were retagged while the hook judged them, %d times running: "
                           "nothing was removed (gc removes what the VM no longer uses)",
                           RELEASE_PASSES);
        }
        binding_ports_clear(&h.ports);
        if ((e = binding_ports_find(h.db, d, OVS_SELECT_WITH_IDS, &h.ports))) {
            return e;
        }
    }
    if (n_doomed) {
        _cleanup_free_ char *names = mem_strdup("");
        for (size_t j = 0; j < n_doomed; j++) {
            char *more = mem_asprintf("%s%s%s", names, j ? ", " : "", doomed[j].name);
            free(names);
            names = more;
        }
        note(&out->log, "removed %s", names);
    }
    for (size_t j = 0; j < n_sockets; j++) {
        _cleanup_free_ char *path = client_sockets[j]->path ? text_single_slashes(client_sockets[j]->path) : NULL;
        remove_stale_socket(path, h.agent.socket_dir, &out->log);
    }
    return NULL;
}
