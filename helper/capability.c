#include "helper/capability.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "helper/mem.h"

/* The checks there are; the array never moves, so the judges may hold
 * pointers to several checks at once. */
#define CHECKS_MAX 16

struct judge {
    struct capability *c;
    size_t n_warnings_alloc;
};

static struct check *add_check(struct judge *j, const char *id, const char *title)
{
    struct capability *c = j->c;
    if (c->n_checks == CHECKS_MAX) {
        abort(); /* a programming error: raise CHECKS_MAX */
    }
    struct check *k = &c->checks[c->n_checks++];
    *k = (struct check){.id = id, .title = title, .status = CHECK_OK};
    return k;
}

static void ok(struct check *k, char *detail)
{
    k->status = CHECK_OK;
    k->detail = detail;
}

static void failed(struct check *k, const char *code, char *detail, char *fix)
{
    k->status = CHECK_FAILED;
    k->code = code;
    k->detail = detail;
    k->fix = fix;
}

static void unknown(struct check *k, char *detail)
{
    k->status = CHECK_UNKNOWN;
    k->detail = detail;
}

static void warn(struct judge *j, char *message)
{
    struct capability *c = j->c;
    mem_grow((void **) &c->warnings, &j->n_warnings_alloc, c->n_warnings + 1, sizeof *c->warnings);
    c->warnings[c->n_warnings++] = message;
}

static bool has(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (streq(list[i], s)) {
            return true;
        }
    }
    return false;
}

static void judge_agent(struct judge *j, const struct capability_facts *f)
{
    struct check *type = add_check(j, "agent.bridge_type", "agent uses an Open vSwitch bridge");
    struct check *dpdk = add_check(j, "agent.dpdk_enabled", "agent enables DPDK");
    const struct agent_config *a = f->agent;

    if (!a) {
        /* Read, but a value csdpdk cannot use (the socket directory): say which. */
        bool bad_value = f->agent_error_field && strstr(f->agent_error_field, AGENT_KEY_SOCKET_DIR);
        failed(type, "agent_properties_unreadable", mem_strdup(f->agent_error),
               bad_value ? mem_asprintf("set %s in %s to the vhost-user socket directory, an absolute path",
                                        AGENT_KEY_SOCKET_DIR, f->agent_path)
                         : mem_asprintf("make %s readable by csdpdk", f->agent_path));
        unknown(dpdk, mem_strdup("agent.properties could not be read"));
        return;
    }
    if (!a->found) {
        failed(type, "agent_properties_missing", mem_asprintf("%s does not exist", f->agent_path),
               mem_asprintf("install the CloudStack agent, or point --agent-properties at its agent.properties"));
        unknown(dpdk, mem_strdup("agent.properties does not exist"));
        return;
    }
    if (agent_is_openvswitch(a->bridge_type)) {
        ok(type, mem_strdup("network.bridge.type=openvswitch"));
    } else {
        failed(type, "agent_not_openvswitch",
               mem_asprintf("network.bridge.type=%s", a->bridge_type ? a->bridge_type : "(unset)"),
               mem_asprintf("set network.bridge.type=openvswitch in %s and restart the agent",
                            f->agent_path));
    }
    if (agent_is_true(a->dpdk_enabled)) {
        ok(dpdk, mem_strdup("openvswitch.dpdk.enabled=true"));
    } else {
        failed(dpdk, "agent_dpdk_disabled",
               mem_asprintf("openvswitch.dpdk.enabled=%s", a->dpdk_enabled ? a->dpdk_enabled : "(unset)"),
               mem_asprintf("set openvswitch.dpdk.enabled=true in %s and restart the agent",
                            f->agent_path));
    }
}

