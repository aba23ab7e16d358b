/* migrate-finish: on the destination, after a migration libvirt called a
 * success, check that the VM's NICs really work on the ports of op_id, then
 * make them the VM's ordinary ports (their migration tags are removed), so
 * that gc and unplug treat them as any other.
 *
 * libvirt's success is no proof: when the destination's switch restarts
 * while the VM moves, QEMU sets the vhost-user device up again on its own
 * once the switch is back, without the guest's driver, and the NIC is
 * broken (frames shifted by two bytes, a wedged ring, a guest panic). Such
 * a device has lost the virtio features the guest negotiated; OVS shows
 * them in Interface status:features. */
#include "helper/mem.h"
#include "migration/ops.h"

/* Bits a vhost-user device has without a guest's driver: the backend's
 * VHOST_USER_F_PROTOCOL_FEATURES (30) and VHOST_F_LOG_ALL (26, dirty
 * logging during a migration). */
#define BACKEND_ONLY_FEATURES ((1ULL << 30) | (1ULL << 26))
#define POLL_MS 100

enum port_health {
    PORT_WORKS,
    PORT_PENDING, /* not (yet) connected, no features yet, or a queue not set up yet */
    PORT_BROKEN,
};

static enum port_health judge(const struct ovs_port *p)
{
    if (!p->status_link || !streq(p->status_link, "connected") || !p->status_features) {
        return PORT_PENDING;
    }
    char *end = NULL;
    unsigned long long features = strtoull(p->status_features, &end, 16);
    if (end == p->status_features || *end) {
        return PORT_PENDING;
    }
    if (!(features & ~BACKEND_ONLY_FEATURES)) {
        return PORT_BROKEN;
    }
    /* Every queue: each vring of the device set up (OVS's vring_N_size),
     * as QEMU does for every queue pair of a multi-queue NIC. */
    return p->queues > 0 && p->vrings_ready < 2 * p->queues ? PORT_PENDING : PORT_WORKS;
}

/* Waits, within the connection's deadline, until every port of 'op_id' is
 * connected with the guest's features; a port whose device lost them, or
 * one of 'first' gone, is ERR_PORT_BROKEN at once, one still pending at the
 * deadline ERR_TIMEOUT. */
static struct err *verify(struct ovsdb *db, const char *op_id, const struct ovs_port_list *first,
                          double timeout)
{
    const struct ovs_select query = {OVS_SELECT_OP, op_id};
    for (;;) {
        _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};
        struct err *e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_STATUS, &ports);
        if (e) {
            return e;
        }
        /* A port gone (or no longer this operation's) is no port that works. */
        for (size_t i = 0; i < first->n; i++) {
            if (!ovs_port_list_find(&ports, first->ports[i].name)) {
                return err_new(ERR_PORT_BROKEN, NULL,
                               "port '%s' of op_id '%s' was removed, or lost its op_id tag, while migrate-finish checked it (the libvirt hook removes a VM's ports when its QEMU here ends: does the VM run here?); nothing was changed",
                               first->ports[i].name, op_id);
            }
        }
        const struct ovs_port *pending = NULL;
        for (size_t i = 0; i < ports.n; i++) {
            const struct ovs_port *p = &ports.ports[i];
            switch (judge(p)) {
            case PORT_BROKEN:
                return err_new(ERR_PORT_BROKEN, NULL,
                               "the VM's NIC %s on port '%s' was set up again without the virtio features its guest negotiated (features %s): the switch restarted while the VM moved and QEMU reconnected without the guest's driver; the NIC does not work until the VM is restarted (stopped and started); nothing was changed",
                               p->mac ? p->mac : "?", p->name, p->status_features);
            case PORT_PENDING:
                pending = pending ? pending : p;
                break;
            case PORT_WORKS:
                break;
            }
        }
        if (!pending) {
            return NULL;
        }
        if (ovsdb_time_left_ms(db) <= POLL_MS) {
            return err_new(ERR_TIMEOUT, NULL,
                           "port '%s' (MAC %s) is %s%s after %g s: the VM's NIC does not use it yet (does the VM run here?); nothing was changed",
                           pending->name, pending->mac ? pending->mac : "?",
                           pending->status_link ? pending->status_link : "without a link status",
                           pending->status_link && !pending->status_features ? " without negotiated features"
                           : pending->queues > 0 && pending->vrings_ready < 2 * pending->queues
                               ? " with a queue not set up"
                               : "",
                           timeout);
        }
        sleep_ms(POLL_MS);
    }
}

/* Each verified port's queue pairs (OVS's num_of_vrings / 2): what the
 * caller compares with the VM's NICs. */
static json_t *port_queues(struct ovsdb *db, const char *op_id)
{
    const struct ovs_select query = {OVS_SELECT_OP, op_id};
    _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};
    json_t *queues = json_object();
    struct err *e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_STATUS, &ports);
    for (size_t i = 0; !e && i < ports.n; i++) {
        json_object_set_new(queues, ports.ports[i].name, json_integer(ports.ports[i].queues));
    }
    err_free(e);
    return queues;
}

struct err *verb_migrate_finish_run(struct verb_context *ctx, json_t **result)
{
    const char *op_id = NULL;
    json_t *verify_flag = NULL;
    struct request_field extra[] = {{"verify", REQ_BOOLEAN, false, false, &verify_flag}};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};

    struct err *e = mig_op_ports(ctx, extra, ARRAY_SIZE(extra), 0, &op_id, &db, &ports);
    bool verified = !e && ports.n && (!verify_flag || json_is_true(verify_flag));
    json_t *queues = NULL;
    if (verified) {
        e = verify(db, op_id, &ports, ctx->options->timeout);
        queues = e ? NULL : port_queues(db, op_id); /* before the tags go */
    }
    if (!e && ports.n && !ctx->options->dry_run) {
        _cleanup_free_ char *comment = mem_asprintf("csdpdk migrate-finish %s", op_id);
        e = ovsdb_ports_untag(db, ports.ports, ports.n, comment);
    }
    if (e) {
        json_decref(queues);
        return e;
    }
    if (!ports.n) {
        json_array_append_new(ctx->warnings, json_sprintf("no port is tagged with op_id '%s'", op_id));
    }
    *result = json_pack("{s:o, s:b}", "ports", mig_port_names(&ports), "verified", verified);
    if (queues) {
        json_object_set_new(*result, "queues", queues);
    }
    return NULL;
}
