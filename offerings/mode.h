/* The DPDK-VHOSTUSER detail: who owns the vhost-user socket.
 *
 *   | DPDK-VHOSTUSER   | socket owner | OVS Interface type   | libvirt <source mode> |
 *   | server (default) | OVS          | dpdkvhostuser        | client                |
 *   | client           | QEMU         | dpdkvhostuserclient  | server                |
 *
 * In client mode OVS connects to QEMU's socket (options:vhost-server-path), so
 * an OVS restart does not cut the VM off: OVS reconnects. */
#ifndef CSDPDK_OFFERINGS_MODE_H
#define CSDPDK_OFFERINGS_MODE_H

#include <stdbool.h>

#include "helper/error.h"

enum vhost_mode {
    VHOST_MODE_SERVER,
    VHOST_MODE_CLIENT,
};

struct vhost_mode_info {
    const char *name;       /* "server", "client": the detail's value */
    const char *port_type;  /* OVS Interface.type */
    const char *guest_mode; /* libvirt <source mode=...> (QEMU's side) */
    bool ovs_owns_socket;
};

#define VHOST_MODE_DEFAULT VHOST_MODE_SERVER

const struct vhost_mode_info *vhost_mode_info(enum vhost_mode mode);

/* Parses the value of DPDK-VHOSTUSER: 'client' or 'server' in any case, and
 * nothing else (no surrounding blanks, no URL encoding). NULL (absent) gives
 * the default, server. Anything else is ERR_INVALID_MODE for 'field'. */
struct err *vhost_mode_parse(const char *value, const char *field, enum vhost_mode *mode)
    _warn_unused_;

#endif
