/* capabilities: can this host run DPDK VMs? Facts from each source, then
 * the verdict of capability.c (DESIGN.md section 6). A source that cannot
 * be read makes its facts null and adds a reason; it never hides the
 * others. Exit 0 when capable, 1 when not ('ok' stays true). */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "helper/capability.h"
#include "helper/mem.h"
#include "helper/verb.h"

#define QEMU_USER_DEFAULT "libvirt-qemu" /* Debian's build of libvirt */

/* The 'user' of libvirt's qemu.conf: QEMU runs as it and creates the
 * client-mode sockets. */
static char *qemu_user(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024], *user = NULL;
    while (f && fgets(line, sizeof line, f)) {
        char value[256];
        if (sscanf(line, " user = \"%255[^\"]\"", value) == 1) {
            free(user);
            user = mem_strdup(value);
        }
    }
    if (f) {
        fclose(f);
    }
    return user ? user : mem_strdup(QEMU_USER_DEFAULT);
}

/* OVS's run directory and user, as the unix socket of OVSDB shows them
 * (ovsdb-server and ovs-vswitchd share both). */
static char *ovs_rundir(const char *url, uid_t *uid)
{
    *uid = 0;
    if (strncmp(url, "unix:", 5)) {
        return NULL;
    }
    struct stat st;
    if (stat(url + 5, &st) == 0) {
        *uid = st.st_uid;
    }
    _cleanup_free_ char *copy = mem_strdup(url + 5);
    return mem_strdup(dirname(copy));
}

/* The pid in <rundir>/ovs-vswitchd.pid, and whether it runs. */
static long vswitchd_pid(const char *rundir, bool *alive)
{
    *alive = false;
    if (!rundir) {
        return 0;
    }
    _cleanup_free_ char *path = mem_asprintf("%s/ovs-vswitchd.pid", rundir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
            pid = 0;
        }
        fclose(f);
    }
    *alive = pid > 0 && (kill((pid_t) pid, 0) == 0 || errno == EPERM);
    return pid;
}

static json_t *string_list(char *const *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(list[i]));
    }
    return a;
}

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *ovs_json(const struct capability_facts *f)
{
    const struct ovs_switch *sw = f->ovs;
    if (!sw) {
        return json_null();
    }
    return json_pack("{s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}}",
                     "url", f->ovsdb_url,
                     "vswitchd_pid", f->vswitchd_alive ? json_integer(f->vswitchd_pid) : json_null(),
                     "version", nullable(sw->ovs_version),
                     "dpdk_initialized", sw->dpdk_initialized,
                     "dpdk_version", nullable(sw->dpdk_version),
                     "iface_types", string_list(sw->iface_types, sw->n_iface_types),
                     "datapath_types", string_list(sw->datapath_types, sw->n_datapath_types),
                     "netdev_bridges", string_list(sw->netdev_bridges, sw->n_netdev_bridges),
                     "rundir", nullable(f->ovs_rundir),
                     "other_config",
                     "dpdk-init", nullable(sw->dpdk_init),
                     "vhost-sock-dir", nullable(sw->vhost_sock_dir),
                     "pmd-cpu-mask", nullable(sw->pmd_cpu_mask),
                     "dpdk-socket-mem", nullable(sw->socket_mem));
}

static json_t *hugepages_json(const struct host_memory *m)
{
    if (!m) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; i < m->n_pools; i++) {
        const struct hugepage_pool *p = &m->pools[i];
        json_array_append_new(a, json_pack("{s:i, s:I, s:I, s:I}", "node", p->node, "size_kib",
                                           (json_int_t) p->size_kib, "total", (json_int_t) p->total,
                                           "free", (json_int_t) p->free));
    }
    return a;
}

static json_t *mounts_json(const struct host_memory *m)
{
    if (!m || !m->mounts_read) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; i < m->n_mounts; i++) {
        json_array_append_new(a, json_pack("{s:s, s:o}", "path", m->mounts[i].path, "page_size_kib",
                                           m->mounts[i].page_kib ? json_integer((json_int_t) m->mounts[i].page_kib)
                                                                 : json_null()));
    }
    return a;
}

static json_t *sockdir_json(const struct sockdir_facts *s, const char *ovs_dir)
{
    if (!s) {
        return json_null();
    }
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", s->mode);
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:{s:o, s:b}, s:{s:o, s:b, s:b}, s:o}",
                     "path", s->path,
                     "kind", sockdir_kind_name(s->kind),
                     "owner", nullable(s->owner),
                     "group", nullable(s->group),
                     "mode", s->kind == SOCKDIR_MISSING ? json_null() : json_string(mode),
                     "read_only", s->read_only,
                     "ovs", "user", nullable(s->ovs.name), "writable", s->ovs.writable,
                     "qemu", "user", nullable(s->qemu.name), "known", s->qemu.known,
                     "writable", s->qemu.writable,
                     "ovs_server_mode_dir", nullable(ovs_dir));
}

static json_t *libvirt_json(const struct capability_facts *f)
{
    const struct libvirt_host *l = f->libvirt;
    if (!l) {
        return json_null();
    }
    json_t *sizes = json_array();
    for (size_t i = 0; i < l->n_page_sizes; i++) {
        json_array_append_new(sizes, json_integer((json_int_t) l->page_sizes_kib[i]));
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:i, s:o}", "uri", f->libvirt_uri,
                     "library", nullable(l->library), "daemon", nullable(l->daemon),
                     "hypervisor", nullable(l->hypervisor), "numa_cells", l->numa_cells,
                     "page_sizes_kib", sizes);
}