static void judge_ovs(struct judge *j, const struct capability_facts *f)
{
    struct check *db = add_check(j, "ovsdb", "OVSDB answers");
    struct check *run = add_check(j, "ovs.vswitchd", "ovs-vswitchd running");
    struct check *init = add_check(j, "ovs.dpdk_initialized", "DPDK initialised in Open vSwitch");
    struct check *types = add_check(j, "ovs.vhostuser", "vhost-user port types available");
    struct check *bridge = add_check(j, "ovs.netdev_bridge", "a bridge with datapath_type=netdev");
    const struct ovs_switch *sw = f->ovs;

    if (!sw) {
        failed(db, "ovsdb_unavailable", mem_strdup(f->ovs_error),
               mem_asprintf("start Open vSwitch (ovsdb-server and ovs-vswitchd), or point --ovsdb at it (now %s)",
                            f->ovsdb_url));
        unknown(run, mem_strdup("OVSDB did not answer"));
        unknown(init, mem_strdup("OVSDB did not answer"));
        unknown(types, mem_strdup("OVSDB did not answer"));
        unknown(bridge, mem_strdup("OVSDB did not answer"));
        return;
    }

    /* OVSDB keeps what a stopped ovs-vswitchd last wrote (dpdk_initialized,
     * iface_types), so the switch itself must be alive. */
    if (!f->ovs_rundir) {
        unknown(run, mem_asprintf("OVS's run directory is not known for %s", f->ovsdb_url));
    } else if (f->vswitchd_alive) {
        ok(run, mem_asprintf("pid %ld", f->vswitchd_pid));
    } else {
        failed(run, "ovs_vswitchd_not_running",
               f->vswitchd_pid ? mem_asprintf("pid %ld of %s/ovs-vswitchd.pid is not running",
                                              f->vswitchd_pid, f->ovs_rundir)
                               : mem_asprintf("no %s/ovs-vswitchd.pid", f->ovs_rundir),
               mem_strdup("start ovs-vswitchd (systemctl start openvswitch-switch), the DPDK build"));
    }
    ok(db, mem_asprintf("%s, Open vSwitch %s", f->ovsdb_url,
                        sw->ovs_version ? sw->ovs_version : "(version not reported)"));

    if (sw->dpdk_initialized) {
        ok(init, mem_asprintf("dpdk_initialized=true, %s",
                              sw->dpdk_version ? sw->dpdk_version : "DPDK version not reported"));
    } else {
        failed(init, "dpdk_not_initialized",
               mem_asprintf("dpdk_initialized=false, other_config:dpdk-init=%s",
                            sw->dpdk_init ? sw->dpdk_init : "(unset)"),
               mem_strdup("set other_config:dpdk-init=true in the Open_vSwitch row, then restart ovs-vswitchd (the DPDK build: /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk)"));
    }

    bool server = has(sw->iface_types, sw->n_iface_types, "dpdkvhostuser");
    bool client = has(sw->iface_types, sw->n_iface_types, "dpdkvhostuserclient");
    if (server && client) {
        ok(types, mem_strdup("iface_types has dpdkvhostuser and dpdkvhostuserclient"));
    } else if (!sw->dpdk_initialized) {
        /* OVS registers them with DPDK: one reason, dpdk_not_initialized, whose fix is the one. */
        unknown(types, mem_strdup("DPDK is not initialised: Open vSwitch lists its vhost-user port types once it is"));
    } else {
        failed(types, "no_vhostuser_iface_types",
               mem_asprintf("iface_types lacks %s", !server && !client ? "dpdkvhostuser and dpdkvhostuserclient"
                                                    : !server ? "dpdkvhostuser" : "dpdkvhostuserclient"),
               mem_strdup("run the DPDK build of ovs-vswitchd: update-alternatives --set ovs-vswitchd /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk, then restart it"));
    }

    if (sw->n_netdev_bridges) {
        _cleanup_free_ char *names = mem_strdup("");
        for (size_t i = 0; i < sw->n_netdev_bridges; i++) {
            char *more = mem_asprintf("%s%s%s", names, i ? ", " : "", sw->netdev_bridges[i]);
            free(names);
            names = more;
        }
        ok(bridge, mem_asprintf("netdev bridges: %s", names));
    } else {
        failed(bridge, "no_netdev_bridge", mem_strdup("no bridge has datapath_type=netdev"),
               mem_strdup("add a bridge with datapath_type=netdev (the bridge the guest network's traffic label names)"));
    }
}

static void judge_hugepages(struct judge *j, const struct capability_facts *f)
{
    struct check *k = add_check(j, "hugepages", "hugepages reserved on a NUMA node");
    const struct host_memory *m = f->memory;
    if (!m) {
        failed(k, "sysfs_unavailable", mem_strdup(f->memory_error),
               mem_strdup("point --sysfs at sysfs (default /sys)"));
        return;
    }

    uint64_t total = 0, free_pages = 0;
    _cleanup_free_ char *list = mem_strdup("");
    for (size_t i = 0; i < m->n_pools; i++) {
        const struct hugepage_pool *p = &m->pools[i];
        total += p->total;
        free_pages += p->free;
        if (p->total) {
            char *more = mem_asprintf("%s%snode %d: %llu x %llu KiB (%llu free)", list, *list ? ", " : "",
                                      p->node, (unsigned long long) p->total,
                                      (unsigned long long) p->size_kib, (unsigned long long) p->free);
            free(list);
            list = more;
        }
    }
    if (!total) {
        failed(k, "no_hugepages",
               mem_asprintf("no hugepages reserved on %d NUMA node%s", m->numa_nodes,
                            m->numa_nodes == 1 ? "" : "s"),
               mem_strdup("reserve hugepages, e.g. echo 1024 > /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages, or hugepages=N on the kernel command line"));
        return;
    }
    ok(k, TAKE_PTR(list));
    if (!free_pages) {
        warn(j, mem_asprintf("all %llu hugepages are in use: a new DPDK VM cannot start until some are freed",
                             (unsigned long long) total));
    }
    if (!m->mounts_read) {
        warn(j, mem_asprintf("the hugetlbfs mounts are unknown: %s",
                             m->mounts_error ? m->mounts_error : "not read"));
    } else if (!m->n_mounts) {
        warn(j, mem_strdup("no hugetlbfs is mounted: libvirt needs one (mount -t hugetlbfs hugetlbfs /dev/hugepages)"));
    }
}

