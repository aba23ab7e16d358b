/* decode: merge, decode and validate a VM's DPDK details (docs/design.md section 4). */
#include "helper/mem.h"
#include "helper/output.h"
#include "helper/request.h"
#include "helper/verb.h"
#include "offerings/details.h"

json_t *verb_decode_result(const struct dpdk_details *d)
{
    const struct vhost_mode_info *mode = vhost_mode_info(d->mode);
    json_t *extras = json_object();
    json_t *sources = json_object();
    json_t *ignored = json_array();

    json_object_set_new(sources, DETAIL_MODE, json_string(detail_source_name(d->mode_source)));
    if (d->numa) {
        json_object_set_new(sources, DETAIL_NUMA, json_string(detail_source_name(d->numa_source)));
    }
    if (d->hugepages) {
        json_object_set_new(sources, DETAIL_HUGEPAGES,
                            json_string(detail_source_name(d->hugepages_source)));
    }
    for (size_t i = 0; i < d->n_extras; i++) {
        json_object_set_new(extras, d->extras[i].key, json_string(d->extras[i].xml));
        json_object_set_new(sources, d->extras[i].key,
                            json_string(detail_source_name(d->extras[i].source)));
    }
    for (size_t i = 0; i < d->n_ignored; i++) {
        json_array_append_new(ignored, json_string(d->ignored[i]));
    }

    return json_pack("{s:b, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
                     "dpdk", d->dpdk,
                     "mode", mode->name,
                     "port_type", mode->port_type,
                     "guest_mode", mode->guest_mode,
                     "numa", output_json_string_or_null(d->numa),
                     "hugepages", output_json_string_or_null(d->hugepages),
                     "interface_extra", extras,
                     "sources", sources,
                     "ignored", ignored);
}

struct err *verb_decode_run(struct verb_context *ctx, json_t **result)
{
    _cleanup_(request_details_clear) struct request_details request = {0};
    _cleanup_(dpdk_details_freep) struct dpdk_details *details = NULL;

    struct err *e = request_details_parse(ctx->request, "", &request);
    if (!e) {
        e = details_decode(&request.view, "", &details);
    }
    if (e) {
        return e;
    }

    for (size_t i = 0; i < details->n_warnings; i++) {
        json_array_append_new(ctx->warnings, json_string(details->warnings[i]));
    }
    *result = verb_decode_result(details);
    return NULL;
}
