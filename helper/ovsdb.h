/* OVSDB, through Open vSwitch's own library: the only module that talks to
 * it. This file's .c is compiled with libopenvswitch's headers, which
 * nothing else includes; everything here is plain C.
 *
 * csdpdk speaks the OVSDB protocol directly (RFC 7047 'transact' through
 * libopenvswitch's jsonrpc) instead of using the IDL: a transaction costs
 * the same at 0 and at 4000 ports, while the IDL downloads Bridge.ports
 * (every port) on each new connection, and silently drops a partial update
 * of a column it does not monitor.
 *
 * A csdpdk port is a Port and its one Interface, both named csdpdk-N and
 * both tagged in external_ids with vm-id, attached-mac, iface-id and, during
 * a migration, csdpdk-op-id. Every wait is bounded by the deadline given to
 * ovsdb_open(). */
#ifndef CSDPDK_OVSDB_H
#define CSDPDK_OVSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"

#define OVSDB_PORT_PREFIX "csdpdk-"
/* "csdpdk-" and at most 10 digits. */
#define OVSDB_PORT_NAME_MAX 17
/* Open_vSwitch.external_ids key holding the next number to try. */
#define OVSDB_NEXT_PORT_KEY "csdpdk-next-port"

/* The version of the libopenvswitch csdpdk is linked with ("3.1.0"). */
const char *ovsdb_library_version(void);

struct ovsdb;

/* Connects to 'url' ("unix:/var/run/openvswitch/db.sock"); every later call
 * on the connection fails with ERR_TIMEOUT once 'timeout' seconds have
 * passed since now. ERR_OVSDB_UNAVAILABLE if nothing answers there.
 * 'verbose' lets libopenvswitch log to stderr. */
struct err *ovsdb_open(const char *url, double timeout, bool verbose, struct ovsdb **db)
    _warn_unused_;
void ovsdb_close(struct ovsdb *db);
DEFINE_CLEANUP_FUNC(struct ovsdb, ovsdb_close)

/* A vhost-user port as OVSDB holds it. */
struct ovs_port {
    char *name;
    char *port_uuid;
    char *iface_uuid;  /* NULL if the Port has no Interface of its name */
    char *bridge;      /* NULL if no bridge holds the port */
    char *type;        /* Interface.type */
    char *server_path; /* options:vhost-server-path, or NULL */
    int vlan;          /* Port.tag in access mode; 0 for none */
    char *vm_id;       /* external_ids; NULL when absent */
    char *mac;
    char *iface_id;
    char *op_id;
    char *op_time;      /* csdpdk-op-time, unix seconds */
    /* Filled only when asked for (OVS_SELECT_WITH_STATUS). */
    char *status_link;  /* status:status: "connected", "disconnected" */
    char *status_mode;  /* status:mode, OVS's side: "client", "server" */
    char *status_socket;
    char *status_numa;
    char *status_features; /* status:features, the negotiated virtio features ("0x...") */
    int queues;         /* status:num_of_vrings / 2; -1 unknown */
    char *error;        /* Interface.error */
    char *link_state;   /* Interface.link_state */
    int64_t ofport;     /* -1 unknown or failed */
};

struct ovs_port_list {
    struct ovs_port *ports;
    size_t n;
};

void ovs_port_list_clear(struct ovs_port_list *list);

/* What to look a port up by, in the Interface table. Each is a scan of the
 * table (OVSDB indexes _uuid only): a lookup costs about 0.15 us a port. */
enum ovs_select_kind {
    OVS_SELECT_VM,    /* external_ids:vm-id == value */
    OVS_SELECT_MAC,   /* the port csdpdk made for MAC 'value': an indexed lookup */
    OVS_SELECT_OP,    /* external_ids:csdpdk-op-id == value */
    OVS_SELECT_NAME,  /* name == value, tagged or not (CloudStack's own ports) */
    OVS_SELECT_VHOST, /* every vhost-user Interface (value unused) */
};

struct ovs_select {
    enum ovs_select_kind kind;
    const char *value;
};

enum {
    OVS_SELECT_WITH_STATUS = 1 << 0, /* also read Interface.status and friends */
};

/* Finds the ports whose Interface matches any of 'queries', each once,
 * sorted by number, with their Port (uuid, VLAN) and bridge: one more
 * lookup per port for a few, one read of the Port and Bridge tables for
 * many. */
struct err *ovsdb_ports_select(struct ovsdb *db, const struct ovs_select *queries, size_t n_queries,
                               unsigned flags, struct ovs_port_list *out) _warn_unused_;

/* Sets '*missing' to the index of the first bridge of 'names' that does not
 * exist, or to -1. */
