/* render: the XML of a VM whose ports are known, without touching OVSDB
 * (docs/design.md section 4): the vhost-user interfaces, the checked details,
 * and the merged domain when given one. plug returns the same. */
#include <stdio.h>

#include "helper/agent.h"
#include "helper/vm_render.h"
#include "helper/vm_request.h"

struct err *verb_render_run(struct verb_context *ctx, json_t **result)
{
    _cleanup_(vm_request_clear) struct vm_request req = {0};
    _cleanup_(agent_config_clear) struct agent_config agent = {0};

    struct err *e = vm_request_parse(ctx, VM_REQUEST_PORTS, &req);
    if (!e) {
        e = agent_config_load(ctx->options->agent_properties, &agent);
    }
    if (e) {
        return e;
    }
    json_t *out = json_pack("{s:s}", "mode", vhost_mode_info(req.details->mode)->name);
    if ((e = vm_render(&req, agent.socket_dir, out, ctx->warnings))) {
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
    const json_t *domain = json_object_get(result, "domain_xml");
    if (domain) {
        fprintf(out, "domain:\n%s", json_string_value(domain));
    }
}
