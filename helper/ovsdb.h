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
 * both tagged in external_ids with attached-mac, iface-id and either vm-id
 * (the VM's port; with csdpdk-plug-time too once a plug by VM handed it
 * out for a start) or csdpdk-plug-time alone (a NIC's port, not bound to
 * its VM yet); csdpdk-op-id during a migration. A port csdpdk adopted (made by
 * CloudStack's own code) also carries csdpdk-adopted. Every wait is bounded
 * by the deadline given to ovsdb_open(). */
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
/* Bridge.external_ids of its bridge, one key per adopted port,
 * "csdpdk-adopted-" and its MAC, whose value is its Interface's _uuid: an
 * adopted port keeps the row UUIDs OVSDB gave it, not its MAC's, and this
 * index keeps its lookup by MAC one indexed select. Written with its tags,
 * removed with the port. */
#define OVSDB_ADOPTED_PREFIX "csdpdk-adopted-"

/* The external_ids keys of a port's Port and Interface rows. */
#define OVS_KEY_VM "vm-id"
#define OVS_KEY_MAC "attached-mac"
#define OVS_KEY_IFACE "iface-id"
#define OVS_KEY_OP "csdpdk-op-id"
#define OVS_KEY_OP_TIME "csdpdk-op-time"
#define OVS_KEY_PLUG_TIME "csdpdk-plug-time" /* when plug handed the port out (below) */
#define OVS_KEY_ADOPTED "csdpdk-adopted"     /* when csdpdk adopted it (unix seconds) */
#define OVS_KEY_INSTANCE "csdpdk-instance"   /* the run of the VM on it (docs/hook.md) */
/* csdpdk-instance: "running:<unix time>" from the libvirt hook when a run
 * of the VM starts on the port, "plugged:<unix time>" when plug hands the
 * port out again afterwards (a new start of the VM, racing the release of
 * the old run, which then leaves the port alone). */
#define OVS_INSTANCE_RUNNING "running:"
#define OVS_INSTANCE_PLUGGED "plugged:"

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

/* Sends 'command' (no arguments) to the unixctl server at 'path' (an
 * ovs-vswitchd's control socket) and waits, at most 'timeout' seconds, for
 * its text reply. ERR_OVSDB_UNAVAILABLE if nothing answers there,
 * ERR_TIMEOUT, or ERR_OVSDB_ERROR with the daemon's own error. */
struct err *ovs_unixctl(const char *path, const char *command, double timeout, char **reply)
    _warn_unused_;

/* A vhost-user port as OVSDB holds it. */
struct ovs_port {
    char *name;
    char *port_name;   /* Port.name when the Port was read (csdpdk's: the Interface's) */
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
    char *plug_time;    /* csdpdk-plug-time, unix seconds: a NIC's port not bound to its VM,
                         * or a VM's that a plug handed out for a start */
    char *adopted;      /* csdpdk-adopted, unix seconds */
    char *instance;     /* csdpdk-instance */
    char *ids_read;     /* Interface.external_ids as read (OVSDB's JSON), only with
                         * OVS_SELECT_WITH_IDS: for ovsdb_ports_delete_unchanged() */
    /* Filled only when asked for (OVS_SELECT_WITH_STATUS). */
    char *status_link;  /* status:status: "connected", "disconnected" */
    char *status_mode;  /* status:mode, OVS's side: "client", "server" */
    char *status_socket;
    char *status_numa;
    char *status_features; /* status:features, the negotiated virtio features ("0x...") */
    int queues;         /* status:num_of_vrings / 2; -1 unknown */
    int vrings_ready;   /* vrings with a status:vring_N_size above 0 */
    char *error;        /* Interface.error */
    char *link_state;   /* Interface.link_state */
    int64_t ofport;     /* -1 unknown or failed */
    /* Interface.statistics, refreshed by ovs-vswitchd every
     * stats-update-interval (5 s); -1 when absent. */
    int64_t rx_packets, rx_bytes, rx_dropped, tx_packets, tx_bytes, tx_dropped;
};

struct ovs_port_list {
    struct ovs_port *ports;
    size_t n;
};

void ovs_port_list_clear(struct ovs_port_list *list);

/* The port of 'list' named 'name' (NULL: none, or no name). */
const struct ovs_port *ovs_port_list_find(const struct ovs_port_list *list, const char *name);

/* What to look a port up by, in the Interface table. Each is a scan of the
 * table (OVSDB indexes _uuid only): a lookup costs about 0.15 us a port. */
enum ovs_select_kind {
    OVS_SELECT_VM,    /* external_ids:vm-id == value */
    OVS_SELECT_MAC,   /* the port of MAC 'value': an indexed lookup (for an adopted port,
                       * through OVSDB_ADOPTED_PREFIX) */
    OVS_SELECT_OP,    /* external_ids:csdpdk-op-id == value */
    OVS_SELECT_NAME,  /* name == value, tagged or not (CloudStack's own ports) */
    OVS_SELECT_VHOST, /* every vhost-user Interface (value unused) */
    OVS_SELECT_SOCKET, /* options:vhost-server-path == value: a client-mode port by its socket */
};

struct ovs_select {
    enum ovs_select_kind kind;
    const char *value;
};

enum {
    OVS_SELECT_WITH_STATUS = 1 << 0, /* also read Interface.status and friends */
    OVS_SELECT_WITH_IDS = 1 << 1,    /* keep external_ids as read (ids_read) */
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
    const char *vm_id;      /* NULL: a NIC's port, bound to its VM later (plug_time set) */
    const char *mac;
    const char *iface_id;
    const char *op_id;      /* NULL outside migrations */
    const char *op_time;    /* when the migration's ports were made (unix seconds), or NULL */
    const char *plug_time;  /* when plug made it (unix seconds): always with no vm_id */
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

/* The number N of a port named csdpdk-N; false for another name. */
bool ovsdb_port_number(const char *name, uint64_t *n);

/* The names ovsdb_ports_create() would try first (for --dry-run). */
struct err *ovsdb_ports_predict(struct ovsdb *db, size_t n, char ***names) _warn_unused_;

void ovsdb_names_free(char **names, size_t n);

/* Removes the ports, all in one transaction (OVSDB then drops the Port and
 * Interface rows no bridge refers to), and the index entries of adopted
 * ones. A port already gone is not an error; one whose row (by its
 * MAC-derived UUID) has another name now is ERR_PORT_CONFLICT, and nothing
 * is removed. */
struct err *ovsdb_ports_delete(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                               const char *comment) _warn_unused_;

/* ovsdb_ports_delete(), provided that each port's Interface still has the
 * external_ids it had when it was read (OVS_SELECT_WITH_IDS): otherwise
 * nothing is removed and *changed is true (someone retagged a port since:
 * judge again). */
struct err *ovsdb_ports_delete_unchanged(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                                         const char *comment, bool *changed) _warn_unused_;

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
    char *socket_limit;   /* other_config:dpdk-socket-limit, or NULL */
    char *dpdk_extra;     /* other_config:dpdk-extra, or NULL */
    char *pmd_rxq_isolate; /* other_config:pmd-rxq-isolate, or NULL */
    char *pmd_rxq_assign; /* other_config:pmd-rxq-assign, or NULL */
    char *per_port_memory; /* other_config:per-port-memory, or NULL */
    char **affinities;    /* other_config:pmd-rxq-affinity of every Interface a PMD polls
                           * (a DPDK or vhost-user type, no error) */
    int *affinity_rxqs;   /* ...and its rx queue count (pairs of other queues pin nothing) */
    size_t n_affinities;
    char **phys_ports;    /* Interfaces of type dpdk (physical ports), by name */
    int *phys_nodes;      /* ...and their status:numa_id, -1 when not known */
    size_t n_phys;
    char **netdev_bridges; /* bridges with datapath_type=netdev, sorted */
    size_t n_netdev_bridges;
};

void ovs_switch_clear(struct ovs_switch *sw);

/* Is 'bridge' (NULL: none) one of the switch's netdev bridges? */
bool ovs_switch_netdev_bridge(const struct ovs_switch *sw, const char *bridge);

/* What ovsdb_switch_read_some() reads besides the Open_vSwitch row. */
enum {
    OVS_SWITCH_BRIDGES = 1 << 0,  /* netdev_bridges */
    OVS_SWITCH_AFFINITY = 1 << 1, /* affinities: a scan of the Interface table */
    OVS_SWITCH_PHYS = 1 << 2,     /* phys_ports, phys_nodes: a scan of the Interface table */
};

/* Reads the Open_vSwitch row and what 'what' asks for (each select answers
 * few rows whatever the number of ports; the Interface ones scan that
 * table in ovsdb-server, about 0.2 us a row). */
struct err *ovsdb_switch_read_some(struct ovsdb *db, unsigned what, struct ovs_switch *out)
    _warn_unused_;

/* The Open_vSwitch row and the names of the netdev bridges: two small
 * selects, whatever the number of ports. */
struct err *ovsdb_switch_read(struct ovsdb *db, struct ovs_switch *out) _warn_unused_;

/* A change of one port's external_ids, on its Port and its Interface:
 * 'set' holds key, value pairs, 'clear' keys, each NULL-terminated (NULL
 * for none). */
#define OVS_RETAG_MAX 8
struct ovs_retag {
    const struct ovs_port *port;
    const char *set[2 * OVS_RETAG_MAX + 1];
    const char *clear[OVS_RETAG_MAX + 1];
    bool may_be_gone; /* only keys cleared: a port removed meanwhile is no conflict */
    bool unchanged;   /* the port was read with OVS_SELECT_WITH_IDS: one whose Interface's
                       * external_ids changed meanwhile is a conflict too */
};

/* Appends to r->set (key, value) or to r->clear (key). */
void ovs_retag_set(struct ovs_retag *r, const char *key, const char *value);
void ovs_retag_clear(struct ovs_retag *r, const char *key);

/* A NIC's port becomes VM 'vm_id''s: vm-id set; csdpdk-plug-time set to
 * 'plug_time' (a start to come), or gone when NULL (the VM runs). */
void ovs_retag_bind(struct ovs_retag *r, const char *vm_id, const char *plug_time);

/* A port csdpdk did not make (r->port, set first) becomes VM 'vm_id''s,
 * for NIC 'mac', adopted at 'when' (unix seconds); an iface-id it has is
 * kept. */
void ovs_retag_adopt(struct ovs_retag *r, const char *vm_id, const char *mac, const char *when);

/* Applies every change in one transaction. A port that gets csdpdk-adopted
 * also gets its entry in its bridge's index of adopted ports
 * (OVSDB_ADOPTED_PREFIX). A port gone meanwhile (or, with 'unchanged',
 * retagged) aborts the whole transaction: ERR_PORT_CONFLICT, nothing
 * tagged; one whose change is 'may_be_gone' is left gone. With 'next'
 * (0: none), the same transaction moves the naming hint (OVSDB_NEXT_PORT_KEY)
 * to at least 'next', never back, and '*hint' is where it is; another
 * writer's change of the hint meanwhile makes it try again. */
struct err *ovsdb_ports_retag(struct ovsdb *db, const struct ovs_retag *changes, size_t n, uint64_t next,
                              const char *comment, uint64_t *hint) _warn_unused_;

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
 * before 'now' (unix seconds), and not more than that after it. A tag
 * without a time csdpdk can read protects nothing: gc judges its port by
 * its VM, plug takes it back. */
bool ovs_port_migration_in_flight(const struct ovs_port *p, long long now);

/* A port plug handed out is kept this long after its csdpdk-plug-time
 * whatever libvirt says: its VM's domain may not be defined or started
 * yet (a NIC's port not bound; a VM's port of a start to come). */
#define OVS_PLUG_GRACE 3600 /* seconds */

/* Who a port belongs to. */
enum ovs_port_owner {
    OVS_OWNER_FOREIGN, /* not csdpdk's: not named csdpdk-N, or without its tags (CloudStack's) */
    OVS_OWNER_NIC,     /* csdpdk's, made for a NIC, not bound to its VM yet */
    OVS_OWNER_VM,      /* csdpdk's (made, bound or adopted), tagged with its VM */
};

/* csdpdk's own name (csdpdk-N) and tags, or a port of any name it adopted
 * (vm-id and csdpdk-adopted). */
enum ovs_port_owner ovs_port_owner(const struct ovs_port *p);

/* "vm", "nic", "none": status's and gc's owned_by. */
const char *ovs_port_owner_name(enum ovs_port_owner owner);

/* Does the port's csdpdk-instance start with 'prefix' (OVS_INSTANCE_*)? */
bool ovs_port_instance_is(const struct ovs_port *p, const char *prefix);

/* True for a port of 'owner' OVS_OWNER_NIC made less than OVS_PLUG_GRACE
 * before 'now' (and not more than that after it). A time it cannot read is
 * not recent: gc judges such a port by whether a domain uses it. */
bool ovs_port_unbound_recent(const struct ovs_port *p, long long now);

/* True for a port of 'owner' OVS_OWNER_VM that plug handed out for a start
 * (csdpdk-plug-time) less than OVS_PLUG_GRACE before 'now' (and not more
 * than that after it: a clock set back): the start may not have come yet.
 * A time it cannot read is not recent. */
bool ovs_port_plugged_recent(const struct ovs_port *p, long long now);

/* True if 'p''s csdpdk-plug-time is less than half OVS_PLUG_GRACE from
 * 'now': a port handed out again with an older stamp is stamped anew, so
 * that its VM's start always has at least half the grace before gc. */
bool ovs_port_plug_stamp_fresh(const struct ovs_port *p, long long now);

/* The socket of a vhost-user port: its vhost-server-path (client mode), or
 * 'socket_dir'/NAME (server mode, where OVS owns it); NULL for another
 * type. */
char *ovs_port_socket(const struct ovs_port *p, const char *socket_dir);

/* True if 'name' is csdpdk-N (N decimal, at most 10 digits). */
bool ovsdb_is_port_name(const char *name);

#endif
