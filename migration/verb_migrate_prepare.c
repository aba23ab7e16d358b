/* migrate-prepare: on the destination, check that this host can take the
 * VM (its DPDK capability, the VM's bridges, free hugepages of the VM's
 * page size) and only then create its ports, tagged with the operation id
 * (docs/design.md section 7, step 1). Not eligible: exit 1, nothing created. */
#include <stdio.h>
#include <string.h>

#include "helper/domxml.h"
#include "helper/failpoint.h"
#include "helper/mem.h"
#include "helper/output.h"
#include "helper/plug.h"
#include "helper/probe.h"
#include "migration/checks.h"
#include "helper/domain.h"

static void check_host(struct mig_checks *checks, const struct host_probe *probe)
{
    struct capability c;
    capability_judge(&probe->facts, &c);
    _cleanup_free_ char *reasons = mem_strdup("");
    for (size_t i = 0; i < c.n_checks; i++) {
        if (c.checks[i].status == CHECK_FAILED) {
            char *more = mem_asprintf("%s%s%s: %s", reasons, *reasons ? "; " : "", c.checks[i].code,
                                      c.checks[i].detail);
            free(reasons);
            reasons = more;
        }
    }
    mig_check(checks, "capability", "destination", c.dpdk,
              c.dpdk ? mem_strdup("DPDK-capable (see capabilities)") : mem_strdup(reasons));
    capability_clear(&c);
}

static void check_bridges(struct mig_checks *checks, const struct host_probe *probe,
                          const struct plug *p)
{
    const struct ovs_switch *sw = probe->facts.ovs;
    for (size_t i = 0; i < p->req.n_nics; i++) {
        const char *bridge = p->req.nics[i].bridge;
        bool found = sw && ovs_switch_netdev_bridge(sw, bridge);
        mig_check(checks, "bridge", "destination", found,
                  !sw ? mem_strdup("OVSDB did not answer")
                  : found ? mem_asprintf("%s has datapath_type=netdev", bridge)
                          : mem_asprintf("no netdev bridge named '%s' for %s", bridge, p->req.nics[i].mac));
    }
}

/* The VM's memory in KiB: the request's, the domain's, or its NUMA cells'. */
static uint64_t vm_memory_kib(const struct plug *p)
{
    if (p->req.memory_kib) {
        return p->req.memory_kib;
    }
    if (p->req.domain_xml) {
        struct domain d = {0};
        struct err *e = domain_parse(p->req.domain_xml, p->req.domain_xml_size, "domain_xml", &d);
        uint64_t kib = e ? 0 : d.memory_kib;
        err_free(e);
        domain_clear(&d);
        if (kib) {
            return kib;
        }
    }
    return domxml_numa_memory_kib(p->req.details);
}

/* Where OVS would poll the VM's queues here: a placement it cannot serve
 * fails the check (numa_refused's message), a cross-NUMA one passes with
 * a warning; the judgement is the result's "locality". */
static void check_locality(struct mig_checks *checks, const struct host_probe *probe,
                           const struct plug *p, json_t *warnings, json_t **locality)
{
    size_t size;
    const char *domain = plug_domain(p, &size);
    _cleanup_free_ unsigned *queues = vm_request_nic_queues(&p->req);
    struct err *e = host_locality(&probe->numa, domain, size, queues, p->req.n_nics, warnings, locality);
    if (e && e->code != ERR_NUMA_REFUSED) {
        /* The domain XML itself: plug_prepare() read it already. */
        mig_check(checks, "numa", "destination", false, mem_strdup(e->message));
    } else {
        const char *verdict = *locality ? json_string_value(json_object_get(*locality, "verdict")) : NULL;
        mig_check(checks, "numa", "destination", !e,
                  e ? mem_strdup(e->message)
                    : streq(verdict, "cross_numa") ? mem_strdup("OVS would poll the VM's queues from another NUMA node (see warnings)")
                    : streq(verdict, "local") ? mem_strdup("OVS polls the VM's queues from a PMD of its NUMA node")
                                              : mem_strdup("the VM's NUMA placement or the switch's PMDs are not known: not judged"));
    }
    err_free(e);
}

