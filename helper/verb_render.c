/* render: the XML of a VM whose ports are known, without touching OVSDB
 * (docs/design.md section 4): the vhost-user interfaces, the checked details,
 * and the merged domain when given one. plug returns the same. Given the
 * host's capabilities result, it judges the VM's NUMA locality there as
 * plug does against the live host (docs/ports.md, "NUMA locality"). */
#include <stdio.h>

#include "helper/agent.h"
#include "helper/probe.h"
#include "helper/vm_render.h"
#include "helper/vm_request.h"

/* The VM's locality on the host of 'req->host_report', into 'out': judged
 * on the domain rendered into 'out' (its NUMA cells are the details'),
 * else the request's. */
static struct err *render_locality(const struct vm_request *req, json_t *warnings, json_t *out)
{
    _cleanup_(numa_host_clear) struct numa_host h = {0};
    json_t *locality = NULL;
    const json_t *rendered = json_object_get(out, "domain_xml");
    const char *domain = rendered ? json_string_value(rendered) : req->domain_xml;
    size_t size = rendered ? json_string_length(rendered) : req->domain_xml_size;
    struct err *e = numa_host_from_report(req->host_report, "host_report", &h);
    if (!e) {
        _cleanup_free_ unsigned *queues = vm_request_nic_queues(req);
        e = host_locality(&h, domain, size, queues, req->n_nics, warnings, &locality);
    }
    if (!e) {
        json_object_set_new(out, "locality", locality);
    }
    return e;
}

struct err *verb_render_run(struct verb_context *ctx, json_t **result)
{
    _cleanup_(vm_request_clear) struct vm_request req = {0};
    _cleanup_(agent_config_clear) struct agent_config agent = {0};

    struct err *e = vm_request_parse(ctx, VM_REQUEST_PORTS | VM_REQUEST_HOST_REPORT, &req);
    if (!e) {
        e = agent_config_load(ctx->options->agent_properties, &agent);
    }
    if (e) {
        return e;
    }
    json_t *out = json_pack("{s:s}", "mode", vhost_mode_info(req.details->mode)->name);
    e = vm_render(&req, agent.socket_dir, out, ctx->warnings);
    if (!e && req.host_report) {
        e = render_locality(&req, ctx->warnings, out);
    }
    if (e) {
        json_decref(out);
        return e;
    }
    *result = out;
    return NULL;
}

/* For a person, and for golden files: the XML itself, not JSON strings. */
void verb_render_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    size_t i;
    json_t *iface;
    fprintf(out, "mode: %s\n", json_string_value(json_object_get(result, "mode")));
    fprintf(out, "numa: %s\n", json_string_value(json_object_get(result, "numa")));
    fprintf(out, "hugepages: %s\n", json_string_value(json_object_get(result, "hugepages")));
    json_array_foreach(json_object_get(result, "interfaces"), i, iface) {
        fprintf(out, "interface: %s\n", json_string_value(iface));
    }
    const json_t *locality = json_object_get(result, "locality");
    if (locality) {
        fprintf(out, "locality: %s\n", json_string_value(json_object_get(locality, "verdict")));
    }
    const json_t *domain = json_object_get(result, "domain_xml");
    if (domain) {
        fprintf(out, "domain:\n%s", json_string_value(domain));
    }
}