static const char *status_name(enum check_status s)
{
    return s == CHECK_OK ? "ok" : s == CHECK_FAILED ? "failed" : "unknown";
}

struct err *verb_capabilities_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    struct capability_facts f = {
        .agent_path = o->agent_properties,
        .ovsdb_url = o->ovsdb,
        .libvirt_uri = o->libvirt,
    };

    struct agent_config agent = {0};
    _cleanup_(err_freep) struct err *agent_err = agent_config_load(o->agent_properties, &agent);
    f.agent = agent_err ? NULL : &agent;
    f.agent_error = agent_err ? agent_err->message : NULL;

    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    struct ovs_switch sw = {0};
    _cleanup_(err_freep) struct err *ovs_err = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    if (!ovs_err) {
        ovs_err = ovsdb_switch_read(db, &sw);
    }
    f.ovs = ovs_err ? NULL : &sw;
    f.ovs_error = ovs_err ? ovs_err->message : NULL;
    uid_t ovs_uid;
    _cleanup_free_ char *rundir = ovs_rundir(o->ovsdb, &ovs_uid);
    f.ovs_rundir = rundir;
    f.vswitchd_pid = vswitchd_pid(rundir, &f.vswitchd_alive);

    struct host_memory memory = {0};
    _cleanup_(err_freep) struct err *mem_err = sysfs_read_memory(o->sysfs, o->proc, &memory);
    f.memory = mem_err ? NULL : &memory;
    f.memory_error = mem_err ? mem_err->message : NULL;

    struct sockdir_facts sockdir = {0};
    _cleanup_free_ char *qemu = qemu_user(o->qemu_conf);
    if (f.agent) {
        sockdir_probe(agent.socket_dir, ovs_uid, qemu, &sockdir);
        f.sockdir = &sockdir;
    }

    _cleanup_(libvirt_closep) struct libvirt *lv = NULL;
    struct libvirt_host host = {0};
    _cleanup_(err_freep) struct err *lv_err = libvirt_open(o->libvirt, &lv);
    if (!lv_err) {
        lv_err = libvirt_host_read(lv, &host);
    }
    f.libvirt = lv_err ? NULL : &host;
    f.libvirt_error = lv_err ? lv_err->message : NULL;

    struct capability c;
    capability_judge(&f, &c);

    json_t *checks = json_array(), *reasons = json_array();
    for (size_t i = 0; i < c.n_checks; i++) {
        const struct check *k = &c.checks[i];
        json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", k->id,
                                                "title", k->title, "status", status_name(k->status),
                                                "detail", nullable(k->detail), "code", nullable(k->code),
                                                "fix", nullable(k->fix)));
        if (k->status == CHECK_FAILED) {
            json_array_append_new(reasons, json_pack("{s:s, s:s}", "code", k->code, "message",
                                                     k->detail ? k->detail : k->title));
        }
    }
    for (size_t i = 0; i < c.n_warnings; i++) {
        json_array_append_new(ctx->warnings, json_string(c.warnings[i]));
    }

    *result = json_pack(
        "{s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "dpdk", c.dpdk,
        "capability", c.dpdk ? "dpdk" : "",
        "reasons", reasons,
        "checks", checks,
        "agent", f.agent ? json_pack("{s:s, s:b, s:o, s:o, s:s}", "file", o->agent_properties,
                                     "found", agent.found, "bridge_type", nullable(agent.bridge_type),
                                     "dpdk_enabled", nullable(agent.dpdk_enabled),
                                     "socket_dir", agent.socket_dir)
                         : json_null(),
        "ovs", ovs_json(&f),
        "hugepages", hugepages_json(f.memory),
        "numa_nodes", f.memory ? json_integer(memory.numa_nodes) : json_null(),
        "hugetlbfs", mounts_json(f.memory),
        "socket_dir", sockdir_json(f.sockdir, c.ovs_socket_dir),
        "libvirt", libvirt_json(&f));
    ctx->negative = !c.dpdk;

    capability_clear(&c);
    libvirt_host_clear(&host);
    sockdir_facts_clear(&sockdir);
    host_memory_clear(&memory);
    ovs_switch_clear(&sw);
    agent_config_clear(&agent);
    return NULL;
}

/* The doctor's report: one line per check, the fact, and for each failure
 * what to do. */
void verb_capabilities_text(FILE *out, const json_t *result)
{
    size_t i, width = 0;
    json_t *k;
    const json_t *checks = json_object_get(result, "checks");
    json_array_foreach(checks, i, k) {
        size_t len = strlen(json_string_value(json_object_get(k, "title")));
        width = len > width ? len : width;
    }
    json_array_foreach(checks, i, k) {
        const char *status = json_string_value(json_object_get(k, "status"));
        const char *mark = streq(status, "ok") ? "\u2713" : streq(status, "failed") ? "\u2717" : "?";
        fprintf(out, "%s %-*s  %s\n", mark, (int) width,
                json_string_value(json_object_get(k, "title")),
                json_string_value(json_object_get(k, "detail")));
        const json_t *fix = json_object_get(k, "fix");
        if (json_is_string(fix)) {
            fprintf(out, "  %-*s  -> %s [%s]\n", (int) width, "", json_string_value(fix),
                    json_string_value(json_object_get(k, "code")));
        }
    }
    bool dpdk = json_is_true(json_object_get(result, "dpdk"));
    size_t n = json_array_size(json_object_get(result, "reasons"));
    if (dpdk) {
        fprintf(out, "capability: dpdk (this host can run DPDK VMs)\n");
    } else {
        fprintf(out, "capability: none (%zu reason%s above)\n", n, n == 1 ? "" : "s");
    }
}
