/* Requests: reading them, bounded, and checking their shape strictly.
 *
 * Every key of a request object must be known, of the right type, and
 * present when required; errors name the field by its dotted path. */
#ifndef CSDPDK_REQUEST_H
#define CSDPDK_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "helper/error.h"
#include "offerings/details.h"

#define REQUEST_MAX_SIZE (1024 * 1024)

/* Reads one JSON object of at most REQUEST_MAX_SIZE bytes from 'path', or
 * from stdin if 'path' is NULL. Duplicate keys are refused. Empty input is
 * an error unless 'allow_empty', when it reads as {}. */
struct err *request_read(const char *path, bool allow_empty, json_t **out) _warn_unused_;

/* request_read()'s checks on a request already in memory ('size' bytes of
 * 'buf'): at most REQUEST_MAX_SIZE, one JSON object, no duplicate keys. */
struct err *request_parse(const char *buf, size_t size, bool allow_empty, json_t **out)
    _warn_unused_;

enum request_type {
    REQ_STRING,
    REQ_OBJECT,
    REQ_ARRAY,
    REQ_INTEGER,
    REQ_BOOLEAN,
    REQ_ANY, /* checked by the caller */
};

struct request_field {
    const char *name;
    enum request_type type;
    bool required;
    bool nullable;  /* null is accepted and reads as absent */
    json_t **value; /* set to a borrowed reference, or NULL when absent */
};

/* Checks that 'object' (found at 'path'; "" for the request itself) has
 * only the keys of 'fields', each of its type, and every required one. */
struct err *request_fields(const json_t *object, const char *path, struct request_field *fields,
                           size_t n_fields) _warn_unused_;

/* The integer 'value' (a REQ_INTEGER field) into '*out' when it is from
 * 'lo' to 'hi'; ERR_INVALID_REQUEST naming 'field' and the value otherwise. */
struct err *request_uint(const json_t *value, const char *field, uint64_t lo, uint64_t hi,
                         uint64_t *out) _warn_unused_;

/* "a.b" from 'path' "a" and 'name' "b"; just 'name' when 'path' is "". */
char *request_path(const char *path, const char *name);

/* Reads {"uuid": UUID} (the object at "vm") into '*uuid', in lower case. */
struct err *request_vm_uuid(const json_t *vm, char **uuid) _warn_unused_;

/* The details of a VM as a request gives them (docs/design.md section 4):
 * {"offering": {key: value}, "vm": {key: value}, "encoding": "url" | "none"}. */
struct request_details {
    struct details_request view; /* points into 'storage' and the JSON */
    struct detail *storage;
};

void request_details_clear(struct request_details *details);

/* Reads the details object 'object' at 'path'. The result borrows strings
 * from 'object', which must outlive it. */
struct err *request_details_parse(const json_t *object, const char *path,
                                  struct request_details *details) _warn_unused_;

#endif
