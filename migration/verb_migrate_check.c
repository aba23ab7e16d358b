/* migrate-check: on the source, check both ends before migrating a DPDK VM
 * (docs/design.md section 7, step 2): the VM is DPDK-enabled and its ports are
 * there and connected; the destination, through libvirt (NUMA, free pages
 * of the VM's page size) and through its own report (migrate-prepare's
 * eligibility and mapping, or capabilities' verdict). */
#include <string.h>
#include <strings.h>

#include "helper/libvirt.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/probe.h"
#include "helper/request.h"
#include "helper/verb.h"
#include "migration/checks.h"
#include "helper/domain.h"

static void check_vm(struct mig_checks *c, const struct domain *d)
{
    bool ok = d->n_ifaces && d->n_cells && d->n_shared_cells == d->n_cells &&
              (d->hugepages || d->memfd_shared);
    mig_check(c, "dpdk_enabled", "source", ok,
              mem_asprintf("%zu vhost-user interface%s, %zu of %zu NUMA cells sharing memory, %s",
                           d->n_ifaces, d->n_ifaces == 1 ? "" : "s", d->n_shared_cells, d->n_cells,
                           d->hugepages ? "hugepages" : d->memfd_shared ? "shared memfd memory"
                                                                        : "no hugepages"));
}

/* How the switch polls each of the VM's ports now (status's rxqs): a port
 * polled from another NUMA node than its own is a warning, and every
 * port's polling goes into '*polling'. */
static void source_polling(const struct options *o, struct ovsdb *db, const struct ovs_port_list *found,
                           json_t *warnings, json_t **polling)
{
    _cleanup_(pmd_show_clear) struct pmd_show live = {0};
    struct err *e = host_pmd_show(o->ovsdb, ovsdb_time_left_ms(db) / 1000.0, &live);
    *polling = json_array();
    for (size_t i = 0; i < found->n; i++) {
        const struct ovs_port *p = &found->ports[i];
        int cross, unpolled;
        json_t *rxqs = numa_port_polling(e ? NULL : &live, p->name, p->status_numa, p->queues, &cross,
                                         &unpolled);
        if (cross == 1) {
            json_array_append_new(warnings,
                                  json_sprintf("the VM's port %s (%s) is polled cross-NUMA on the source now: OVS placed it on node %s, no PMD of that node polls it",
                                               p->name, p->mac ? p->mac : "?", p->status_numa));
        }
        if (unpolled == 1) {
            json_array_append_new(warnings,
                                  json_sprintf("the VM's port %s (%s) has a queue no PMD thread polls on the source now: its frames wait there; see the source's pmd-cpu-mask and pmd-rxq-affinity",
                                               p->name, p->mac ? p->mac : "?"));
        }
        json_array_append_new(*polling,
                              json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "port", p->name, "mac",
                                        p->mac ? json_string(p->mac) : json_null(), "numa",
                                        p->status_numa ? json_string(p->status_numa) : json_null(),
                                        "rxqs", e ? json_null() : json_incref(rxqs), "cross_numa",
                                        cross < 0 ? json_null() : json_boolean(cross), "unpolled",
                                        unpolled < 0 ? json_null() : json_boolean(unpolled)));
        json_decref(rxqs);
    }
    err_free(e);
}

static void check_ports(struct mig_checks *c, const struct options *o, const struct domain *d,
                        json_t *warnings, json_t **polling)
{
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};
    _cleanup_free_ struct ovs_select *queries = mem_new0(struct ovs_select, d->n_ifaces + 1);
    for (size_t i = 0; i < d->n_ifaces; i++) {
        queries[i] = (struct ovs_select){OVS_SELECT_NAME, d->ifaces[i].port ? d->ifaces[i].port : ""};
    }
    struct err *e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    if (!e) {
        e = ovsdb_ports_select(db, queries, d->n_ifaces, OVS_SELECT_WITH_STATUS, &found);
    }
    if (e) {
        mig_check(c, "ports", "source", false, mem_strdup(e->message));
        err_free(e);
        return;
    }
    source_polling(o, db, &found, warnings, polling);
    for (size_t i = 0; i < d->n_ifaces; i++) {
        const struct domain_iface *f = &d->ifaces[i];
        const struct ovs_port *p = ovs_port_list_find(&found, f->port);
        bool connected = p && p->status_link && streq(p->status_link, "connected");
        mig_check(c, "port", "source", connected,
                  !p ? mem_asprintf("%s: no OVS port '%s'", f->mac, f->port ? f->port : "(none)")
                     : mem_asprintf("%s: %s is %s", f->mac, p->name,
                                    p->status_link ? p->status_link : "without a link status"));
    }
}

