/* capabilities: can this host run DPDK VMs? Facts from each source, then
 * the verdict of capability.c (docs/design.md section 6). A source that cannot
 * be read makes its facts null and adds a reason; it never hides the
 * others. Exit 0 when capable, 1 when not ('ok' stays true). */
#include <stdio.h>

#include "helper/mem.h"
#include "helper/numa.h"
#include "helper/output.h"
#include "helper/probe.h"

static json_t *string_list(char *const *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, json_string(list[i]));
    }
    return a;
}

static json_t *ovs_json(const struct capability_facts *f)
{
    const struct ovs_switch *sw = f->ovs;
    if (!sw) {
        return json_null();
    }
    return json_pack("{s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "url", f->ovsdb_url,
                     "vswitchd_pid", f->vswitchd_alive ? json_integer(f->vswitchd_pid) : json_null(),
                     "version", output_json_string_or_null(sw->ovs_version),
                     "dpdk_initialized", sw->dpdk_initialized,
                     "dpdk_version", output_json_string_or_null(sw->dpdk_version),
                     "iface_types", string_list(sw->iface_types, sw->n_iface_types),
                     "datapath_types", string_list(sw->datapath_types, sw->n_datapath_types),
                     "netdev_bridges", string_list(sw->netdev_bridges, sw->n_netdev_bridges),
                     "rundir", output_json_string_or_null(f->ovs_rundir),
                     "other_config", host_other_config_json(sw));
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
                     "owner", output_json_string_or_null(s->owner),
                     "group", output_json_string_or_null(s->group),
                     "mode", s->kind == SOCKDIR_MISSING ? json_null() : json_string(mode),
                     "read_only", s->read_only,
                     "ovs", "user", output_json_string_or_null(s->ovs.name), "writable", s->ovs.writable,
                     "qemu", "user", output_json_string_or_null(s->qemu.name), "known", s->qemu.known,
                     "writable", s->qemu.writable,
                     "ovs_server_mode_dir", output_json_string_or_null(ovs_dir));
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
                     "library", output_json_string_or_null(l->library), "daemon", output_json_string_or_null(l->daemon),
                     "hypervisor", output_json_string_or_null(l->hypervisor), "numa_cells", l->numa_cells,
                     "page_sizes_kib", sizes);
}

static const char *status_name(enum check_status s)
{
    return s == CHECK_OK ? "ok" : s == CHECK_FAILED ? "failed" : "unknown";
}

struct err *verb_capabilities_run(struct verb_context *ctx, json_t **result)
{
    struct host_probe p;
    host_probe_run(ctx->options, &p);
    const struct capability_facts *fp = &p.facts;
    struct capability c;
    capability_judge(fp, &c);

    json_t *checks = json_array(), *reasons = json_array();
    for (size_t i = 0; i < c.n_checks; i++) {
        const struct check *k = &c.checks[i];
        json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", k->id,
                                                "title", k->title, "status", status_name(k->status),
                                                "detail", output_json_string_or_null(k->detail), "code", output_json_string_or_null(k->code),
                                                "fix", output_json_string_or_null(k->fix)));
        if (k->status == CHECK_FAILED) {
            json_array_append_new(reasons, json_pack("{s:s, s:s}", "code", k->code, "message",
                                                     k->detail ? k->detail : k->title));
        }
    }
    for (size_t i = 0; i < c.n_warnings; i++) {
        json_array_append_new(ctx->warnings, json_string(c.warnings[i]));
    }

    const struct options *o = ctx->options;
    *result = json_pack(
        "{s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "dpdk", c.dpdk,
        "capability", c.dpdk ? "dpdk" : "",
        "reasons", reasons,
        "checks", checks,
        "agent", fp->agent ? json_pack("{s:s, s:b, s:o, s:o, s:s}", "file", o->agent_properties,
                                       "found", p.agent.found, "bridge_type", output_json_string_or_null(p.agent.bridge_type),
                                       "dpdk_enabled", output_json_string_or_null(p.agent.dpdk_enabled),
                                       "socket_dir", p.agent.socket_dir)
                           : json_null(),
        "ovs", ovs_json(fp),
        "hugepages", hugepages_json(fp->memory),
        "numa_nodes", fp->memory ? json_integer(p.memory.numa_nodes) : json_null(),
        "hugetlbfs", mounts_json(fp->memory),
        "socket_dir", sockdir_json(fp->sockdir, c.ovs_socket_dir),
        "libvirt", libvirt_json(fp));
    json_object_set_new(*result, "numa", fp->memory || fp->ovs ? numa_host_json(&p.numa) : json_null());
    json_object_set_new(*result, "pmd_source", output_json_string_or_null(p.numa.pmd_source));
    numa_host_warnings(&p.numa, ctx->warnings);
    json_object_set_new(*result, "libvirt_hook",
                        json_pack("{s:s, s:s}", "path", fp->hook_path, "state",
                                  capability_hook_name(fp->hook)));
    ctx->negative = !c.dpdk;

    capability_clear(&c);
    host_probe_clear(&p);
    return NULL;
}

