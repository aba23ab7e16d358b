/* offering check: what decode would make of an offering's details, with
 * every problem named at once, including those CloudStack accepts at
 * offering creation and that fail only when a VM starts, on some host. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "helper/domxml.h"
#include "helper/mem.h"
#include "helper/request.h"
#include "helper/text.h"
#include "helper/verb.h"
#include "offerings/details.h"
#include "offerings/offering.h"

#define CHECK_MAX_DETAILS 256

struct pair {
    char *key;
    char *value;   /* as given */
    char *decoded; /* once URL-decoded (or as given, when not encoded); NULL if it cannot be */
    size_t decoded_size;
    bool bad;      /* a problem of its own: left out of the whole decode */
    size_t order;  /* as given */
};

struct check {
    struct pair pairs[CHECK_MAX_DETAILS];
    size_t n;
    unsigned vcpus;
    uint64_t memory_kib;
    json_t *problems;
    bool errors;
    /* The element names of every snippet that decoded on its own: the
     * allow-list those snippets would need as VM details. */
    char **elements;
    size_t n_elements, n_elements_alloc;
};

static void check_clear(struct check *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->pairs[i].key);
        free(c->pairs[i].value);
        free(c->pairs[i].decoded);
    }
    for (size_t i = 0; i < c->n_elements; i++) {
        free(c->elements[i]);
    }
    free(c->elements);
    json_decref(c->problems);
}

static void problem(struct check *c, bool error, const char *code, const char *field,
                    const char *message)
{
    json_array_append_new(c->problems,
                          json_pack("{s:s, s:s*, s:s, s:s}", "severity", error ? "error" : "warning",
                                    "field", field, "code", code, "message", message));
    c->errors |= error;
}

static void problem_err(struct check *c, struct err *e, const char *extra)
{
    _cleanup_free_ char *message = extra ? mem_asprintf("%s; %s", e->message, extra)
                                         : mem_strdup(e->message);
    problem(c, true, err_code_name(e->code), e->field, message);
    err_free(e);
}

static struct err *add_pair(struct check *c, const char *key, const char *value, const char *field)
{
    if (c->n == CHECK_MAX_DETAILS) {
        return err_new(ERR_INVALID_REQUEST, field, "at most %d details", CHECK_MAX_DETAILS);
    }
    c->pairs[c->n] = (struct pair){.key = mem_strdup(key), .value = mem_strdup(value), .order = c->n};
    c->n++;
    return NULL;
}

static bool read_number(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || strspn(s, "0123456789") != strlen(s)) {
        return false;
    }
    *out = strtoull(s, &end, 10);
    return *out > 0;
}

/* The serviceofferingdetails[N].key / .value pairs, cpunumber and memory
 * of a CloudMonkey command line. */
static struct err *read_command(struct check *c, const char *line)
{
    _cleanup_(offering_command_clear) struct offering_command cmd = {0};
    struct err *e = offering_command_parse(line, "cloudmonkey", &cmd);
    if (e) {
        return e;
    }
    const char *keys[CHECK_MAX_DETAILS] = {0}, *values[CHECK_MAX_DETAILS] = {0};
    size_t top = 0;
    for (size_t i = 0; i < cmd.n_args; i++) {
        const char *k = cmd.args[i].key, *v = cmd.args[i].value;
        const char *prefix = "serviceofferingdetails[";
        uint64_t number;
        if (!strncmp(k, prefix, strlen(prefix))) {
            /* serviceofferingdetails[N].key / .value, N in digits only */
            const char *digits = k + strlen(prefix);
            size_t n_digits = strspn(digits, "0123456789");
            const char *rest = digits + n_digits;
            unsigned long n = n_digits && n_digits <= 3 ? strtoul(digits, NULL, 10) : ULONG_MAX;
            bool is_key = streq(rest, "].key"), is_value = streq(rest, "].value");
            if (n >= CHECK_MAX_DETAILS || !(is_key || is_value)) {
                _cleanup_free_ char *shown = text_quote_for_message(k, 64);
                _cleanup_free_ char *message = mem_asprintf(
                    "%s is not serviceofferingdetails[N].key or .value with N below %d: not checked",
                    shown, CHECK_MAX_DETAILS);
                problem(c, true, "invalid_request", "cloudmonkey", message);
                continue;
            }
            *(is_key ? &keys[n] : &values[n]) = v;
            top = n + 1 > top ? n + 1 : top;
        } else if (streq(k, "cpunumber") && read_number(v, &number) && number <= 4096) {
            c->vcpus = (unsigned) number;
        } else if (streq(k, "memory") && read_number(v, &number) && number <= UINT64_C(1) << 32) {
            c->memory_kib = number * 1024;
        }
    }
    for (size_t n = 0; n < top; n++) {
        _cleanup_free_ char *field = mem_asprintf("cloudmonkey.serviceofferingdetails[%zu]", n);
        if (!keys[n] != !values[n]) {
            _cleanup_free_ char *message = mem_asprintf("has a %s but no %s", keys[n] ? "key" : "value",
                                                        keys[n] ? "value" : "key");
            problem(c, true, "invalid_request", field, message);
        } else if (keys[n] && (e = add_pair(c, keys[n], values[n], field))) {
            return e;
        }
    }
    return NULL;
}

