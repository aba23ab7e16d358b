/* status: VM -> MAC -> port -> socket -> OVS link state, from OVSDB. */
#include <string.h>

#include "helper/mem.h"
#include "helper/numa.h"
#include "helper/output.h"
#include "helper/ovsdb.h"
#include "helper/probe.h"
#include "helper/request.h"
#include "helper/verb.h"

static json_t *tristate(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static json_t *counter(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *port_json(const struct ovs_port *p, const struct pmd_show *live)
{
    /* OVS's side of the socket: dpdkvhostuserclient is OVS as the client,
     * so csdpdk's mode 'client' (QEMU owns the socket). */
    const char *mode = !p->type ? NULL
                       : streq(p->type, "dpdkvhostuserclient") ? "client"
                       : streq(p->type, "dpdkvhostuser") ? "server" : NULL;
    const char *socket = p->server_path ? p->server_path : p->status_socket;
    json_t *connected = p->status_link ? json_boolean(streq(p->status_link, "connected"))
                                       : json_null();
    enum ovs_port_owner owner = ovs_port_owner(p);
    json_t *port = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                             "port", p->name,
                             "bridge", output_json_string_or_null(p->bridge),
                             "type", output_json_string_or_null(p->type),
                             "mode", output_json_string_or_null(mode),
                             "owner", output_json_string_or_null(p->vm_id),
                             "mac", output_json_string_or_null(p->mac),
                             "socket", output_json_string_or_null(socket),
                             "connected", connected,
                             "numa", output_json_string_or_null(p->status_numa),
                             "queues", p->queues >= 0 ? json_integer(p->queues) : json_null(),
                             "error", output_json_string_or_null(p->error),
                             "link_state", output_json_string_or_null(p->link_state),
                             "ofport", p->ofport >= 0 ? json_integer(p->ofport) : json_null(),
                             "op_id", output_json_string_or_null(p->op_id));
    json_object_set_new(port, "owned_by", json_string(ovs_port_owner_name(owner)));
    json_object_set_new(port, "nic", output_json_string_or_null(owner != OVS_OWNER_FOREIGN ? p->iface_id : NULL));
    json_object_set_new(port, "adopted", json_boolean(owner == OVS_OWNER_VM && p->adopted));
    int cross, unpolled;
    json_t *rxqs = numa_port_polling(live, p->name, p->status_numa, p->queues, &cross, &unpolled);
    json_object_set_new(port, "rxqs", live ? rxqs : json_null());
    if (!live) {
        json_decref(rxqs);
    }
    json_object_set_new(port, "cross_numa", tristate(cross));
    json_object_set_new(port, "unpolled", tristate(unpolled));
    json_object_set_new(port, "counters",
                        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "rx_packets", counter(p->rx_packets),
                                  "rx_bytes", counter(p->rx_bytes), "rx_dropped", counter(p->rx_dropped),
                                  "tx_packets", counter(p->tx_packets), "tx_bytes", counter(p->tx_bytes),
                                  "tx_dropped", counter(p->tx_dropped)));
    return port;
}

struct err *verb_status_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    json_t *vm = NULL;
    struct request_field fields[] = {{"vm", REQ_OBJECT, false, false, &vm}};
    _cleanup_free_ char *vm_uuid = NULL;

    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (!e && vm) {
        e = request_vm_uuid(vm, &vm_uuid);
    }
    if (e) {
        return e;
    }

    struct ovs_select query = vm_uuid ? (struct ovs_select){OVS_SELECT_VM, vm_uuid}
                                      : (struct ovs_select){OVS_SELECT_VHOST, NULL};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};
    if ((e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db)) ||
        (e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_STATUS, &found))) {
        return e;
    }

    /* Who polls what: ovs-vswitchd's own word, when it answers. */
    _cleanup_(pmd_show_clear) struct pmd_show live = {0};
    struct err *pmd_err = host_pmd_show(o->ovsdb, ovsdb_time_left_ms(db) / 1000.0, &live);
    json_t *ports = json_array(), *pmds = json_array();
    for (size_t i = 0; i < found.n; i++) {
        json_array_append_new(ports, port_json(&found.ports[i], pmd_err ? NULL : &live));
    }
    for (size_t i = 0; i < live.n_pmds; i++) {
        json_array_append_new(pmds, json_pack("{s:i, s:i, s:b}", "core", live.pmds[i].core, "numa",
                                              live.pmds[i].node, "isolated", live.pmds[i].isolated));
    }
    *result = json_pack("{s:o, s:o, s:o}", "ports", ports, "pmds", pmd_err ? json_null() : pmds,
                        "pmd_error", pmd_err ? json_string(pmd_err->message) : json_null());
    if (pmd_err) {
        json_decref(pmds);
        err_free(pmd_err);
    }
    return NULL;
}