char *capability_ovs_socket_dir(const char *rundir, const char *vhost_sock_dir)
{
    /* As OVS 3.1 reads it (netdev-dpdk's parse_vhost_config): a value with
     * '..' anywhere, or longer than NAME_MAX, is its run directory. */
    if (vhost_sock_dir && (strstr(vhost_sock_dir, "..") || strlen(vhost_sock_dir) > NAME_MAX)) {
        vhost_sock_dir = NULL;
    }
    _cleanup_free_ char *joined = mem_asprintf("%s/%s/", rundir, vhost_sock_dir ? vhost_sock_dir : "");
    /* "." segments and trailing slashes say nothing. */
    for (char *dot; (dot = strstr(joined, "/./"));) {
        memmove(dot, dot + 2, strlen(dot + 2) + 1);
    }
    return agent_normalise_dir(joined);
}

static char *ovs_socket_dir(const struct capability_facts *f)
{
    return f->ovs && f->ovs_rundir ? capability_ovs_socket_dir(f->ovs_rundir, f->ovs->vhost_sock_dir)
                                   : NULL;
}

static void judge_socket_dir(struct judge *j, const struct capability_facts *f)
{
    struct check *k = add_check(j, "socket_dir", "vhost-user socket directory usable");
    struct check *same = add_check(j, "socket_dir.ovs", "OVS puts server-mode sockets there");
    const struct sockdir_facts *s = f->sockdir;

    if (!s) {
        unknown(k, mem_strdup("agent.properties could not be read"));
        unknown(same, mem_strdup("agent.properties could not be read"));
        return;
    }
    _cleanup_free_ char *fix_mkdir =
        mem_asprintf("mkdir -p %s && chown root:%s %s && chmod 0775 %s", s->path,
                     s->qemu.name ? s->qemu.name : "libvirt-qemu", s->path, s->path);
    switch (s->kind) {
    case SOCKDIR_MISSING:
        failed(k, "socket_dir_missing", mem_asprintf("%s does not exist", s->path),
               TAKE_PTR(fix_mkdir));
        break;
    case SOCKDIR_SYMLINK:
        failed(k, "socket_dir_symlink", mem_asprintf("%s is a symlink", s->path),
               mem_asprintf("make %s a real directory, or set openvswitch.dpdk.ovs.path to the directory it points to",
                            s->path));
        break;
    case SOCKDIR_OTHER:
        failed(k, "socket_dir_not_directory", mem_asprintf("%s is not a directory", s->path),
               mem_asprintf("remove %s, then: %s", s->path, fix_mkdir));
        break;
    case SOCKDIR_DIRECTORY:
        if (s->read_only || !s->ovs.writable || (s->qemu.known && !s->qemu.writable)) {
            failed(k, "socket_dir_not_writable",
                   mem_asprintf("%s (%s:%s %04o%s) cannot take sockets from %s%s%s", s->path, s->owner,
                                s->group, s->mode, s->read_only ? ", read-only" : "",
                                !s->ovs.writable ? "OVS (" : "QEMU (",
                                !s->ovs.writable ? s->ovs.name : s->qemu.name,
                                !s->ovs.writable ? ", server mode)" : ", client mode)"),
                   mem_asprintf("chown root:%s %s && chmod 0775 %s",
                                s->qemu.name ? s->qemu.name : "libvirt-qemu", s->path, s->path));
        } else {
            ok(k, s->qemu.known
                      ? mem_asprintf("%s (%s:%s %04o), writable by %s (OVS) and %s (QEMU)", s->path,
                                     s->owner, s->group, s->mode, s->ovs.name, s->qemu.name)
                      : mem_asprintf("%s (%s:%s %04o), writable by %s (OVS)", s->path, s->owner,
                                     s->group, s->mode, s->ovs.name));
        }
        if (!s->qemu.known) {
            warn(j, mem_asprintf("the QEMU user '%s' does not exist here: whether QEMU can create client-mode sockets was not checked",
                                 s->qemu.name ? s->qemu.name : "(unknown)"));
        }
        break;
    }

    j->c->ovs_socket_dir = ovs_socket_dir(f);
    if (!f->ovs) {
        unknown(same, mem_strdup("OVSDB did not answer"));
    } else if (!j->c->ovs_socket_dir) {
        unknown(same, mem_asprintf("OVS's run directory is not known for %s", f->ovsdb_url));
    } else if (sockdir_same(j->c->ovs_socket_dir, s->path)) {
        ok(same, mem_asprintf("%s (run directory %s, vhost-sock-dir %s)", s->path, f->ovs_rundir,
                              f->ovs->vhost_sock_dir ? f->ovs->vhost_sock_dir : "unset"));
    } else {
        failed(same, "socket_dir_mismatch",
               mem_asprintf("OVS puts server-mode sockets in %s, agent.properties says %s",
                            j->c->ovs_socket_dir, s->path),
               mem_asprintf("set openvswitch.dpdk.ovs.path=%s in %s (or other_config:vhost-sock-dir so that OVS uses %s)",
                            j->c->ovs_socket_dir, f->agent_path, s->path));
    }
}

