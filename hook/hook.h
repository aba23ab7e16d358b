/* csdpdk's libvirt QEMU hook (docs/hook.md): what it does at each operation
 * libvirt runs it for, on the domain XML libvirt hands it. Only OVSDB, sysfs
 * and agent.properties are read; libvirt is never called back (the daemon
 * waits for the hook: a call would deadlock it). Nothing here prints: the
 * caller (hook/main.c) logs, and writes stdout and stderr. */
#ifndef CSDPDK_HOOK_H
#define CSDPDK_HOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/domain.h"
#include "helper/error.h"

#define HOOK_CONFIG_DEFAULT "/etc/csdpdk/libvirt-hook.conf"
#define HOOK_LOG_DEFAULT "/var/log/libvirt/csdpdk-hook.log"
#define HOOK_TIMEOUT_DEFAULT 10.0 /* seconds */
#define HOOK_TIMEOUT_MAX 60.0

/* Where the host's daemons and files are: csdpdk's own defaults, or the
 * file HOOK_CONFIG_DEFAULT ("key = value" lines, "#" comments). */
struct hook_config {
    char *ovsdb;            /* ovsdb */
    char *agent_properties; /* agent-properties */
    char *sysfs;            /* sysfs */
    char *proc;             /* proc */
    char *log;              /* log: the log file, "" for none */
    double timeout;         /* timeout: seconds for the whole run */
};

void hook_config_clear(struct hook_config *c);

/* The defaults, then what 'path' sets; a missing file leaves the defaults.
 * An unknown key or a bad value is ERR_INVALID_REQUEST naming the key. */
struct err *hook_config_load(const char *path, struct hook_config *c) _warn_unused_;

enum hook_action {
    HOOK_NOTHING, /* every operation but those below */
    HOOK_BIND,    /* prepare begin, started begin */
    HOOK_MIGRATE, /* migrate begin: the incoming domain, before its QEMU starts */
    HOOK_RELEASE, /* release end: the domain's QEMU is gone */
};

enum hook_action hook_action_of(const char *op, const char *subop);

/* What a run did, for the log: one line, or NULL when there was nothing to
 * do. */
struct hook_outcome {
    char *log;
    char *refusal;    /* HOOK_MIGRATE: the failed check, one line; NULL: accepted */
    char *xml;        /* HOOK_MIGRATE: the corrected domain; NULL: the input as it is */
    size_t xml_size;
};

void hook_outcome_clear(struct hook_outcome *o);

/* prepare begin, started begin: each vhost-user interface's port, found by
 * its socket's name, becomes the domain's (vm-id) when it is a NIC's port
 * for this MAC not bound yet, or a port csdpdk does not own named csdpdk-N
 * (CloudStack's) that serves this socket in this mode on a netdev bridge
 * (adopted; a port of another name is an operator's, left to adopt); the
 * domain's ports are marked as used by a run (csdpdk-instance "running:").
 * Ports of another VM are left alone. */
struct err *hook_bind(const struct hook_config *c, const struct domain *d,
                      struct hook_outcome *out) _warn_unused_;

/* migrate begin: judges the incoming domain 'xml' before QEMU starts:
 * every vhost-user interface's socket names a port of this host on a netdev
 * bridge, for this MAC (or with no MAC of its own: CloudStack's), not
 * another VM's, that the switch has applied, in the socket mode the XML
 * asks for; free hugepages of the VM's page size cover its memory. A failed
 * check is out->refusal, and the ports made for the VM and never used (the
 * NICs' ports never bound, and CloudStack's csdpdk-N on a netdev bridge,
 * serving its sockets, which the switch says are disconnected) are removed
 * (nothing else would). Otherwise out->xml is the domain with CloudStack's
 * mistakes corrected (a doubled '/' in the socket path; <reconnect> where
 * QEMU is the socket's server, or none where it is the client), or NULL when
 * there is none. An error is a check that could not be made. */
struct err *hook_migrate(const struct hook_config *c, const char *xml, size_t size,
                         struct hook_outcome *out) _warn_unused_;

/* release end: removes the domain's ports, each found by its socket's name:
 * ports of this VM, unless a plug for the VM's next start has taken them
 * since this run began (csdpdk-instance "plugged:"), and NICs' ports for this MAC and
 * socket never bound. A client-mode socket that QEMU left and nobody holds
 * is removed too. */
struct err *hook_release(const struct hook_config *c, const struct domain *d,
                         struct hook_outcome *out) _warn_unused_;

#endif
