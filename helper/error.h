/* Errors: a stable code, the request field it concerns, and one message.
 *
 * A failing function returns a 'struct err *' (NULL on success) and the caller
 * either passes it up, wrapped with context by err_prefix(), or hands it to
 * main.c, the only place that renders errors. Library code never prints.
 *
 * The codes and their exit statuses are the contract with the CloudStack
 * agent (docs/design.md section 3, docs/errors.md): append only, never renumber or
 * rename. */
#ifndef CSDPDK_ERROR_H
#define CSDPDK_ERROR_H

#include "helper/macros.h"

/* Exit statuses (sysexits.h classes). */
enum {
    EXIT_OK = 0,
    EXIT_NEGATIVE = 1,     /* success with a negative verdict; 'ok' stays true */
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,     /* invalid request; nothing changed */
    EXIT_UNAVAILABLE = 69, /* a dependency (OVSDB, libvirt) is unavailable */
    EXIT_SOFTWARE = 70,    /* internal error */
    EXIT_TEMPFAIL = 75,    /* temporary failure; safe to retry */
};

enum err_code {
    ERR_INVALID_JSON,
    ERR_INVALID_REQUEST,
    ERR_UNKNOWN_VERB,
    ERR_INVALID_MODE,
    ERR_INVALID_ENCODING,
    ERR_INVALID_XML,
    ERR_FORBIDDEN_XML,
    ERR_INVALID_MAC,
    ERR_INVALID_VLAN,
    ERR_INVALID_PORT_NAME,
    ERR_PATH_TOO_LONG,
    ERR_UNKNOWN_BRIDGE,
    ERR_PORT_CONFLICT,
    ERR_OVSDB_UNAVAILABLE,
    ERR_OVSDB_ERROR,
    ERR_LIBVIRT_UNAVAILABLE,
    ERR_LIBVIRT_ERROR,
    ERR_MISSING_INTERFACE,
    ERR_TIMEOUT,
    ERR_INTERNAL,
    ERR_USAGE,
    ERR_PORT_MISMATCH,
    ERR_PORT_REFUSED, /* ovs-vswitchd could not make a new port (Interface.error) */
    ERR_PORT_BROKEN,  /* after a migration, a port the VM's NIC does not work on */
    ERR_NUMA_REFUSED, /* Open vSwitch cannot poll or buffer the VM's queues on its node */
    ERR_CODE_COUNT
};

struct err {
    enum err_code code;
    char *field;   /* dotted path into the request ("vm.DPDK-VHOSTUSER"), or NULL */
    char *message; /* one line a person can grep for; substitutions quoted */
};

/* Returns a new error; 'field' may be NULL. Never returns NULL. */
struct err *err_new(enum err_code code, const char *field, const char *fmt, ...)
    _printf_(3, 4) _warn_unused_;

/* Prepends context to the message of 'e' ("while decoding 'x': <message>")
 * and returns 'e'. Takes and returns ownership; 'e' may be NULL (returns NULL). */
struct err *err_prefix(struct err *e, const char *fmt, ...) _printf_(2, 3);

/* Sets the field of 'e' if it has none yet; returns 'e'. */
struct err *err_set_field(struct err *e, const char *field);

void err_free(struct err *e);
DEFINE_CLEANUP_FUNC(struct err, err_free)

/* The stable snake_case name of 'code' ("invalid_mode"). */
const char *err_code_name(enum err_code code);

/* One line on when 'code' is given, for the manual page. */
const char *err_code_summary(enum err_code code);

/* The exit statuses and what each means, in order. */
struct exit_status {
    int status;
    const char *meaning;
};
extern const struct exit_status *const exit_statuses;
extern const size_t n_exit_statuses;

/* The exit status for an error with 'code'. */
int err_code_exit_status(enum err_code code);

/* Looks a code up by its name; returns false if there is none. */
bool err_code_from_name(const char *name, enum err_code *code);

#endif
