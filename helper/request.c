#include "helper/request.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "helper/mem.h"
#include "helper/validate.h"
#include "helper/text.h"

static void fclosep(FILE **f)
{
    if (*f) {
        fclose(*f);
    }
}

struct err *request_read(const char *path, bool allow_empty, json_t **out)
{
    _cleanup_(fclosep) FILE *owned = NULL;
    FILE *in = stdin;

    if (path) {
        owned = fopen(path, "rb");
        if (!owned) {
            _cleanup_free_ char *shown = text_quote_for_message(path, 256);
            return err_new(ERR_USAGE, NULL, "cannot read the request file %s: %s", shown,
                           strerror(errno));
        }
        in = owned;
    }

    /* One byte more than allowed tells a request that is too large. */
    _cleanup_free_ char *buf = mem_alloc0(REQUEST_MAX_SIZE + 1);
    size_t size = fread(buf, 1, REQUEST_MAX_SIZE + 1, in);
    if (ferror(in)) {
        return err_new(ERR_USAGE, NULL, "cannot read the request: %s", strerror(errno));
    }
    return request_parse(buf, size, allow_empty, out);
}

struct err *request_parse(const char *buf, size_t size, bool allow_empty, json_t **out)
{
    if (size > REQUEST_MAX_SIZE) {
        return err_new(ERR_INVALID_REQUEST, NULL, "the request is larger than %d bytes",
                       REQUEST_MAX_SIZE);
    }
    if (size == 0 && allow_empty) {
        *out = json_object();
        return NULL;
    }
    if (size == 0) {
        return err_new(ERR_INVALID_JSON, NULL, "the request is empty; a JSON object is expected");
    }

