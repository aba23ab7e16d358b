/* The host's facts for capabilities and migrate-prepare (docs/design.md
 * section 6): agent.properties, OVSDB, sysfs and /proc, the socket
 * directory, libvirt. A source that cannot be read leaves its facts NULL
 * in 'facts' and its error beside them. */
#ifndef CSDPDK_PROBE_H
#define CSDPDK_PROBE_H

#include "helper/capability.h"
#include "helper/verb.h"

struct host_probe {
    struct capability_facts facts; /* points into the members below */
    struct agent_config agent;
    struct ovsdb *db;              /* open when OVSDB answered */
    struct ovs_switch ovs;
    struct host_memory memory;
    struct sockdir_facts sockdir;
    struct libvirt *lv;
    struct libvirt_host libvirt;
    char *rundir;
    char *hook_path;
    struct err *agent_err, *ovs_err, *memory_err, *libvirt_err;
};

/* Connects to libvirt at 'uri' and reads its host facts (libvirt_open(),
 * libvirt_host_read()) in a thread of its own, waited for at most 'timeout'
 * seconds: a libvirtd that accepts and never answers is ERR_TIMEOUT, not a
 * hang. On success '*lv' and '*host' are the caller's. */
struct err *host_libvirt_read(const char *uri, double timeout, struct libvirt **lv,
                              struct libvirt_host *host) _warn_unused_;

/* OVS's run directory: that of the unix socket 'ovsdb_url' (ovsdb-server
 * and ovs-vswitchd share it), or NULL for another kind of URL. */
char *host_ovs_rundir(const char *ovsdb_url);

/* The pid in the pidfile of the ovs-vswitchd that shares the run directory
 * of the unix socket 'ovsdb_url' (0 if none can be read), and whether that
 * process runs and is an ovs-vswitchd (by /proc/PID/stat, when readable:
 * its name, and not a zombie; a pidfile left by a killed switch may name a
 * recycled pid, or one not reaped yet). */
long host_vswitchd_pid(const char *ovsdb_url, bool *running);

/* Waits, at most 'ms', until a switch killed with -9 ('pid', a zombie)
 * holds nothing: its first thread becomes a zombie at once, while its
 * other threads still hold its sockets. No wait for a process that is no
 * zombie, or gone. */
void host_vswitchd_wait_dead(long pid, long ms);

void host_probe_run(const struct options *options, struct host_probe *probe);
void host_probe_clear(struct host_probe *probe);

#endif