static void judge_libvirt(struct judge *j, const struct capability_facts *f)
{
    struct check *k = add_check(j, "libvirt", "libvirt answers");
    const struct libvirt_host *l = f->libvirt;
    if (!l) {
        failed(k, "libvirt_unavailable", mem_strdup(f->libvirt_error),
               mem_asprintf("start libvirtd, or point --libvirt at it (now %s)", f->libvirt_uri));
        return;
    }
    ok(k, mem_asprintf("%s: %s, libvirt %s, %d NUMA cell%s", f->libvirt_uri,
                       l->hypervisor ? l->hypervisor : "hypervisor not reported",
                       l->daemon ? l->daemon : "?", l->numa_cells, l->numa_cells == 1 ? "" : "s"));
}

const char *capability_hook_name(enum capability_hook hook)
{
    return hook == HOOK_INSTALLED ? "installed" : hook == HOOK_NOT_EXECUTABLE ? "not_executable" : "missing";
}

/* Without its hook csdpdk still works, but nothing removes the ports of a
 * guest that stops itself or crashes, or checks an incoming migration
 * (docs/hook.md): a warning, not a reason. */
static void judge_hook(struct judge *j, const struct capability_facts *f)
{
    /* libvirt runs the scripts of hooks/qemu.d/ from 6.5.0 on. */
    const char *daemon = f->libvirt ? f->libvirt->daemon : NULL;
    unsigned major = 0, minor = 0;
    if (f->hook_path && f->hook == HOOK_INSTALLED && daemon && sscanf(daemon, "%u.%u", &major, &minor) == 2 &&
        (major < 6 || (major == 6 && minor < 5))) {
        warn(j, mem_asprintf("csdpdk's libvirt hook %s is installed, but libvirt %s runs no hook from "
                             "qemu.d/ (6.5.0 and later do): the ports of a guest that stops itself "
                             "or crashes stay until gc, and incoming migrations are not checked",
                             f->hook_path, daemon));
    }
    if (!f->hook_path || f->hook == HOOK_INSTALLED) {
        return;
    }
    warn(j, mem_asprintf("csdpdk's libvirt hook %s %s: the ports of a guest that stops itself or "
                         "crashes stay until gc, and incoming migrations are not checked; install "
                         "it (the csdpdk package does); libvirtd sees it at once where a main hook "
                         "(CloudStack's) is installed, else after a restart",
                         f->hook_path, f->hook == HOOK_MISSING ? "is not installed" : "is not executable"));
}

void capability_judge(const struct capability_facts *f, struct capability *out)
{
    *out = (struct capability){.checks = mem_new0(struct check, CHECKS_MAX)};
    struct judge j = {.c = out};
    judge_agent(&j, f);
    judge_ovs(&j, f);
    judge_hugepages(&j, f);
    judge_socket_dir(&j, f);
    judge_libvirt(&j, f);
    judge_hook(&j, f);

    /* Only failures decide: a check is unknown when its source failed
     * (which is a failure of its own) or when it cannot be made at all
     * (said in a warning). */
    out->dpdk = true;
    for (size_t i = 0; i < out->n_checks; i++) {
        out->dpdk &= out->checks[i].status != CHECK_FAILED;
    }
    for (size_t i = 0; i < out->n_checks && out->dpdk; i++) {
        const struct check *k = &out->checks[i];
        if (k->status == CHECK_UNKNOWN) {
            warn(&j, mem_asprintf("not checked: %s (%s)", k->title, k->detail));
        }
    }
}

void capability_clear(struct capability *c)
{
    for (size_t i = 0; i < c->n_checks; i++) {
        free(c->checks[i].detail);
        free(c->checks[i].fix);
    }
    free(c->checks);
    for (size_t i = 0; i < c->n_warnings; i++) {
        free(c->warnings[i]);
    }
    free(c->warnings);
    free(c->ovs_socket_dir);
    *c = (struct capability){0};
}