    json_error_t jerr;
    json_t *request = json_loadb(buf, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!request) {
        return err_new(ERR_INVALID_JSON, NULL, "the request is not valid JSON: line %d, column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    }
    if (!json_is_object(request)) {
        json_decref(request);
        return err_new(ERR_INVALID_REQUEST, NULL, "the request must be a JSON object");
    }
    *out = request;
    return NULL;
}

struct err *request_uint(const json_t *value, const char *field, uint64_t lo, uint64_t hi,
                         uint64_t *out)
{
    json_int_t v = json_integer_value(value);
    if (v < 0 || (uint64_t) v < lo || (uint64_t) v > hi) {
        return err_new(ERR_INVALID_REQUEST, field, "%s must be from %" PRIu64 " to %" PRIu64 ", not %lld",
                       field, lo, hi, (long long) v);
    }
    *out = (uint64_t) v;
    return NULL;
}

char *request_path(const char *path, const char *name)
{
    return *path ? mem_asprintf("%s.%s", path, name) : mem_strdup(name);
}

static const char *type_name(enum request_type type)
{
    switch (type) {
    case REQ_STRING:
        return "a string";
    case REQ_OBJECT:
        return "an object";
    case REQ_ARRAY:
        return "an array";
    case REQ_INTEGER:
        return "an integer";
    case REQ_BOOLEAN:
        return "true or false";
    case REQ_ANY:
        return "a value";
    }
    return "?";
}

static bool type_matches(const json_t *value, enum request_type type)
{
    switch (type) {
    case REQ_STRING:
        return json_is_string(value);
    case REQ_OBJECT:
        return json_is_object(value);
    case REQ_ARRAY:
        return json_is_array(value);
    case REQ_INTEGER:
        return json_is_integer(value);
    case REQ_BOOLEAN:
        return json_is_boolean(value);
    case REQ_ANY:
        return true;
    }
    return false;
}

struct err *request_fields(const json_t *object, const char *path, struct request_field *fields,
                           size_t n_fields)
{
    const char *key;
    json_t *value;

    for (size_t i = 0; i < n_fields; i++) {
        *fields[i].value = NULL;
    }
    json_object_foreach((json_t *) object, key, value) {
        size_t i = 0;
        while (i < n_fields && !streq(fields[i].name, key)) {
            i++;
        }
        _cleanup_free_ char *field = request_path(path, key);
        if (i == n_fields) {
            _cleanup_free_ char *shown = text_quote_for_message(key, 64);
            return err_new(ERR_INVALID_REQUEST, field, "unknown key %s", shown);
        }
        if (json_is_null(value) && fields[i].nullable) {
            continue;
        }
        if (!type_matches(value, fields[i].type)) {
            return err_new(ERR_INVALID_REQUEST, field, "%s must be %s", field,
                           type_name(fields[i].type));
        }
        *fields[i].value = value;
    }
    for (size_t i = 0; i < n_fields; i++) {
        if (fields[i].required && !*fields[i].value) {
            _cleanup_free_ char *field = request_path(path, fields[i].name);
            return err_new(ERR_INVALID_REQUEST, field, "%s is required", field);
        }
    }
    return NULL;
}

struct err *request_vm_uuid(const json_t *vm, char **uuid)
{
    json_t *value = NULL;
    struct request_field fields[] = {{"uuid", REQ_STRING, true, false, &value}};
    struct err *e = request_fields(vm, "vm", fields, ARRAY_SIZE(fields));
    return e ? e : validate_uuid(json_string_value(value), "vm.uuid", uuid);
}

void request_details_clear(struct request_details *details)
{
    free(details->storage);
    *details = (struct request_details){0};
}

/* Reads a map of detail key -> string value into 'storage' from 'start'. */
static struct err *parse_map(const json_t *map, const char *path, struct detail *storage,
                             size_t *n)
{
    const char *key;
    json_t *value;

    *n = 0;
    if (!map) {
        return NULL;
    }
    if (json_object_size(map) > DETAILS_MAX_KEYS) {
        return err_new(ERR_INVALID_REQUEST, path, "%zu details given; at most %d are allowed",
                       json_object_size(map), DETAILS_MAX_KEYS);
    }
    json_object_foreach((json_t *) map, key, value) {
        if (!json_is_string(value)) {
            _cleanup_free_ char *field = request_path(path, key);
            return err_new(ERR_INVALID_REQUEST, field, "%s must be a string", field);
        }
        storage[(*n)++] = (struct detail){key, json_string_value(value), json_string_length(value)};
    }
    return NULL;
}

struct err *request_details_parse(const json_t *object, const char *path,
                                  struct request_details *details)
{
    json_t *offering, *vm, *encoding;
    struct request_field fields[] = {
        {"offering", REQ_OBJECT, false, false, &offering},
        {"vm", REQ_OBJECT, false, false, &vm},
        {"encoding", REQ_STRING, false, false, &encoding},
    };
    struct err *e = request_fields(object, path, fields, ARRAY_SIZE(fields));
    if (e) {
        return e;
    }

    bool url_encoded = true;
    if (encoding) {
        const char *s = json_string_value(encoding);
        if (streq(s, "none")) {
            url_encoded = false;
        } else if (!streq(s, "url")) {
            _cleanup_free_ char *field = request_path(path, "encoding");
            _cleanup_free_ char *shown = text_quote_for_message(s, 32);
            return err_new(ERR_INVALID_REQUEST, field, "encoding must be 'url' or 'none', not %s",
                           shown);
        }
    }

    _cleanup_free_ char *offering_path = request_path(path, "offering");
    _cleanup_free_ char *vm_path = request_path(path, "vm");
    size_t n_offering = 0, n_vm = 0;
    size_t capacity = json_object_size(offering) + json_object_size(vm);
    _cleanup_free_ struct detail *storage = mem_new0(struct detail, capacity + 1);

    e = parse_map(offering, offering_path, storage, &n_offering);
    if (!e) {
        e = parse_map(vm, vm_path, storage + n_offering, &n_vm);
    }
    if (e) {
        return e;
    }

    details->view = (struct details_request){
        .offering = storage,
        .n_offering = n_offering,
        .vm = storage + n_offering,
        .n_vm = n_vm,
        .url_encoded = url_encoded,
    };
    details->storage = TAKE_PTR(storage);
    return NULL;
}
