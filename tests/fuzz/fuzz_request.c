/* The request reader and the per-verb validation of every verb that needs
 * no daemon: decode, render (with domain XML: the merge), migrate-rewrite,
 * offering build, offering check. The first byte picks the verb; the rest
 * is the request, read as request_read() reads stdin. */
#include "tests/fuzz/fuzz.h"

#include <jansson.h>

#include "helper/error.h"
#include "helper/request.h"
#include "helper/verb.h"

static verb_run_fn *const runs[] = {
    verb_decode_run, verb_render_run, verb_migrate_rewrite_run, verb_offering_build_run,
    verb_offering_check_run,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    verb_run_fn *run = runs[data[0] % (sizeof runs / sizeof runs[0])];
    json_t *request = NULL;
    struct err *e = request_parse((const char *) data + 1, size - 1, false, &request);
    if (e) {
        err_free(e);
        return 0;
    }
    struct options options = {
        .ovsdb = "unix:/nonexistent/db.sock",
        .libvirt = "test:///default",
        .agent_properties = "/nonexistent/agent.properties",
        .timeout = 1,
    };
    struct verb_context ctx = {.options = &options, .request = request, .warnings = json_array()};
    json_t *result = NULL;
    e = run(&ctx, &result);
    err_free(e);
    json_decref(result);
    json_decref(ctx.warnings);
    json_decref(request);
    return 0;
}
