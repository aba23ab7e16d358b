/* The host's facts for capabilities and migrate-prepare (DESIGN.md
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
    struct err *agent_err, *ovs_err, *memory_err, *libvirt_err;
};

void host_probe_run(const struct options *options, struct host_probe *probe);
void host_probe_clear(struct host_probe *probe);

#endif
