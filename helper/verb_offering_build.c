/* offering build: the details of a DPDK service offering from a few numbers,
 * encoded the way CloudStack's API takes them, with a ready CloudMonkey
 * command and the API query. Every snippet goes through decode and the
 * checks render runs, so what it prints is what plug will accept. */
#include <inttypes.h>

#include "helper/domxml.h"
#include "helper/mem.h"
#include "helper/request.h"
#include "helper/text.h"
#include "helper/verb.h"
#include "offerings/details.h"
#include "offerings/offering.h"

#define QUEUES_KEY DETAIL_INTERFACE_PREFIX "queues"

struct build {
    struct offering_params params;
    struct offering_cell cells[OFFERING_MAX_CELLS];
    enum vhost_mode mode;
    uint64_t queues; /* 0: none */
    uint64_t cpu_speed;
    const char *name;
};

static struct err *read_request(const json_t *request, struct build *b)
{
    json_t *vcpus, *memory, *page, *mode, *cells, *queues, *name, *speed;
    struct request_field fields[] = {
        {"vcpus", REQ_INTEGER, true, false, &vcpus},
        {"memory_mib", REQ_INTEGER, true, false, &memory},
        {"page_size_kib", REQ_INTEGER, false, false, &page},
        {"mode", REQ_STRING, false, false, &mode},
        {"cells", REQ_ARRAY, false, false, &cells},
        {"queues", REQ_INTEGER, false, false, &queues},
        {"name", REQ_STRING, false, false, &name},
        {"cpu_speed_mhz", REQ_INTEGER, false, false, &speed},
    };
    uint64_t v = 0;
    struct err *e = request_fields(request, "", fields, ARRAY_SIZE(fields));
    if (!e) {
        e = request_uint(vcpus, "vcpus", 1, 4096, &v);
        b->params.vcpus = (unsigned) v;
    }
    if (!e) {
        e = request_uint(memory, "memory_mib", 1, UINT64_C(1) << 32, &b->params.memory_mib);
    }
    b->params.page_size_kib = page ? (uint64_t) json_integer_value(page) : 2048;
    if (!e && b->params.page_size_kib != 2048 && b->params.page_size_kib != 1048576) {
        e = err_new(ERR_INVALID_REQUEST, "page_size_kib",
                    "page_size_kib must be 2048 (2 MiB) or 1048576 (1 GiB), not %lld",
                    (long long) json_integer_value(page));
    }
    b->mode = VHOST_MODE_SERVER;
    if (!e && mode) {
        e = vhost_mode_parse(json_string_value(mode), "mode", &b->mode);
    }
    if (!e && queues) {
        e = request_uint(queues, "queues", 1, 256, &b->queues);
    }
    if (!e && speed) {
        e = request_uint(speed, "cpu_speed_mhz", 1, 1000000, &b->cpu_speed);
    }
    if (!e && json_array_size(cells) > OFFERING_MAX_CELLS) {
        e = err_new(ERR_INVALID_REQUEST, "cells", "at most %d cells", OFFERING_MAX_CELLS);
    }
    size_t i;
    json_t *cell;
    json_array_foreach(cells, i, cell) {
        _cleanup_free_ char *path = mem_asprintf("cells[%zu]", i);
        _cleanup_free_ char *memory_field = mem_asprintf("%s.memory_mib", path);
        json_t *cpus, *cell_memory;
        struct request_field cell_fields[] = {
            {"cpus", REQ_STRING, true, false, &cpus},
            {"memory_mib", REQ_INTEGER, true, false, &cell_memory},
        };
        if (e || !json_is_object(cell)) {
            e = e ? e : err_new(ERR_INVALID_REQUEST, path, "%s must be an object", path);
            break;
        }
        if (!(e = request_fields(cell, path, cell_fields, ARRAY_SIZE(cell_fields)))) {
            e = request_uint(cell_memory, memory_field, 1, UINT64_C(1) << 32, &b->cells[i].memory_mib);
        }
        b->cells[i].cpus = json_string_value(cpus);
    }
    b->params.cells = b->cells;
    b->params.n_cells = json_array_size(cells);
    if (!e && cells && !b->params.n_cells) {
        e = err_new(ERR_INVALID_REQUEST, "cells", "cells is empty: leave it out for one cell");
    }
    b->name = name ? json_string_value(name) : NULL;
    if (!e && b->name && (!*b->name || strlen(b->name) > 255)) {
        e = err_new(ERR_INVALID_REQUEST, "name", "name must be 1 to 255 bytes");
    }
    if (!e && b->name) {
        e = text_check(b->name, strlen(b->name), "name");
    }
    return e;
}

