/* Which domain uses a port: a port's socket and MAC against the vhost-user
 * interfaces of the host's domains. adopt and gc judge the ports csdpdk did
 * not make or did not bind yet by it; the libvirt hook judges the one
 * domain libvirt hands it (docs/existing-hosts.md, docs/hook.md). */
#ifndef CSDPDK_BINDING_H
#define CSDPDK_BINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/domain.h"
#include "helper/libvirt.h"
#include "helper/ovsdb.h"

/* The host's domains, read from libvirt and parsed. */
struct host_domains {
    struct libvirt_domain_list list;
    struct domain *parsed; /* per list.domains[i]; a domain whose XML does not parse has none */
    bool *active;          /* per list.domains[i] */
    char *unreadable;      /* the first running domain csdpdk cannot parse (its UUID and why), or NULL:
                            * a port no readable domain uses may still be that domain's */
};

void host_domains_clear(struct host_domains *h);

/* Reads every domain of 'lv'. */
struct err *host_domains_read(struct libvirt *lv, struct host_domains *out) _warn_unused_;

/* Parses the domains of 'list' into 'out', which takes them ('list' is
 * left empty). */
void host_domains_parse(struct libvirt_domain_list *list, struct host_domains *out);

/* An interface of a domain that uses a port. */
struct binding_use {
    size_t domain;  /* index into the domains given */
    size_t iface;   /* index into that domain's ifaces */
    bool by_socket; /* the interface's socket is the port's */
    bool by_mac;    /* the interface's MAC is the port's attached-mac */
};

/* Finds the interfaces of 'domains' ('n'; those for which 'active' says
 * false are skipped when 'active' is given) that use port 'p': its socket
 * ('socket_dir' for a server-mode port, ovs_port_socket()) or its MAC.
 * Writes up to 'max' of them to 'uses' and returns how many there are. */
size_t binding_uses(const struct ovs_port *p, const char *socket_dir, const struct domain *domains,
                    const bool *active, size_t n, struct binding_use *uses, size_t max);

/* Does the vhost-user interface 'i' (its <source mode>, QEMU's side) fit
 * the type of port 'p' (OVS's side: dpdkvhostuser is OVS the server, QEMU
 * the client)? */
bool binding_mode_fits(const struct ovs_port *p, const struct domain_iface *i);

/* Is the socket of interface 'i' port 'p''s (ovs_port_socket() with
 * 'socket_dir'; doubled '/' made single on both sides)? */
bool binding_same_socket(const struct ovs_port *p, const struct domain_iface *i,
                         const char *socket_dir);

/* Does port 'p' serve interface 'i': its socket, in its mode? */
bool binding_serves(const struct ovs_port *p, const struct domain_iface *i, const char *socket_dir);

/* The ports of a domain's vhost-user interfaces. */
struct binding_ports {
    struct ovs_port_list list;
    const struct ovs_port **of_iface; /* per interface of the domain: its port in 'list', or NULL */
};

void binding_ports_clear(struct binding_ports *b);

/* Finds the port of each vhost-user interface of 'd' by its socket (doubled
 * '/' made single): the port named as the socket's file (OVS names a
 * server-mode socket after its port; CloudStack and csdpdk name client-mode
 * ones so too), else the client-mode port whose vhost-server-path the socket
 * is. One ovsdb_ports_select() for all, with 'flags'. */
struct err *binding_ports_find(struct ovsdb *db, const struct domain *d, unsigned flags,
                               struct binding_ports *out) _warn_unused_;

/* Why port 'p' does not serve interface 'i' of the domain whose UUID is
 * 'uuid' (NULL: not known) as the domain asks: returns the check that fails,
 * "owner" (another VM's port), "mac" (another MAC's), "mode" (its type does
 * not serve the <source mode>) or "socket" (its socket, ovs_port_socket()
 * with 'socket_dir', is not the interface's), and sets '*why' to one line
 * naming the port (the caller frees it); NULL when it serves it. A port
 * without vm-id or attached-mac (a NIC's, CloudStack's) passes those
 * checks. */
const char *binding_misfit(const struct ovs_port *p, const struct domain_iface *i, const char *uuid,
                           const char *socket_dir, char **why);

#endif