static struct err *read_request(struct check *c, const json_t *request)
{
    json_t *details, *cloudmonkey, *vcpus, *memory;
    struct request_field fields[] = {
        {"details", REQ_OBJECT, false, false, &details},
        {"cloudmonkey", REQ_STRING, false, false, &cloudmonkey},
        {"vcpus", REQ_INTEGER, false, false, &vcpus},
        {"memory_mib", REQ_INTEGER, false, false, &memory},
    };
    struct err *e = request_fields(request, "", fields, ARRAY_SIZE(fields));
    if (e) {
        return e;
    }
    if (!details == !cloudmonkey) {
        return err_new(ERR_INVALID_REQUEST, "details", "give either details or cloudmonkey");
    }
    if (cloudmonkey && (e = read_command(c, json_string_value(cloudmonkey)))) {
        return e;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *) details, key, value) {
        _cleanup_free_ char *field = mem_asprintf("details.%s", key);
        if (!json_is_string(value)) {
            return err_new(ERR_INVALID_REQUEST, field, "%s must be a string", field);
        }
        if ((e = add_pair(c, key, json_string_value(value), field))) {
            return e;
        }
    }
    /* Given, they stand for the command line's cpunumber and memory. */
    uint64_t v;
    if (vcpus) {
        if ((e = request_uint(vcpus, "vcpus", 1, 4096, &v))) {
            return e;
        }
        c->vcpus = (unsigned) v;
    }
    if (memory) {
        if ((e = request_uint(memory, "memory_mib", 1, UINT64_C(1) << 32, &v))) {
            return e;
        }
        c->memory_kib = v * 1024;
    }
    return NULL;
}

static bool is_snippet_key(const char *key)
{
    return streq(key, DETAIL_NUMA) || streq(key, DETAIL_HUGEPAGES) ||
           !strncmp(key, DETAIL_INTERFACE_PREFIX, strlen(DETAIL_INTERFACE_PREFIX));
}

/* Each detail on its own: its encoding, then decode of it alone, so that
 * every bad value is named, not only the first. */
static void check_pair(struct check *c, struct pair *p)
{
    _cleanup_free_ char *field = mem_asprintf("details.%s", p->key);
    if (!strncasecmp(p->key, "extraconfig-", 12) && strncasecmp(p->key, "extraconfig-dpdk-", 17)) {
        problem(c, true, "not_dpdk_extraconfig", field,
                "CloudStack refuses extraconfig other than DPDK's on a service offering");
        p->bad = true;
        return;
    }
    bool snippet = is_snippet_key(p->key);
    if (snippet && strchr(p->value, '<')) {
        /* CloudStack URL-decodes offering details once, at creation. */
        bool altered = strpbrk(p->value, "%+");
        problem(c, altered, "not_url_encoded", field,
                altered ? "the value is not URL-encoded and holds '%' or '+': CloudStack's "
                          "URL decoding at offering creation would change it; give it encoded "
                          "(offering build prints it)"
                        : "the value is not URL-encoded; CloudStack decodes it once at offering "
                          "creation, which leaves this one as it is, but give it encoded "
                          "(offering build prints it)");
        if (altered) {
            p->bad = true;
            return;
        }
        p->decoded = mem_strdup(p->value);
        p->decoded_size = strlen(p->value);
    } else if (snippet) {
        struct err *e = text_url_decode(p->value, strlen(p->value), field, &p->decoded,
                                        &p->decoded_size);
        if (e) {
            problem_err(c, e, NULL);
            p->bad = true;
            return;
        }
    } else {
        p->decoded = mem_strdup(p->value);
        p->decoded_size = strlen(p->value);
    }

    struct detail d = {p->key, p->decoded, p->decoded_size};
    struct details_request one = {.offering = &d, .n_offering = 1};
    struct dpdk_details *details = NULL;
    struct err *e = details_decode(&one, "", &details);
    for (size_t i = 0; !e && i < details->n_elements; i++) {
        mem_grow((void **) &c->elements, &c->n_elements_alloc, c->n_elements + 1,
                 sizeof *c->elements);
        c->elements[c->n_elements++] = mem_strdup(details->elements[i]);
    }
    dpdk_details_free(details);
    if (e) {
        free(e->field);
        e->field = mem_strdup(field);
        problem_err(c, e,
                    e->code == ERR_INVALID_MODE
                        ? "CloudStack would only log it and run every VM of the offering in "
                          "server mode"
                        : NULL);
        p->bad = true;
    }
}

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int by_key = strcmp(x->key, y->key);
    return by_key ? by_key : (x->order > y->order) - (x->order < y->order);
}

struct err *verb_offering_check_run(struct verb_context *ctx, json_t **result)
{
    _cleanup_(check_clear) struct check c = {.problems = json_array()};
    struct err *e = read_request(&c, ctx->request);
    if (e) {
        return e;
    }
    /* Problems in the order of the keys, whatever the order given. */
    qsort(c.pairs, c.n, sizeof c.pairs[0], pair_cmp);