/* Runs the built details through decode and render's checks; the field of
 * an error becomes the request's ("cells"), the message stays. */
static struct err *check_details(const struct build *b, const struct detail *d, size_t n,
                                 struct dpdk_details **out)
{
    struct details_request request = {.offering = d, .n_offering = n};
    struct err *e = details_decode(&request, "", out);
    if (!e) {
        struct domxml_vm vm = {
            .details = *out,
            .vcpus = b->params.vcpus,
            .memory_kib = b->params.memory_mib * 1024,
            .details_field = "details",
        };
        e = domxml_check(&vm);
    }
    if (e) {
        free(e->field);
        e->field = mem_strdup(b->params.n_cells ? "cells" : "vcpus");
    }
    return e;
}

struct err *verb_offering_build_run(struct verb_context *ctx, json_t **result)
{
    struct build b = {0};
    _cleanup_free_ char *numa = NULL, *hugepages = NULL, *driver = NULL;
    _cleanup_(dpdk_details_freep) struct dpdk_details *details = NULL;

    struct err *e = read_request(ctx->request, &b);
    if (!e) {
        e = offering_snippets(&b.params, &numa, &hugepages);
    }
    if (e) {
        return e;
    }
    if (b.queues) {
        driver = mem_asprintf("<driver queues=\"%" PRIu64 "\"/>", b.queues);
    }
    /* Sorted by key: the order of every list printed below. */
    const char *mode = vhost_mode_info(b.mode)->name;
    struct detail d[4];
    size_t n = 0;
    d[n++] = (struct detail){DETAIL_MODE, mode, strlen(mode)};
    d[n++] = (struct detail){DETAIL_HUGEPAGES, hugepages, strlen(hugepages)};
    if (driver) {
        d[n++] = (struct detail){QUEUES_KEY, driver, strlen(driver)};
    }
    d[n++] = (struct detail){DETAIL_NUMA, numa, strlen(numa)};
    if ((e = check_details(&b, d, n, &details))) {
        return e;
    }