/* "0-3,8" of an array of integers ("-" when empty or absent). */
static char *int_list_text(const json_t *a)
{
    _cleanup_(cpuset_clear) struct cpuset s = {0};
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        cpuset_add(&s, (unsigned) json_integer_value(v));
    }
    char *text = cpuset_text(&s);
    if (!*text) {
        free(text);
        text = mem_strdup("-");
    }
    return text;
}

/* One NUMA node: its CPUs, PMD cores, free hugepages by size (from
 * 'hugepages', every node's pools), DPDK memory and physical ports, on one
 * line. */
static void numa_node_text(FILE *out, const json_t *node, const json_t *hugepages,
                           const char *pmd_source)
{
    _cleanup_free_ char *cpus = int_list_text(json_object_get(node, "cpus"));
    _cleanup_free_ char *pmds = int_list_text(json_object_get(node, "pmd_cores"));
    _cleanup_free_ char *phys = mem_strdup("");
    _cleanup_free_ char *pages = mem_strdup("");
    const json_t *mem = json_object_get(node, "dpdk_memory");
    json_int_t id = json_integer_value(json_object_get(node, "node"));
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(node, "physical_ports"), i, p) {
        char *more = mem_asprintf("%s%s%s", phys, i ? "," : "", json_string_value(p));
        free(phys);
        phys = more;
    }
    json_array_foreach(hugepages, i, p) {
        if (json_integer_value(json_object_get(p, "node")) == id) {
            char *more = mem_asprintf("%s%s%lld x %lld KiB", pages, *pages ? ", " : "",
                                      (long long) json_integer_value(json_object_get(p, "free")),
                                      (long long) json_integer_value(json_object_get(p, "size_kib")));
            free(pages);
            pages = more;
        }
    }
    /* What DPDK may take there: socket-mem preallocates, socket-limit caps. */
    const json_t *socket_mem = json_object_get(mem, "socket_mem_mb");
    const json_t *socket_limit = json_object_get(mem, "socket_limit_mb");
    _cleanup_free_ char *sm = json_is_integer(socket_mem)
                                  ? mem_asprintf("socket-mem %lld MiB", (long long) json_integer_value(socket_mem))
                                  : NULL;
    _cleanup_free_ char *sl = json_is_integer(socket_limit)
                                  ? mem_asprintf("limit %lld MiB", (long long) json_integer_value(socket_limit))
                                  : NULL;
    _cleanup_free_ char *limits = sm || sl ? mem_asprintf(" (%s%s%s)", sm ? sm : "", sm && sl ? ", " : "", sl ? sl : "")
                                           : mem_strdup("");
    _cleanup_free_ char *isolated = json_array_size(json_object_get(node, "isolated_pmd_cores"))
                                        ? int_list_text(json_object_get(node, "isolated_pmd_cores"))
                                        : NULL;
    /* Two lines within 100 columns: the node's cores, then its memory. */
    _cleanup_free_ char *lead = mem_asprintf("NUMA node %lld: ", (long long) id);
    _cleanup_free_ char *cores = mem_asprintf(
            "CPUs %s; PMD cores %s%s%s%s%s%s", cpus, json_is_array(json_object_get(node, "pmd_cores")) ? pmds : "?",
            pmd_source ? " (" : "", pmd_source ? pmd_source : "", pmd_source ? ")" : "",
            isolated ? ", isolated " : "", isolated ? isolated : "");
    _cleanup_free_ char *memory = mem_asprintf(
            "hugepages free %s; DPDK memory %s%s%s%s", *pages ? pages : "none",
            !json_is_object(mem) ? "?" : json_is_false(json_object_get(mem, "allocatable")) ? "NONE" : "allocatable",
            limits, *phys ? "; physical ports " : "", phys);
    output_wrapped(out, lead, 4, cores);
    output_wrapped(out, NULL, 4, memory);
}

/* The doctor's report: one line per check, the fact, and for each failure
 * what to do; one line per NUMA node. */
void verb_capabilities_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
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
    const json_t *nodes = json_object_get(result, "numa");
    const json_t *node;
    json_array_foreach(nodes, i, node) {
        numa_node_text(out, node, json_object_get(result, "hugepages"),
                       json_string_value(json_object_get(result, "pmd_source")));
    }
    bool dpdk = json_is_true(json_object_get(result, "dpdk"));
    size_t n = json_array_size(json_object_get(result, "reasons"));
    if (dpdk) {
        fprintf(out, "capability: dpdk (this host can run DPDK VMs)\n");
    } else {
        fprintf(out, "capability: none (%zu reason%s above)\n", n, n == 1 ? "" : "s");
    }
}