    struct detail good[CHECK_MAX_DETAILS];
    size_t n_good = 0;
    bool numa = false, hugepages = false;
    json_t *decoded = json_object();
    /* A key given twice (the command line allows it): CloudStack keeps one
     * of the values, so neither goes into the decode. */
    for (size_t i = 1; i < c.n; i++) {
        if (streq(c.pairs[i].key, c.pairs[i - 1].key)) {
            if (!c.pairs[i - 1].bad) {
                _cleanup_free_ char *field = mem_asprintf("details.%s", c.pairs[i].key);
                problem(&c, true, "duplicate_key", field,
                        "given more than once: CloudStack keeps only one of the values");
            }
            c.pairs[i].bad = c.pairs[i - 1].bad = true;
        }
    }
    for (size_t i = 0; i < c.n; i++) {
        numa |= streq(c.pairs[i].key, DETAIL_NUMA);
        hugepages |= streq(c.pairs[i].key, DETAIL_HUGEPAGES);
        if (c.pairs[i].bad) {
            continue;
        }
        check_pair(&c, &c.pairs[i]);
        if (c.pairs[i].decoded) {
            json_object_set_new(decoded, c.pairs[i].key, json_string(c.pairs[i].decoded));
        }
        if (!c.pairs[i].bad) {
            good[n_good++] = (struct detail){c.pairs[i].key, c.pairs[i].decoded,
                                             c.pairs[i].decoded_size};
        }
    }
    if (!numa || !hugepages) {
        _cleanup_free_ char *message =
            numa || hugepages
                ? mem_asprintf("only %s is given: VMs of this offering will not be DPDK-enabled "
                               "(both %s and %s are needed)",
                               numa ? DETAIL_NUMA : DETAIL_HUGEPAGES, DETAIL_NUMA, DETAIL_HUGEPAGES)
                : mem_asprintf("neither %s nor %s is given: VMs of this offering will not be "
                               "DPDK-enabled",
                               DETAIL_NUMA, DETAIL_HUGEPAGES);
        problem(&c, true, "not_dpdk", NULL, message);
    }

    json_t *decode = json_null();
    _cleanup_(dpdk_details_freep) struct dpdk_details *details = NULL;
    struct details_request all = {.offering = good, .n_offering = n_good};
    if (!(e = details_decode(&all, "", &details))) {
        struct domxml_vm vm = {
            .details = details,
            .vcpus = c.vcpus,
            .memory_kib = c.memory_kib,
            .details_field = "details",
        };
        if (details->dpdk && (c.vcpus || c.memory_kib)) {
            e = domxml_check(&vm);
        }
        json_decref(decode);
        decode = verb_decode_result(details);
    }
    if (e) {
        /* decode names the offering's side (here there is only one), the
         * render checks the VM's numbers: name this request's fields. */
        const char *side = "details.offering.";
        char *field = NULL;
        if (e->field && !strncmp(e->field, side, strlen(side))) {
            field = mem_asprintf("details.%s", e->field + strlen(side));
        } else if (e->field && (streq(e->field, "vm.memory_kib") || streq(e->field, "vm.vcpus"))) {
            field = mem_strdup(streq(e->field, "vm.vcpus") ? "vcpus" : "memory_mib");
        }
        if (field) {
            free(e->field);
            e->field = field;
        }
        problem_err(&c, e, NULL);
    }
    ctx->negative = c.errors;
    text_sort_unique(c.elements, &c.n_elements);
    *result = json_pack("{s:b, s:O, s:o, s:o, s:o}", "usable", !c.errors, "problems", c.problems,
                        "decode", decode, "details", decoded, "management_server",
                        verb_offering_management_server(c.elements, c.n_elements));
    return NULL;
}

/* For a person: the verdict, then one aligned line per problem. */
void verb_offering_check_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    bool usable = json_is_true(json_object_get(result, "usable"));
    const json_t *decode = json_object_get(result, "decode");
    size_t i, width = 0;
    json_t *p;
    fprintf(out, "%s\n", usable ? "usable: VMs of this offering will be DPDK-enabled"
                                : "NOT usable as it is");
    if (json_is_object(decode) && json_is_true(json_object_get(decode, "dpdk"))) {
        fprintf(out, "mode: %s (port type %s)\n", json_string_value(json_object_get(decode, "mode")),
                json_string_value(json_object_get(decode, "port_type")));
    }
    json_array_foreach(json_object_get(result, "problems"), i, p) {
        const char *field = json_string_value(json_object_get(p, "field"));
        size_t len = field ? strlen(field) : 1;
        width = len > width ? len : width;
    }
    json_array_foreach(json_object_get(result, "problems"), i, p) {
        const char *field = json_string_value(json_object_get(p, "field"));
        fprintf(out, "%-7s  %-*s  %s: %s\n", json_string_value(json_object_get(p, "severity")),
                (int) width, field ? field : "-", json_string_value(json_object_get(p, "code")),
                json_string_value(json_object_get(p, "message")));
    }
    verb_offering_management_server_text(out, json_object_get(result, "management_server"));
}