/* The VM column: the VM, "(not bound)" for a NIC's port, "-" for a port
 * csdpdk does not own. */
static const char *owner_text(const json_t *p)
{
    return streq(output_text_or_dash(json_object_get(p, "owned_by")), "nic") ? "(not bound)"
                                                                  : output_text_or_dash(json_object_get(p, "owner"));
}

/* The POLL column: how OVS polls the port's queues. */
static const char *polling_text(const json_t *p)
{
    return json_is_true(json_object_get(p, "unpolled"))     ? "NONE"
           : json_is_true(json_object_get(p, "cross_numa")) ? "CROSS"
           : json_is_false(json_object_get(p, "cross_numa")) ? "local"
                                                              : "-";
}

static const char *int_text(const json_t *v, char *buf, size_t size)
{
    if (!json_is_integer(v)) {
        return "-";
    }
    snprintf(buf, size, "%lld", (long long) json_integer_value(v));
    return buf;
}

/* 'entries' after 'lead', separated by ", ", broken only between two of
 * them to keep within 100 columns; each next line indented as far as the
 * lead. */
static void wrapped_entries(FILE *out, const char *lead, char *const *entries, size_t n)
{
    const int width = 100, indent = (int) strlen(lead);
    int column = fprintf(out, "%s", lead);
    for (size_t i = 0; i < n; i++) {
        int len = (int) strlen(entries[i]) + (i + 1 < n);
        if (i && column + 1 + len > width) {
            column = fprintf(out, "\n%*s", indent, "") - 1;
        } else if (i) {
            column += fprintf(out, " ");
        }
        column += fprintf(out, "%s%s", entries[i], i + 1 < n ? "," : "");
    }
    fputc('\n', out);
}

/* For a person: one line per port, in at most 100 columns (a full VM UUID
 * included; a port name longer than 14 characters has a line of its own); POLL is "local" (every queue polled from the node OVS placed
 * the device on), "CROSS" (from another node), "NONE" (a queue no PMD
 * polls) or "-" (not known). Bridge, link, ofport, node, PMDs, counters,
 * socket, error and migration with --verbose, under each line. */