    _cleanup_free_ char *name = b.name ? mem_strdup(b.name)
                                       : mem_asprintf("DPDK %u vCPU %" PRIu64 " MiB %s", b.params.vcpus,
                                                      b.params.memory_mib, mode);
    json_t *encoded = json_object(), *decoded = json_object();
    _cleanup_free_ char *cmk = mem_strdup("create serviceoffering");
    _cleanup_free_ char *query = mem_strdup("command=createServiceOffering");
    /* A fixed offering needs cpunumber, cpuspeed and memory together; on
     * KVM the speed only weighs the VM's CPU shares. */
    char speed[24];
    snprintf(speed, sizeof speed, "%" PRIu64, b.cpu_speed ? b.cpu_speed : 1000);
    char vcpus[24], memory[24];
    snprintf(vcpus, sizeof vcpus, "%u", b.params.vcpus);
    snprintf(memory, sizeof memory, "%" PRIu64, b.params.memory_mib);
    const char *plain[][2] = {
        {"name", name}, {"displaytext", name}, {"cpunumber", vcpus}, {"memory", memory},
        {"cpuspeed", speed},
    };
    for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
        _cleanup_free_ char *arg = mem_asprintf("%s=%s", plain[i][0], plain[i][1]);
        _cleanup_free_ char *word = offering_shell_word(arg);
        _cleanup_free_ char *value = offering_url_encode(plain[i][1]);
        char *more = mem_asprintf("%s %s", cmk, word);
        free(cmk);
        cmk = more;
        more = mem_asprintf("%s&%s=%s", query, plain[i][0], value);
        free(query);
        query = more;
    }
    for (size_t i = 0; i < n; i++) {
        /* The mode is never URL-encoded; the snippets are, once, for
         * CloudStack to decode at offering creation. */
        _cleanup_free_ char *value = i == 0 ? mem_strdup(d[i].value) : offering_url_encode(d[i].value);
        json_object_set_new(encoded, d[i].key, json_string(value));
        json_object_set_new(decoded, d[i].key, json_string(d[i].value));

        _cleanup_free_ char *karg = mem_asprintf("serviceofferingdetails[%zu].key=%s", i, d[i].key);
        _cleanup_free_ char *varg = mem_asprintf("serviceofferingdetails[%zu].value=%s", i, value);
        _cleanup_free_ char *kword = offering_shell_word(karg);
        _cleanup_free_ char *vword = offering_shell_word(varg);
        char *more = mem_asprintf("%s %s %s", cmk, kword, vword);
        free(cmk);
        cmk = more;
        /* On the wire each parameter is encoded again; the servlet takes
         * that layer off before CloudStack sees the value. */
        _cleanup_free_ char *wire = offering_url_encode(value);
        more = mem_asprintf("%s&serviceofferingdetails%%5B%zu%%5D.key=%s"
                            "&serviceofferingdetails%%5B%zu%%5D.value=%s",
                            query, i, d[i].key, i, wire);
        free(query);
        query = more;
    }
    for (size_t i = 0; i < details->n_warnings; i++) {
        json_array_append_new(ctx->warnings, json_string(details->warnings[i]));
    }
    *result = json_pack("{s:o, s:o, s:s, s:s, s:s, s:o}", "details", encoded, "decoded", decoded,
                        "cloudmonkey", cmk, "api_query", query, "name", name, "management_server",
                        verb_offering_management_server(details->elements, details->n_elements));
    return NULL;
}

/* What CloudStack's management server checks (docs/offerings.md, "The
 * management server's settings"): an offering detail only by its key; a
 * VM detail named extraconfig-* against both settings, at every start
 * since the 2024 hardening (4.18.1.1, 4.19.0.1), before it only when given. */
static const char why_enable[] =
    "CloudStack refuses extraconfig given as VM details unless this is true: at deployVirtualMachine for the calling account, at updateVirtualMachine for the VM's account, and (4.18.1.1, 4.19.0.1 and later) at every start of the VM for the VM's account. Offering details are not checked against it.";
static const char why_allow_list[] =
    "CloudStack parses each extraconfig VM detail and refuses it unless every element name in it, at any depth, is in this comma-separated list of the VM's account, matched exactly (case-sensitive): when it is given, and (4.18.1.1, 4.19.0.1 and later) at every start of the VM. Offering details are not checked against it.";
static const char *const management_server_notes[] = {
    "Offering details need none of these settings: CloudStack checks only their keys (extraconfig-dpdk-numa, extraconfig-dpdk-hugepages, extraconfig-dpdk-interface-*), at offering creation and at every start (4.18.1.1, 4.19.0.1 and later; earlier releases check nothing of them).",
    "Give the snippets as VM details (deployVirtualMachine or updateVirtualMachine extraconfig=) only with both settings in place for the VM's account: from 4.18.1.1 and 4.19.0.1 on (CloudStack's 2024 extraconfig hardening, CVE-2024-29008), a VM whose details fail the check at start does not start (CloudStack issue 9875).",
    "At deployVirtualMachine and updateVirtualMachine a value holding ':' (the 'dpdk-numa:' first line that names the detail) skips the allow-list; the value stored, without that line, is checked at every start (4.18.1.1, 4.19.0.1 and later).",
    "Replace " OFFERING_ACCOUNT_PLACEHOLDER " with the UUID of the VM's account. Without accountid the value becomes the global one, which every account without a value of its own takes.",
    "The allow-list given replaces the account's: add to it the element names it already allows for other extraconfig.",
    "Releases before the hardening (4.18.0.0 to 4.18.1.0, 4.19.0.0) take the allow-list globally only and check VM details only when they are given, never at start: there, leave accountid out of its command.",
    "DPDK-VHOSTUSER is a plain detail, not extraconfig: these settings do not concern it.",
};