/* A destination whose libvirt cannot be reached, or is lost on the way (or
 * does not answer within --timeout), is an error, not a verdict: nothing
 * can be said of it. True if '*e' is such an error, then made the
 * destination's. */
static bool unreachable(struct err **e)
{
    if (!*e || ((*e)->code != ERR_LIBVIRT_UNAVAILABLE && (*e)->code != ERR_TIMEOUT)) {
        return false;
    }
    *e = err_set_field(err_prefix(*e, "the destination cannot be checked"), "destination");
    return true;
}

/* The page size of a VM that names none on the destination: as
 * migrate-prepare's host reported it, else 2 MiB (said so). */
static uint64_t destination_page_kib(const json_t *report, const char **from)
{
    const json_t *kib = json_object_get(json_object_get(report, "host"), "default_page_kib");
    if (json_is_integer(kib) && json_integer_value(kib) > 0 && json_integer_value(kib) <= (1 << 24)) {
        *from = " (the destination's default size)";
        return (uint64_t) json_integer_value(kib);
    }
    *from = " (assumed: no destination report says the destination's default size)";
    return 2048;
}

static struct err *check_destination(struct mig_checks *c, const struct options *o,
                                     const char *uri, const struct domain *d, const json_t *report)
{
    _cleanup_(libvirt_closep) struct libvirt *lv = NULL;
    _cleanup_(libvirt_host_clear) struct libvirt_host host = {0};
    struct err *e = host_libvirt_read(uri, o->timeout, &lv, &host);
    if (unreachable(&e)) {
        return e;
    }
    if (e) {
        mig_check(c, "libvirt", "destination", false, mem_strdup(e->message));
        err_free(e);
        return NULL;
    }
    mig_check(c, "libvirt", "destination", true,
              mem_asprintf("%s: %s, %d NUMA cell%s", uri, host.hypervisor ? host.hypervisor : "?",
                           host.numa_cells, host.numa_cells == 1 ? "" : "s"));

    const char *from = "";
    uint64_t page = d->page_kib ? d->page_kib : destination_page_kib(report, &from);
    uint64_t needed = d->memory_kib ? (d->memory_kib + page - 1) / page : 0;
    _cleanup_free_ unsigned long long *counts = NULL;
    size_t n_cells = 0;
    e = d->hugepages ? libvirt_free_pages(lv, (unsigned) page, host.cell_ids, host.n_cell_ids, &counts, &n_cells) : NULL;
    if (unreachable(&e)) {
        return e;
    }
    if (!d->hugepages) {
        mig_check(c, "hugepages", "destination", true,
                  mem_strdup("the VM's memory is not backed by hugepages: it needs none"));
    } else if (e) {
        mig_check(c, "hugepages", "destination", false, mem_strdup(e->message));
        err_free(e);
    } else {
        /* The destination's free pages by node (libvirt's cells), for the
         * memory the domain's <numatune> binds to nodes. */
        unsigned long long free_pages = 0;
        _cleanup_free_ struct hugepage_pool *pools = mem_new0(struct hugepage_pool, n_cells + 1);
        for (size_t i = 0; i < n_cells; i++) {
            free_pages += counts[i];
            pools[i] = (struct hugepage_pool){.node = host.n_cell_ids ? host.cell_ids[i] : 0, .size_kib = page, .free = counts[i]};
        }
        const struct host_memory cells = {.pools = pools, .n_pools = n_cells, .per_node = true};
        _cleanup_free_ char *bound = NULL;
        bool ok = free_pages >= needed && mig_hugepages_bound(&cells, page, d->memory_kib, d->bindings, d->n_bindings, &bound);
        mig_check(c, "hugepages", "destination", ok,
                  mem_asprintf("the VM needs %llu pages of %llu KiB%s; %llu free%s%s", (unsigned long long) needed,
                               (unsigned long long) page, from, free_pages, bound ? "; " : "", bound ? bound : ""));
    }
    return NULL;
}