void verb_status_text(FILE *out, const json_t *result, bool verbose)
{
    static const char *const head[] = {"PORT", "VM", "MAC", "MODE", "CONN", "QUEUES", "POLL"};
    /* 14 + 36 (a VM's UUID) + 17 + 6 + 4 + 6 + 5 and the gaps: 100. */
    static const int cap[] = {14, 36, 17, 6, 4, 6, 5};
    const json_t *ports = json_object_get(result, "ports");
    size_t n = json_array_size(ports), i;
    int width[7] = {0};
    json_t *p;

    output_widen(width, head, cap, 7);
    json_array_foreach(ports, i, p) {
        const char *cells[] = {output_text_or_dash(json_object_get(p, "port")), owner_text(p),
                               output_text_or_dash(json_object_get(p, "mac")), output_text_or_dash(json_object_get(p, "mode"))};
        output_widen(width, cells, cap, 4);
    }
    if (n == 0) {
        fprintf(out, "no vhost-user port\n");
        return;
    }
    output_row(out, head, width, 7);
    json_array_foreach(ports, i, p) {
        const json_t *connected = json_object_get(p, "connected");
        char q[24], of[24], node[24];
        const char *row[] = {output_text_or_dash(json_object_get(p, "port")), owner_text(p),
                             output_text_or_dash(json_object_get(p, "mac")),
                             output_text_or_dash(json_object_get(p, "mode")),
                             json_is_true(connected) ? "yes" : json_is_false(connected) ? "no" : "-",
                             int_text(json_object_get(p, "queues"), q, sizeof q), polling_text(p)};
        output_row(out, row, width, 7);
        if (!verbose) {
            continue;
        }
        /* The details wrap within 100 columns, whatever the queue count. */
        _cleanup_free_ char *facts = mem_asprintf("bridge %s, link %s, ofport %s, numa %s, socket %s",
                                                  output_text_or_dash(json_object_get(p, "bridge")),
                                                  output_text_or_dash(json_object_get(p, "link_state")),
                                                  int_text(json_object_get(p, "ofport"), of, sizeof of),
                                                  output_text_or_dash(json_object_get(p, "numa")),
                                                  output_text_or_dash(json_object_get(p, "socket")));
        output_wrapped(out, "    ", 6, facts);
        const json_t *rxqs = json_object_get(p, "rxqs");
        if (json_array_size(rxqs)) {
            size_t k, n_rxqs = json_array_size(rxqs);
            json_t *r;
            char **queues = mem_new0(char *, n_rxqs + 1);
            json_array_foreach(rxqs, k, r) {
                char core[24];
                bool polled = json_is_integer(json_object_get(r, "pmd_core"));
                queues[k] = polled ? mem_asprintf("%lld on core %s (node %s)%s",
                                                  (long long) json_integer_value(json_object_get(r, "queue")),
                                                  int_text(json_object_get(r, "pmd_core"), core, sizeof core),
                                                  int_text(json_object_get(r, "pmd_numa"), node, sizeof node),
                                                  json_is_false(json_object_get(r, "enabled")) ? " disabled" : "")
                                   : mem_asprintf("%lld not polled",
                                                  (long long) json_integer_value(json_object_get(r, "queue")));
            }
            wrapped_entries(out, "    rx queues: ", queues, n_rxqs);
            for (k = 0; k < n_rxqs; k++) {
                free(queues[k]);
            }
            free(queues);
        }
        const json_t *c = json_object_get(p, "counters");
        char rx[24], rxd[24], tx[24], txd[24];
        _cleanup_free_ char *counted = mem_asprintf("rx %s packets (%s dropped), tx %s packets (%s dropped)",
                                                    int_text(json_object_get(c, "rx_packets"), rx, sizeof rx),
                                                    int_text(json_object_get(c, "rx_dropped"), rxd, sizeof rxd),
                                                    int_text(json_object_get(c, "tx_packets"), tx, sizeof tx),
                                                    int_text(json_object_get(c, "tx_dropped"), txd, sizeof txd));
        output_wrapped(out, "    ", 6, counted);
        /* Values from OVSDB (the node, another tool's tags) go through
         * output_wrapped(), which keeps each on its line. */
        if (json_is_true(json_object_get(p, "cross_numa"))) {
            _cleanup_free_ char *line = mem_asprintf("polled cross-NUMA: add a core of node %s to pmd-cpu-mask",
                                                     output_text_or_dash(json_object_get(p, "numa")));
            output_wrapped(out, "    ", 6, line);
        }
        if (json_is_true(json_object_get(p, "unpolled"))) {
            fprintf(out, "    a queue no PMD polls: see pmd-cpu-mask, pmd-rxq-affinity\n");
        }
        if (json_is_string(json_object_get(p, "error"))) {
            output_wrapped(out, "    error: ", 6, output_text_or_dash(json_object_get(p, "error")));
        }
        if (streq(output_text_or_dash(json_object_get(p, "owned_by")), "nic")) {
            _cleanup_free_ char *line = mem_asprintf("NIC %s's port, not bound to its VM yet",
                                                     output_text_or_dash(json_object_get(p, "nic")));
            output_wrapped(out, "    ", 6, line);
        } else if (streq(output_text_or_dash(json_object_get(p, "owned_by")), "none")) {
            fprintf(out, "    not csdpdk's (adopt takes it in)\n");
        }
        if (json_is_true(json_object_get(p, "adopted"))) {
            fprintf(out, "    adopted\n");
        }
        if (json_is_string(json_object_get(p, "op_id"))) {
            _cleanup_free_ char *line = mem_asprintf("migration %s in flight",
                                                     output_text_or_dash(json_object_get(p, "op_id")));
            output_wrapped(out, "    ", 6, line);
        }
    }
    if (verbose && json_is_string(json_object_get(result, "pmd_error"))) {
        output_wrapped(out, "PMD threads not known: ", 4, output_text_or_dash(json_object_get(result, "pmd_error")));
    }
}

/* A label value, escaped as the exposition format wants. */
static void label(FILE *out, const char *name, const char *value, bool last)
{
    fprintf(out, "%s=\"", name);
    for (const char *c = value ? value : ""; *c; c++) {
        if (*c == '\\' || *c == '"') {
            fputc('\\', out);
            fputc(*c, out);
        } else if (*c == '\n') {
            fputs("\\n", out);
        } else {
            fputc(*c, out);
        }
    }
    fprintf(out, "\"%s", last ? "}" : ",");
}