json_t *verb_offering_management_server(char *const *elements, size_t n_elements)
{
    json_t *allow_list = json_array(), *settings = json_array(), *cmk = json_array(),
           *queries = json_array(), *notes = json_array();
    /* No extraconfig, nothing to set: every list stays empty. */
    if (n_elements) {
        _cleanup_free_ char *list = offering_join((const char *const *) elements, n_elements, ",");
        const char *values[][3] = {
            {OFFERING_SETTING_ENABLE, "true", why_enable},
            {OFFERING_SETTING_KVM_ALLOW_LIST, list, why_allow_list},
        };
        for (size_t i = 0; i < n_elements; i++) {
            json_array_append_new(allow_list, json_string(elements[i]));
        }
        for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
            _cleanup_free_ char *line = offering_setting_cloudmonkey(values[i][0], values[i][1]);
            _cleanup_free_ char *query = offering_setting_query(values[i][0], values[i][1]);
            json_array_append_new(settings,
                                  json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", values[i][0],
                                            "value", values[i][1], "scope", "account",
                                            "needed_for", "vm-details", "why", values[i][2]));
            json_array_append_new(cmk, json_string(line));
            json_array_append_new(queries, json_string(query));
        }
        for (size_t i = 0; i < ARRAY_SIZE(management_server_notes); i++) {
            json_array_append_new(notes, json_string(management_server_notes[i]));
        }
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "allow_list", allow_list, "settings", settings,
                     "cloudmonkey", cmk, "api_queries", queries, "notes", notes);
}

void verb_offering_management_server_text(FILE *out, const json_t *management_server)
{
    const json_t *settings = json_object_get(management_server, "settings");
    size_t i;
    json_t *item;
    if (!json_array_size(settings)) {
        return; /* no extraconfig: nothing to set */
    }
    fprintf(out, "\nManagement server settings, only for these snippets given as VM details "
                 "(the offering's details need none):\n");
    json_array_foreach(settings, i, item) {
        fprintf(out, "  %-43s = %s  (per %s)\n", json_string_value(json_object_get(item, "name")),
                json_string_value(json_object_get(item, "value")),
                json_string_value(json_object_get(item, "scope")));
    }
    fprintf(out, "  CloudMonkey:\n");
    json_array_foreach(json_object_get(management_server, "cloudmonkey"), i, item) {
        fprintf(out, "    cmk %s\n", json_string_value(item));
    }
    fprintf(out, "  API queries (before signing):\n");
    json_array_foreach(json_object_get(management_server, "api_queries"), i, item) {
        fprintf(out, "    %s\n", json_string_value(item));
    }
    fprintf(out, "  Notes:\n");
    json_array_foreach(json_object_get(management_server, "notes"), i, item) {
        fprintf(out, "    - %s\n", json_string_value(item));
    }
}

/* For a person: each detail with its encoded value, then the command. */
void verb_offering_build_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    const char *key;
    json_t *value;
    fprintf(out, "Service offering details (URL-encoded, as CloudStack's API takes them):\n");
    json_object_foreach((json_t *) json_object_get(result, "details"), key, value) {
        fprintf(out, "  %-34s %s\n", key, json_string_value(value));
    }
    fprintf(out, "\nDecoded (what the agent receives):\n");
    json_object_foreach((json_t *) json_object_get(result, "decoded"), key, value) {
        fprintf(out, "  %-34s %s\n", key, json_string_value(value));
    }
    fprintf(out, "\nCloudMonkey:\n  cmk %s\n",
            json_string_value(json_object_get(result, "cloudmonkey")));
    fprintf(out, "\nAPI query (before signing):\n  %s\n",
            json_string_value(json_object_get(result, "api_query")));
    verb_offering_management_server_text(out, json_object_get(result, "management_server"));
}
