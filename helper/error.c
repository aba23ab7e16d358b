#include "helper/error.h"

#include <stdarg.h>

#include "helper/mem.h"

static const struct {
    const char *name;
    int exit_status;
    const char *summary; /* for the manual page; docs/errors.md says more */
} err_codes[ERR_CODE_COUNT] = {
    [ERR_INVALID_JSON] = {"invalid_json", EXIT_DATAERR,
        "the request is empty, not JSON, not one document, has duplicate keys, or nests too deep"},
    [ERR_INVALID_REQUEST] = {"invalid_request", EXIT_DATAERR,
        "a key is unknown, a value has the wrong type or range, or a detail key looks like a DPDK key but is not one"},
    [ERR_UNKNOWN_VERB] = {"unknown_verb", EXIT_USAGE,
        "the verb is not one of csdpdk's"},
    [ERR_INVALID_MODE] = {"invalid_mode", EXIT_DATAERR,
        "DPDK-VHOSTUSER is anything but client or server (any case, no blanks)"},
    [ERR_INVALID_ENCODING] = {"invalid_encoding", EXIT_DATAERR,
        "a bad % escape, invalid UTF-8, a control character, or a value still URL-encoded after one decoding"},
    [ERR_INVALID_XML] = {"invalid_xml", EXIT_DATAERR,
        "a snippet or domain that is not well-formed or breaks a rule (a cell without memAccess='shared')"},
    [ERR_FORBIDDEN_XML] = {"forbidden_xml", EXIT_DATAERR,
        "an element, attribute or namespace outside the grammar (<devices>, <hostdev>, qemu:commandline)"},
    [ERR_INVALID_MAC] = {"invalid_mac", EXIT_DATAERR,
        "a NIC's MAC is malformed, multicast, all-zero or given twice"},
    [ERR_INVALID_VLAN] = {"invalid_vlan", EXIT_DATAERR,
        "a NIC's vlan is not a whole number 1..4094, null or absent"},
    [ERR_INVALID_PORT_NAME] = {"invalid_port_name", EXIT_DATAERR,
        "a port name is not csdpdk-N"},
    [ERR_PATH_TOO_LONG] = {"path_too_long", EXIT_DATAERR,
        "a socket path could exceed 107 bytes"},
    [ERR_UNKNOWN_BRIDGE] = {"unknown_bridge", EXIT_DATAERR,
        "a NIC names a bridge OVSDB does not have"},
    [ERR_PORT_CONFLICT] = {"port_conflict", EXIT_TEMPFAIL,
        "a MAC or a port belongs to another VM or migration; it is untouched (gc: ports kept "
        "changing while it judged them)"},
    [ERR_OVSDB_UNAVAILABLE] = {"ovsdb_unavailable", EXIT_UNAVAILABLE,
        "nothing answers at --ovsdb, or the connection was lost"},
    [ERR_OVSDB_ERROR] = {"ovsdb_error", EXIT_SOFTWARE,
        "OVSDB refused a request csdpdk thought valid"},
    [ERR_LIBVIRT_UNAVAILABLE] = {"libvirt_unavailable", EXIT_UNAVAILABLE,
        "libvirt cannot be loaded or reached, or the connection was lost"},
    [ERR_LIBVIRT_ERROR] = {"libvirt_error", EXIT_SOFTWARE,
        "libvirt failed a call"},
    [ERR_MISSING_INTERFACE] = {"missing_interface", EXIT_DATAERR,
        "a MAC of the domain has no mapping (migrate-rewrite)"},
    [ERR_TIMEOUT] = {"timeout", EXIT_TEMPFAIL,
        "OVSDB, ovs-vswitchd or libvirt did not answer within --timeout"},
    [ERR_INTERNAL] = {"internal", EXIT_SOFTWARE,
        "a bug"},
    [ERR_USAGE] = {"usage", EXIT_USAGE,
        "a bad option or value, an option the verb does not take, an unreadable --request, no verb"},
    [ERR_PORT_MISMATCH] = {"port_mismatch", EXIT_DATAERR,
        "the VM already has a port for this MAC, on another bridge, VLAN, mode or socket"},
    [ERR_PORT_REFUSED] = {"port_refused", EXIT_UNAVAILABLE,
        "ovs-vswitchd could not make a new port; the new ports were removed again"},
    [ERR_PORT_BROKEN] = {"port_broken", EXIT_SOFTWARE,
        "after a migration, a port's device lost the virtio features its guest negotiated"},
    [ERR_NUMA_REFUSED] = {"numa_refused", EXIT_UNAVAILABLE,
        "Open vSwitch could not poll the VM's queues (no PMD thread) or buffer them on its NUMA node (DPDK memory); nothing changed"},
};

static const struct exit_status exit_statuses_table[] = {
    {EXIT_OK, "success"},
    {EXIT_NEGATIVE, "success with a negative verdict (host not DPDK-capable, migration not "
                    "eligible, offering not usable, agent.properties not ready for csdpdk's VIF "
                    "driver); ok stays true"},
    {EXIT_USAGE, "usage error"},
    {EXIT_DATAERR, "invalid request; nothing changed"},
    {EXIT_UNAVAILABLE, "OVSDB or libvirt unavailable, a port the switch refused, or a VM the switch "
                       "could not poll or buffer on its NUMA node"},
    {EXIT_SOFTWARE, "internal error, or a port broken by a switch restart during a migration"},
    {EXIT_TEMPFAIL, "temporary failure (timeout, conflict); safe to retry"},
};
const struct exit_status *const exit_statuses = exit_statuses_table;
const size_t n_exit_statuses = ARRAY_SIZE(exit_statuses_table);

const char *err_code_summary(enum err_code code)
{
    return code < ERR_CODE_COUNT ? err_codes[code].summary : NULL;
}

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