struct err *ovsdb_bridges_check(struct ovsdb *db, const char *const *names, size_t n, int *missing)
    _warn_unused_;

struct ovs_port_spec {
    const char *bridge;
    const char *type;
    const char *socket_dir; /* options:vhost-server-path = socket_dir/NAME; NULL: none */
    int vlan;               /* 1..4094, or 0 for no tag */
    const char *vm_id;
    const char *mac;
    const char *iface_id;
    const char *op_id;      /* NULL outside migrations */
    const char *op_time;    /* when the migration's ports were made (unix seconds), or NULL */
};

/* Creates one port per spec, all in one transaction: afterwards every port
 * exists, or none does. The rows' UUIDs derive from the MAC, so a MAC has
 * one port at most: ERR_PORT_CONFLICT if another plug made one meanwhile.
 * Names are csdpdk-N, never a duplicate: OVSDB's
 * unique index on the names is the guarantee, the hint in
 * Open_vSwitch.external_ids:csdpdk-next-port (updated in the same
 * transaction, compare-and-swap) only spares a scan. '*names' gets the
 * chosen names, in the order of 'specs' (free with ovsdb_names_free()).
 * 'comment' goes into ovsdb-server's log. */
struct err *ovsdb_ports_create(struct ovsdb *db, const struct ovs_port_spec *specs, size_t n,
                               const char *comment, char ***names) _warn_unused_;

/* The names ovsdb_ports_create() would try first (for --dry-run). */
struct err *ovsdb_ports_predict(struct ovsdb *db, size_t n, char ***names) _warn_unused_;

void ovsdb_names_free(char **names, size_t n);

/* Removes the ports, all in one transaction (OVSDB then drops the Port and
 * Interface rows no bridge refers to). A port already gone is not an error. */
struct err *ovsdb_ports_delete(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                               const char *comment) _warn_unused_;

/* The switch as its Open_vSwitch row and bridges tell it. */
struct ovs_switch {
    char *ovs_version;
    bool dpdk_initialized;
    char *dpdk_version;
    char **iface_types;
    size_t n_iface_types;
    char **datapath_types;
    size_t n_datapath_types;
    char *dpdk_init;      /* other_config:dpdk-init, or NULL */
    char *vhost_sock_dir; /* other_config:vhost-sock-dir, or NULL */
    char *pmd_cpu_mask;   /* other_config:pmd-cpu-mask, or NULL */
    char *socket_mem;     /* other_config:dpdk-socket-mem, or NULL */
    char **netdev_bridges; /* bridges with datapath_type=netdev, sorted */
    size_t n_netdev_bridges;
};

void ovs_switch_clear(struct ovs_switch *sw);

/* Reads the Open_vSwitch row and the names of the netdev bridges: two
 * small selects, whatever the number of ports. */
struct err *ovsdb_switch_read(struct ovsdb *db, struct ovs_switch *out) _warn_unused_;

/* Removes the migration tags (csdpdk-op-id, csdpdk-op-time) from the Port
 * and Interface of each port, in one transaction: the ports become the
 * VM's ordinary ports. */
struct err *ovsdb_ports_untag(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                              const char *comment) _warn_unused_;

/* Milliseconds left before the deadline given to ovsdb_open() (0 once it
 * has passed). */
long long ovsdb_time_left_ms(const struct ovsdb *db);

/* OVS's own protocol for a client that waits for its change: asks
 * ovs-vswitchd to report when it has applied the database as it is now
 * (Open_vSwitch next_cfg + 1) and waits until it has (cur_cfg reaches it),
 * keeping 'reserve_ms' (at most half) of the connection's time for what
 * follows. Only a running ovs-vswitchd connected to this database sets
 * cur_cfg: ERR_TIMEOUT if none does in time. */
struct err *ovsdb_wait_applied(struct ovsdb *db, long long reserve_ms) _warn_unused_;

/* A migration's tags (csdpdk-op-id) protect its ports for this long after
 * their csdpdk-op-time: the destination's VM is not defined until the
 * migration starts. An older tag is a migration whose finish or abort never
 * came: gc judges its ports like any other, plug and migrate-prepare take
 * them back for their VM. */
#define OVS_MIGRATION_GRACE 3600 /* seconds */

/* True if 'p' carries a migration's tag made less than OVS_MIGRATION_GRACE
 * before 'now' (unix seconds), or at a time it does not say. */
bool ovs_port_migration_in_flight(const struct ovs_port *p, long long now);

/* True if 'name' is csdpdk-N (N decimal, at most 10 digits). */
bool ovsdb_is_port_name(const char *name);

#endif