static void check_hugepages(struct mig_checks *checks, const struct host_probe *probe,
                            const struct plug *p)
{
    /* What <numatune> binds to this host's nodes: the domain's, as the
     * VM will run it (the request's, with the details merged in). */
    size_t size;
    const char *xml = plug_domain(p, &size);
    _cleanup_(domain_clear) struct domain d = {0};
    struct err *e = xml ? domain_parse(xml, size, "domain_xml", &d) : NULL;
    err_free(e); /* plug_prepare() read it already */
    char *detail = NULL;
    bool ok = mig_hugepages_cover(probe->facts.memory, domxml_page_kib(p->req.details),
                                  vm_memory_kib(p), d.bindings, d.n_bindings, &detail);
    mig_check(checks, "hugepages", "destination", ok, detail);
}

struct err *verb_migrate_prepare_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    _cleanup_(plug_clear) struct plug p = {0};
    struct err *e = plug_prepare(ctx, true, &p);
    if (e) {
        return e;
    }

    struct host_probe probe;
    host_probe_run(o, &probe);
    struct mig_checks checks;
    mig_checks_init(&checks);
    check_host(&checks, &probe);
    check_bridges(&checks, &probe, &p);
    check_hugepages(&checks, &probe, &p);
    json_t *locality = NULL;
    check_locality(&checks, &probe, &p, ctx->warnings, &locality);

    FAILPOINT("migrate-prepare.after-checks");
    json_t *out = NULL;
    if (checks.eligible) {
        e = plug_execute(probe.db, &p, o->dry_run, ctx->warnings);
        if (!e) {
            e = plug_apply(probe.db, &p, o->ovsdb, o->dry_run, ctx->warnings);
        }
        if (!e) {
            e = plug_result(probe.db, &p, o->dry_run, &out);
        }
    }
    /* The destination's NUMA facts, as capabilities reports them: the
     * source's migrate-check judges the VM's own placement with them. */
    json_t *host = json_pack("{s:o, s:o, s:o, s:o}", "default_page_kib",
                             probe.facts.memory ? json_integer((json_int_t) mig_default_page_kib(probe.facts.memory))
                                                : json_null(),
                             "numa",
                             probe.facts.memory || probe.facts.ovs ? numa_host_json(&probe.numa) : json_null(),
                             "ovs", probe.facts.ovs ? json_pack("{s:o}", "other_config",
                                                                host_other_config_json(probe.facts.ovs))
                                                    : json_null(),
                             "pmd_source", output_json_string_or_null(probe.numa.pmd_source));
    host_probe_clear(&probe);
    if (e) {
        json_decref(host);
        json_decref(checks.list);
        json_decref(locality);
        return e;
    }

    const struct vhost_mode_info *mode = vhost_mode_info(p.req.details->mode);
    json_t *mapping = json_object();
    for (size_t i = 0; checks.eligible && i < p.req.n_nics; i++) {
        json_object_set_new(mapping, p.req.nics[i].mac,
                            json_pack("{s:s, s:s, s:s}", "path", p.agent.socket_dir, "port",
                                      p.ports[i], "mode", mode->guest_mode));
    }
    if (!out) {
        out = json_object();
    }
    json_object_set_new(out, "eligible", json_boolean(checks.eligible));
    json_object_set_new(out, "checks", checks.list);
    json_object_set_new(out, "mapping", mapping);
    json_object_set_new(out, "op_id", json_string(p.req.op_id));
    json_object_set_new(out, "locality", locality ? locality : json_null());
    json_object_set_new(out, "host", host);
    ctx->negative = !checks.eligible;
    *result = out;
    return NULL;
}

/* For a person: the checks, then the mapping the source's migrate-rewrite
 * takes, one aligned line per MAC. */
void verb_migrate_prepare_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    const char *mac;
    json_t *m;
    int port_width = 0;
    mig_checks_text(out, result);
    fprintf(out, "op_id: %s\n", json_string_value(json_object_get(result, "op_id")));
    json_object_foreach((json_t *) json_object_get(result, "mapping"), mac, m) {
        int w = (int) strlen(json_string_value(json_object_get(m, "port")));
        port_width = w > port_width ? w : port_width;
    }
    if (port_width) {
        fprintf(out, "mapping (MAC, port, QEMU's socket mode, directory):\n");
    }
    json_object_foreach((json_t *) json_object_get(result, "mapping"), mac, m) {
        fprintf(out, "  %s  %-*s  %-6s  %s\n", mac, port_width,
                json_string_value(json_object_get(m, "port")),
                json_string_value(json_object_get(m, "mode")),
                json_string_value(json_object_get(m, "path")));
    }
}
