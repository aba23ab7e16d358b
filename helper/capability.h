/* The verdict on a host's DPDK capability (docs/design.md section 6), from facts
 * gathered elsewhere: a pure function. Every check that fails is a reason
 * with a stable code and what to do about it; a check whose source could
 * not be read is 'unknown' (its source's own check carries the reason). */
#ifndef CSDPDK_CAPABILITY_H
#define CSDPDK_CAPABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/agent.h"
#include "helper/libvirt.h"
#include "helper/ovsdb.h"
#include "helper/sockdir.h"
#include "helper/sysfs.h"

enum check_status {
    CHECK_OK,
    CHECK_FAILED,
    CHECK_UNKNOWN,
};

struct check {
    const char *id;    /* "ovs.dpdk_initialized" */
    const char *title; /* "DPDK initialised in OVS", for the doctor report */
    enum check_status status;
    const char *code;  /* the reason code when failed, else NULL */
    char *detail;      /* the fact, or why it is unknown */
    char *fix;         /* what to do, when failed */
};

/* NULL pointers mean "could not be read", with the error in *_error. */
struct capability_facts {
    const char *agent_path;
    const struct agent_config *agent;
    const char *agent_error;
    const char *agent_error_field; /* the setting at fault, when one is ("agent.properties:KEY") */
    const char *ovsdb_url;
    const struct ovs_switch *ovs;
    const char *ovs_error;
    const char *ovs_rundir;      /* OVS's run directory, or NULL when not known */
    long vswitchd_pid;           /* from <rundir>/ovs-vswitchd.pid; 0 when there is none */
    bool vswitchd_alive;         /* that process exists */
    const struct host_memory *memory;
    const char *memory_error;
    const struct sockdir_facts *sockdir;
    const char *libvirt_uri;
    const struct libvirt_host *libvirt;
    const char *libvirt_error;
    const char *hook_path;       /* where csdpdk's libvirt hook belongs, beside qemu.conf */
    enum capability_hook {
        HOOK_MISSING,
        HOOK_NOT_EXECUTABLE,
        HOOK_INSTALLED,
    } hook;
};

const char *capability_hook_name(enum capability_hook hook);

struct capability {
    bool dpdk; /* no check failed */
    struct check *checks;
    size_t n_checks;
    char **warnings;
    size_t n_warnings;
    char *ovs_socket_dir; /* where OVS puts server-mode sockets, or NULL */
};

void capability_judge(const struct capability_facts *facts, struct capability *out);

/* Where OVS puts the sockets of server-mode (dpdkvhostuser) ports: its run
 * directory plus other_config:vhost-sock-dir (NULL: none), normalised. */
char *capability_ovs_socket_dir(const char *rundir, const char *vhost_sock_dir);
void capability_clear(struct capability *c);

#endif
