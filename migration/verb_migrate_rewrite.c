/* migrate-rewrite: point the domain XML at the destination's ports. */
#include "helper/request.h"
#include "helper/verb.h"
#include "helper/vm_request.h"
#include "migration/rewrite.h"

struct err *verb_migrate_rewrite_run(struct verb_context *ctx, json_t **result)
{
    json_t *domain = NULL, *mapping = NULL, *reconnect = NULL;
    struct request_field fields[] = {
        {"domain_xml", REQ_STRING, true, false, &domain},
        {"mapping", REQ_OBJECT, true, false, &mapping},
        {"reconnect", REQ_INTEGER, false, false, &reconnect},
    };
    _cleanup_(mig_mapping_clear) struct mig_mapping map = {0};
    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e) {
        e = mig_mapping_parse(mapping, "mapping", &map);
    }
    if (e) {
        return e;
    }
    json_int_t given = reconnect ? json_integer_value(reconnect) : VM_RECONNECT_DEFAULT;
    if (given < 0 || given > VM_RECONNECT_MAX) {
        return err_new(ERR_INVALID_REQUEST, "reconnect", "reconnect must be from 0 (off) to %d seconds",
                       VM_RECONNECT_MAX);
    }
    int seconds = (int) given;

    char *xml = NULL;
    size_t unused = 0;
    e = mig_rewrite(json_string_value(domain), json_string_length(domain), &map, seconds, &xml,
                    &unused);
    if (e) {
        return e;
    }
    if (unused) {
        json_array_append_new(ctx->warnings,
                              json_sprintf("%zu entr%s of the mapping match%s no vhost-user interface",
                                           unused, unused == 1 ? "y" : "ies", unused == 1 ? "es" : ""));
    }
    *result = json_pack("{s:s}", "domain_xml", xml);
    free(xml);
    return NULL;
}
