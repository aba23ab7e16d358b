#include "helper/error.h"

#include <stdarg.h>

#include "helper/mem.h"

static const struct {
    const char *name;
    int exit_status;
} err_codes[ERR_CODE_COUNT] = {
    [ERR_INVALID_JSON] = {"invalid_json", EXIT_DATAERR},
    [ERR_INVALID_REQUEST] = {"invalid_request", EXIT_DATAERR},
    [ERR_UNKNOWN_VERB] = {"unknown_verb", EXIT_USAGE},
    [ERR_INVALID_MODE] = {"invalid_mode", EXIT_DATAERR},
    [ERR_INVALID_ENCODING] = {"invalid_encoding", EXIT_DATAERR},
    [ERR_INVALID_XML] = {"invalid_xml", EXIT_DATAERR},
    [ERR_FORBIDDEN_XML] = {"forbidden_xml", EXIT_DATAERR},
    [ERR_INVALID_MAC] = {"invalid_mac", EXIT_DATAERR},
    [ERR_INVALID_VLAN] = {"invalid_vlan", EXIT_DATAERR},
    [ERR_INVALID_PORT_NAME] = {"invalid_port_name", EXIT_DATAERR},
    [ERR_PATH_TOO_LONG] = {"path_too_long", EXIT_DATAERR},
    [ERR_UNKNOWN_BRIDGE] = {"unknown_bridge", EXIT_DATAERR},
    [ERR_PORT_CONFLICT] = {"port_conflict", EXIT_TEMPFAIL},
    [ERR_OVSDB_UNAVAILABLE] = {"ovsdb_unavailable", EXIT_UNAVAILABLE},
    [ERR_OVSDB_ERROR] = {"ovsdb_error", EXIT_SOFTWARE},
    [ERR_LIBVIRT_UNAVAILABLE] = {"libvirt_unavailable", EXIT_UNAVAILABLE},
    [ERR_LIBVIRT_ERROR] = {"libvirt_error", EXIT_SOFTWARE},
    [ERR_MISSING_INTERFACE] = {"missing_interface", EXIT_DATAERR},
    [ERR_TIMEOUT] = {"timeout", EXIT_TEMPFAIL},
    [ERR_INTERNAL] = {"internal", EXIT_SOFTWARE},
    [ERR_USAGE] = {"usage", EXIT_USAGE},
    [ERR_PORT_MISMATCH] = {"port_mismatch", EXIT_DATAERR},
    [ERR_PORT_REFUSED] = {"port_refused", EXIT_UNAVAILABLE},
    [ERR_PORT_BROKEN] = {"port_broken", EXIT_SOFTWARE},
};

struct err *err_new(enum err_code code, const char *field, const char *fmt, ...)
{
    struct err *e = mem_new0(struct err, 1);
    va_list args;

    e->code = code;
    e->field = field ? mem_strdup(field) : NULL;
    va_start(args, fmt);
    e->message = mem_vasprintf(fmt, args);
    va_end(args);
    return e;
}

struct err *err_prefix(struct err *e, const char *fmt, ...)
{
    if (!e) {
        return NULL;
    }

    va_list args;
    va_start(args, fmt);
    _cleanup_free_ char *context = mem_vasprintf(fmt, args);
    va_end(args);

    char *message = mem_asprintf("%s: %s", context, e->message);
    free(e->message);
    e->message = message;
    return e;
}

struct err *err_set_field(struct err *e, const char *field)
{
    if (e && !e->field && field) {
        e->field = mem_strdup(field);
    }
    return e;
}

void err_free(struct err *e)
{
    if (e) {
        free(e->field);
        free(e->message);
        free(e);
    }
}

const char *err_code_name(enum err_code code)
{
    return (unsigned) code < ERR_CODE_COUNT ? err_codes[code].name : "internal";
}

int err_code_exit_status(enum err_code code)
{
    return (unsigned) code < ERR_CODE_COUNT ? err_codes[code].exit_status : EXIT_SOFTWARE;
}

bool err_code_from_name(const char *name, enum err_code *code)
{
    for (size_t i = 0; i < ERR_CODE_COUNT; i++) {
        if (streq(err_codes[i].name, name)) {
            *code = (enum err_code) i;
            return true;
        }
    }
    return false;
}