/* "MAC has port P on the destination", and what becomes of QEMU's side of
 * the socket. A change of mode is no change for libvirt's ABI check nor
 * for QEMU's migration stream (the socket is not part of it), so a VM
 * moves from server mode to the crash-safe client mode without a reboot. */
static char *mapped_detail(const struct domain_iface *f, const json_t *to)
{
    const char *port = json_string_value(json_object_get(to, "port"));
    const char *mode = json_string_value(json_object_get(to, "mode"));
    _cleanup_free_ char *change =
        !mode || !f->mode ? mem_strdup("")
        : streq(mode, f->mode)
            ? mem_asprintf("; QEMU stays the socket's %s", mode)
            : mem_asprintf("; QEMU turns from the socket's %s into its %s (the socket is not part of the migration stream: libvirt and QEMU take the change)",
                           f->mode, mode);
    return mem_asprintf("%s has port %s on the destination%s", f->mac, port ? port : "(unnamed)",
                        change);
}

/* The destination's locality for the VM: judged here from the report's
 * NUMA facts (capabilities' or migrate-prepare's) and the running domain's
 * placement, which migrate-prepare may not have had (the agent's
 * PrepareForMigration sends no domain XML); else migrate-prepare's own
 * judgement. A placement the destination's switch cannot serve fails the
 * check "numa"; a cross-NUMA one is a warning. */
static struct err *check_report_locality(struct mig_checks *c, const json_t *report, const char *xml,
                                         size_t size, json_t *warnings, json_t **locality)
{
    const json_t *judged = json_object_get(report, "locality");
    /* capabilities' numa and ovs, or migrate-prepare's host.numa and host.ovs */
    const json_t *prepared = json_object_get(report, "host");
    const json_t *facts_of = json_is_array(json_object_get(report, "numa")) ? report : prepared;
    const json_t *facts = json_object_get(facts_of, "numa");
    if (json_is_array(facts)) {
        _cleanup_(numa_host_clear) struct numa_host h = {0};
        json_auto_t *said = json_array(); /* the warning below says it */
        struct err *e = numa_host_from_report(facts_of, facts_of == report ? "destination_report"
                                                                          : "destination_report.host",
                                              &h);
        if (e) {
            return e;
        }
        e = host_locality(&h, xml, size, NULL, 0, said, locality);
        /* Its cross-NUMA warning is said below, for both kinds of report;
         * any other (vCPUs pinned away from the memory) is the destination's. */
        size_t i;
        const json_t *w;
        json_array_foreach(said, i, w) {
            if (!strstr(json_string_value(w), "cross-NUMA")) {
                json_array_append_new(warnings, json_sprintf("on the destination: %s", json_string_value(w)));
            }
        }
        if (e && e->code == ERR_NUMA_REFUSED) {
            mig_check(c, "numa", "destination", false, mem_strdup(e->message));
            err_free(e);
            return NULL;
        }
        if (e) {
            return e;
        }
        const char *v = json_string_value(json_object_get(*locality, "verdict"));
        mig_check(c, "numa", "destination", true,
                  mem_strdup(streq(v, "local") ? "the destination's switch polls the VM's queues on the node of its memory"
                             : streq(v, "cross_numa")
                                 ? "the destination's switch can poll the VM's queues, but from another node than its memory's (see the warning)"
                                 : "the destination's switch can poll the VM's queues; where, is not known (see the result's locality notes)"));
    } else if (json_is_object(judged)) {
        *locality = json_deep_copy(judged);
    } else {
        return NULL;
    }
    const char *verdict = json_string_value(json_object_get(*locality, "verdict"));
    if (verdict && streq(verdict, "cross_numa")) {
        _cleanup_free_ char *vm = json_dumps(json_object_get(*locality, "vm_nodes"), JSON_COMPACT | JSON_ENCODE_ANY);
        _cleanup_free_ char *pmd = json_dumps(json_object_get(*locality, "pmd_nodes"), JSON_COMPACT | JSON_ENCODE_ANY);
        json_array_append_new(warnings,
                              json_sprintf("on the destination OVS would poll the VM's queues cross-NUMA (no PMD thread on the node of its memory): up to half its packet rate; see the destination's pmd-cpu-mask (the VM's memory on node(s) %s, PMD threads on node(s) %s)",
                                           vm ? vm : "?", pmd ? pmd : "?"));
    }
    return NULL;
}

