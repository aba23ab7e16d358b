/* The host's facts for capabilities and migrate-prepare (docs/design.md
 * section 6): agent.properties, OVSDB, sysfs and /proc, the socket
 * directory, libvirt. A source that cannot be read leaves its facts NULL
 * in 'facts' and its error beside them. */
#ifndef CSDPDK_PROBE_H
#define CSDPDK_PROBE_H

#include "helper/capability.h"
#include "helper/numa.h"
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
    struct pmd_show pmds;          /* ovs-vswitchd's, when it answered */
    struct numa_host numa;         /* from memory, ovs and pmds */
    struct err *agent_err, *ovs_err, *memory_err, *libvirt_err, *pmd_err;
};

/* ovs-vswitchd's PMD threads and the rx queues each polls: its
 * dpif-netdev/pmd-rxq-show, asked through its control socket
 * (<rundir>/ovs-vswitchd.<pid>.ctl, beside the unix socket 'ovsdb_url'),
 * within a quarter of 'timeout' seconds, at most one (a stopped switch
 * leaves the caller the rest). An error when no switch runs there, it does
 * not answer, or its answer cannot be read. */
struct err *host_pmd_show(const char *ovsdb_url, double timeout, struct pmd_show *out)
    _warn_unused_;

/* The host's NUMA facts (helper/numa.h) from sysfs ('memory'), OVSDB ('sw')
 * and the live switch ('live'); NULL for a source that could not be read. */
void host_numa_build(const struct host_memory *memory, const struct ovs_switch *sw,
                     const struct pmd_show *live, struct numa_host *out);

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

/* The host's NUMA facts read afresh: sysfs, the switch of 'db' and its
 * live PMDs (ovs-vswitchd asked for at most 'pmd_show_max' seconds, 0: the
 * connection's time left; the PMDs of its settings when it does not
 * answer). A source that cannot be read leaves its facts unknown. */
void host_numa_read(const struct options *options, struct ovsdb *db, double pmd_show_max,
                    struct numa_host *out);

/* The locality of the VM of 'domain_xml' (NULL: none given; errors name
 * "domain_xml") on host 'h': numa_judge()'s '*locality' and warnings, or
 * its ERR_NUMA_REFUSED. Its vhost-user ports are the domain's vhost-user
 * interfaces, else 'n_nics' NICs of 'nic_queues' queues (a request's). */
struct err *host_locality(const struct numa_host *h, const char *domain_xml, size_t size,
                          const unsigned *nic_queues, size_t n_nics, json_t *warnings,
                          json_t **locality) _warn_unused_;

/* The switch's other_config as capabilities reports it (ovs.other_config):
 * the keys csdpdk reads, each a string or null. The NUMA facts of a
 * report are numa_host_json() and this (numa_host_from_report()). */
json_t *host_other_config_json(const struct ovs_switch *sw);

void host_probe_run(const struct options *options, struct host_probe *probe);
void host_probe_clear(struct host_probe *probe);

#endif