struct metric {
    const char *name, *type, *help;
    const char *member;  /* of the port, or of its counters */
    bool counter;        /* in "counters" */
};

/* The metrics of 'ports', one family after another (the exposition
 * format wants a family's samples together), each sample labelled with
 * its port, VM, MAC and bridge; a value not known is left out. */
void verb_status_prometheus(FILE *out, const json_t *result, bool verbose)
{
    static const struct metric metrics[] = {
        {"csdpdk_port_connected", "gauge", "Whether the vhost-user port's socket is connected (1) or not (0).", "connected", false},
        {"csdpdk_port_queues", "gauge", "Rx queues of the vhost-user port (vrings / 2).", "queues", false},
        {"csdpdk_port_cross_numa", "gauge", "Whether a queue of the port is polled by a PMD of another NUMA node than the port's (1) or not (0).", "cross_numa", false},
        {"csdpdk_port_unpolled", "gauge", "Whether a queue of the port is polled by no PMD thread (1) or not (0).", "unpolled", false},
        {"csdpdk_port_rx_packets_total", "counter", "Packets OVS received from the VM on the port.", "rx_packets", true},
        {"csdpdk_port_rx_bytes_total", "counter", "Bytes OVS received from the VM on the port.", "rx_bytes", true},
        {"csdpdk_port_rx_dropped_total", "counter", "Packets from the VM that OVS dropped on the port.", "rx_dropped", true},
        {"csdpdk_port_tx_packets_total", "counter", "Packets OVS sent to the VM on the port.", "tx_packets", true},
        {"csdpdk_port_tx_bytes_total", "counter", "Bytes OVS sent to the VM on the port.", "tx_bytes", true},
        {"csdpdk_port_tx_dropped_total", "counter", "Packets for the VM that OVS dropped on the port.", "tx_dropped", true},
    };
    (void) verbose;
    const json_t *ports = json_object_get(result, "ports");
    size_t i, n_cross = 0, n_connected = 0;
    json_t *p;
    json_array_foreach(ports, i, p) {
        n_cross += json_is_true(json_object_get(p, "cross_numa"));
        n_connected += json_is_true(json_object_get(p, "connected"));
    }
    fprintf(out, "# HELP csdpdk_ports vhost-user ports on the switch.\n# TYPE csdpdk_ports gauge\n"
                 "csdpdk_ports %zu\n",
            json_array_size(ports));
    fprintf(out, "# HELP csdpdk_ports_connected vhost-user ports whose socket is connected.\n"
                 "# TYPE csdpdk_ports_connected gauge\ncsdpdk_ports_connected %zu\n",
            n_connected);
    fprintf(out, "# HELP csdpdk_ports_cross_numa vhost-user ports with a queue polled from another NUMA node.\n"
                 "# TYPE csdpdk_ports_cross_numa gauge\ncsdpdk_ports_cross_numa %zu\n",
            n_cross);
    const json_t *pmds = json_object_get(result, "pmds");
    fprintf(out, "# HELP csdpdk_pmd_known Whether ovs-vswitchd told its PMD threads (1) or not (0).\n"
                 "# TYPE csdpdk_pmd_known gauge\ncsdpdk_pmd_known %d\n",
            json_is_array(pmds));
    for (size_t m = 0; m < ARRAY_SIZE(metrics); m++) {
        bool head = false;
        json_array_foreach(ports, i, p) {
            const json_t *v = json_object_get(metrics[m].counter ? json_object_get(p, "counters") : p,
                                              metrics[m].member);
            if (!json_is_integer(v) && !json_is_boolean(v)) {
                continue;
            }
            if (!head) {
                fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", metrics[m].name, metrics[m].help,
                        metrics[m].name, metrics[m].type);
                head = true;
            }
            fprintf(out, "%s{", metrics[m].name);
            label(out, "port", json_string_value(json_object_get(p, "port")), false);
            label(out, "vm", json_string_value(json_object_get(p, "owner")), false);
            label(out, "mac", json_string_value(json_object_get(p, "mac")), false);
            label(out, "bridge", json_string_value(json_object_get(p, "bridge")), true);
            fprintf(out, " %lld\n", json_is_integer(v) ? (long long) json_integer_value(v)
                                                        : (long long) json_is_true(v));
        }
    }
}