static void check_report(struct mig_checks *c, const json_t *report, const struct domain *d)
{
    const json_t *eligible = json_object_get(report, "eligible");
    const json_t *capability = json_object_get(report, "capability");
    if (json_is_boolean(eligible)) {
        mig_check(c, "report", "destination", json_is_true(eligible),
                  mem_strdup(json_is_true(eligible) ? "migrate-prepare found the destination eligible"
                                                    : "migrate-prepare found the destination not eligible"));
    } else if (json_is_string(capability)) {
        bool dpdk = streq(json_string_value(capability), "dpdk");
        mig_check(c, "report", "destination", dpdk,
                  mem_strdup(dpdk ? "the destination is DPDK-capable"
                                  : "the destination is not DPDK-capable (see its capabilities)"));
    } else {
        mig_check(c, "report", "destination", false,
                  mem_strdup("destination_report is neither migrate-prepare's nor capabilities' result"));
    }

    const json_t *mapping = json_object_get(report, "mapping");
    if (json_is_object(mapping)) {
        for (size_t i = 0; i < d->n_ifaces; i++) {
            /* MACs in any case, as libvirt and CloudStack write them. */
            const char *key;
            json_t *value;
            const json_t *to = NULL;
            json_object_foreach((json_t *) mapping, key, value) {
                to = !to && !strcasecmp(key, d->ifaces[i].mac) ? value : to;
            }
            mig_check(c, "mapping", "destination", to != NULL,
                      to ? mapped_detail(&d->ifaces[i], to)
                         : mem_asprintf("%s has no port on the destination", d->ifaces[i].mac));
        }
    }
}

struct err *verb_migrate_check_run(struct verb_context *ctx, json_t **result)
{
    json_t *domain = NULL, *destination = NULL, *report = NULL;
    struct request_field fields[] = {
        {"domain_xml", REQ_STRING, true, false, &domain},
        {"destination", REQ_STRING, false, false, &destination},
        {"destination_report", REQ_OBJECT, false, false, &report},
    };
    _cleanup_(domain_clear) struct domain d = {0};
    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e && !destination && !report) {
        e = err_new(ERR_INVALID_REQUEST, NULL,
                    "give destination (a libvirt URI), destination_report, or both: the destination must be checked too");
    }
    if (!e) {
        e = domain_parse(json_string_value(domain), json_string_length(domain), "domain_xml", &d);
    }
    if (e) {
        return e;
    }

    struct mig_checks checks;
    json_t *polling = NULL, *locality = NULL;
    mig_checks_init(&checks);
    check_vm(&checks, &d);
    if (d.n_ifaces) {
        check_ports(&checks, ctx->options, &d, ctx->warnings, &polling);
    }
    if (destination && (e = check_destination(&checks, ctx->options, json_string_value(destination), &d, report))) {
        json_decref(checks.list);
        json_decref(polling);
        return e;
    }
    if (report) {
        check_report(&checks, report, &d);
        e = check_report_locality(&checks, report, json_string_value(domain),
                                  json_string_length(domain), ctx->warnings, &locality);
        if (e) {
            json_decref(checks.list);
            json_decref(polling);
            json_decref(locality);
            return e;
        }
    }
    ctx->negative = !checks.eligible;
    *result = json_pack("{s:b, s:o, s:{s:o, s:o}}", "eligible", checks.eligible, "checks", checks.list,
                        "locality", "source_ports", polling ? polling : json_null(), "destination",
                        locality ? locality : json_null());
    return NULL;
}

void verb_migrate_check_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    mig_checks_text(out, result);
}
