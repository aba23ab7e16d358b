/* libopenvswitch's config.h must come first in every file that uses it. */
#include <config.h>

#include "helper/ovsdb.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sha1.h"
#include "socket-util.h"
#include "stream.h"
#include "timeval.h"
#include "uuid.h"

#include "helper/failpoint.h"
#include "helper/mem.h"

#define DB_NAME "Open_vSwitch"
#define MAX_ATTEMPTS 1000 /* writes retried after a lost race; the deadline comes first */
#define PORT_NUMBER_MAX 9999999999ULL /* csdpdk-N: at most 10 digits */

const char *ovsdb_library_version(void)
{
    return VERSION;
}

struct ovsdb {
    struct jsonrpc *rpc;
    long long deadline; /* time_msec() */
    char *url;
};

static void json_destroyp(struct json **j)
{
    json_destroy(*j);
}

/* ---- building requests ---- */

static struct json *jarray(size_t n, ...)
{
    struct json *a = json_array_create_empty();
    va_list args;
    va_start(args, n);
    for (size_t i = 0; i < n; i++) {
        json_array_add(a, va_arg(args, struct json *));
    }
    va_end(args);
    return a;
}

static struct json *jstring(const char *s)
{
    return json_string_create(s);
}

/* ["set", [["uuid", U]]] and ["set", [["named-uuid", N]]] */
static struct json *uuid_set(const char *kind, const char *uuid)
{
    return jarray(2, jstring("set"), jarray(1, jarray(2, jstring(kind), jstring(uuid))));
}

/* A map from NULL-terminated key, value pairs; NULL values are left out. */
static struct json *string_map(const char *const *pairs)
{
    struct json *entries = json_array_create_empty();
    for (const char *const *p = pairs; p[0]; p += 2) {
        if (p[1]) {
            json_array_add(entries, jarray(2, jstring(p[0]), jstring(p[1])));
        }
    }
    return jarray(2, jstring("map"), entries);
}

static struct json *condition(const char *column, const char *function, struct json *value)
{
    return jarray(3, jstring(column), jstring(function), value);
}

static struct json *external_ids_includes(const char *key, const char *value)
{
    const char *pairs[] = {key, value, NULL};
    return condition("external_ids", "includes", string_map(pairs));
}

static struct json *op_select(const char *table, struct json *where, const char *const *columns)
{
    struct json *op = json_object_create();
    struct json *cols = json_array_create_empty();
    for (const char *const *c = columns; *c; c++) {
        json_array_add(cols, jstring(*c));
    }
    json_object_put_string(op, "op", "select");
    json_object_put_string(op, "table", table);
    json_object_put(op, "where", where);
    json_object_put(op, "columns", cols);
    return op;
}

/* Aborts the transaction unless exactly 'rows' match 'where' (projected on
 * 'column'): the compare-and-swap of OVSDB. */
static struct json *op_wait_equal(const char *table, struct json *where, const char *column,
                                  struct json *rows)
{
    struct json *op = json_object_create();
    json_object_put_string(op, "op", "wait");
    json_object_put(op, "timeout", json_integer_create(0));
    json_object_put_string(op, "table", table);
    json_object_put(op, "where", where);
    json_object_put(op, "columns", jarray(1, jstring(column)));
    json_object_put_string(op, "until", "==");
    json_object_put(op, "rows", rows);
    return op;
}

static struct json *op_comment(const char *comment)
{
    struct json *op = json_object_create();
    json_object_put_string(op, "op", "comment");
    json_object_put_string(op, "comment", comment);
    return op;
}

static struct json *op_mutate(const char *table, struct json *where, struct json *mutations)
{
    struct json *op = json_object_create();
    json_object_put_string(op, "op", "mutate");
    json_object_put_string(op, "table", table);
    json_object_put(op, "where", where);
    json_object_put(op, "mutations", mutations);
    return op;
}

/* ---- reading results ---- */

static const struct json *member(const struct json *j, const char *key)
{
    return j && j->type == JSON_OBJECT ? shash_find_data(json_object(j), key) : NULL;
}

static size_t array_size(const struct json *j)
{
    return j && j->type == JSON_ARRAY ? json_array(j)->n : 0;
}

static const struct json *array_at(const struct json *j, size_t i)
{
    return i < array_size(j) ? json_array(j)->elems[i] : NULL;
}

/* Is 'd' an OVSDB datum of the form ["KIND", ...] ("set", "map")? */
static bool datum_is(const struct json *d, const char *kind)
{
    return array_size(d) == 2 && array_at(d, 0)->type == JSON_STRING &&
           !strcmp(json_string(array_at(d, 0)), kind);
}

/* An OVSDB datum holding one atom: the atom itself, or ["set", [atom]]. */
static const struct json *datum_atom(const struct json *d)
{
    if (datum_is(d, "set")) {
        return array_size(array_at(d, 1)) == 1 ? array_at(array_at(d, 1), 0) : NULL;
    }
    return d;
}

static const char *datum_string(const struct json *d)
{
    d = datum_atom(d);
    return d && d->type == JSON_STRING ? json_string(d) : NULL;
}

static bool datum_integer(const struct json *d, int64_t *v)
{
    d = datum_atom(d);
    if (d && d->type == JSON_INTEGER) {
        *v = json_integer(d);
        return true;
    }
    return false;
}

/* ["uuid", "..."] */
static const char *atom_uuid(const struct json *a)
{
    return array_size(a) == 2 && array_at(a, 1)->type == JSON_STRING ? json_string(array_at(a, 1))
                                                                       : NULL;
}

static const char *datum_uuid(const struct json *d)
{
    return atom_uuid(datum_atom(d));
}

/* The value of 'key' in an OVSDB map datum ["map", [[k, v], ...]]. */
static const char *map_get(const struct json *d, const char *key)
{
    const struct json *pairs = array_at(d, 1);
    for (size_t i = 0; i < array_size(pairs); i++) {
        const struct json *k = array_at(array_at(pairs, i), 0);
        const struct json *v = array_at(array_at(pairs, i), 1);
        if (k && k->type == JSON_STRING && !strcmp(json_string(k), key) && v &&
            v->type == JSON_STRING) {
            return json_string(v);
        }
    }
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? mem_strdup(s) : NULL;
}

/* ---- the connection ---- */

static struct err *deadline_error(const struct ovsdb *db, const char *what)
{
    return err_new(ERR_TIMEOUT, NULL, "OVSDB at '%s' did not answer in time while %s", db->url,
                   what);
}

/* Connects a JSON-RPC stream to 'url' by 'deadline' (time_msec()): 0,
 * ETIMEDOUT, or the error. */
static int rpc_connect(const char *url, long long deadline, struct jsonrpc **rpc)
{
    struct stream *stream = NULL;
    int error = jsonrpc_stream_open(url, &stream, DSCP_DEFAULT);
    if (error) {
        return error;
    }
    while ((error = stream_connect(stream)) == EAGAIN) {
        if (time_msec() >= deadline) {
            stream_close(stream);
            return ETIMEDOUT;
        }
        stream_run(stream);
        stream_run_wait(stream);
        stream_connect_wait(stream);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    if (error) {
        stream_close(stream);
        return error;
    }
    *rpc = jsonrpc_open(stream);
    return 0;
}

/* Waits, until 'deadline', for the reply to the request of 'id' (answering
 * echo requests meanwhile): 0 and '*reply', ETIMEDOUT, EOF or the error. */
static int rpc_reply(struct jsonrpc *rpc, const struct json *id, long long deadline,
                     struct jsonrpc_msg **reply)
{
    int error = 0;
    while (!error) {
        struct jsonrpc_msg *msg = NULL;
        jsonrpc_run(rpc);
        error = jsonrpc_recv(rpc, &msg);
        if (error == EAGAIN) {
            if (time_msec() >= deadline) {
                return ETIMEDOUT;
            }
            jsonrpc_wait(rpc);
            jsonrpc_recv_wait(rpc);
            poll_timer_wait_until(deadline);
            poll_block();
            error = 0;
            continue;
        }
        if (error) {
            break;
        }
        if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
            error = jsonrpc_send(rpc, jsonrpc_create_reply(json_clone(msg->params), msg->id));
        } else if (msg->id && json_equal(msg->id, id)) {
            *reply = msg;
            return 0;
        }
        jsonrpc_msg_destroy(msg);
    }
    return error;
}

struct err *ovsdb_open(const char *url, double timeout, bool verbose, struct ovsdb **out)
{
    /* libopenvswitch logs to the console by default; csdpdk's stderr stays
     * empty unless asked for (the agent merges it into stdout). */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, verbose ? VLL_WARN : VLL_OFF);

    _cleanup_(ovsdb_closep) struct ovsdb *db = mem_new0(struct ovsdb, 1);
    db->url = mem_strdup(url);
    db->deadline = time_msec() + (long long) (timeout * 1000);

    int error = rpc_connect(url, db->deadline, &db->rpc);
    if (error == ETIMEDOUT) {
        return deadline_error(db, "connecting");
    }
    if (error) {
        return err_new(ERR_OVSDB_UNAVAILABLE, NULL, "cannot connect to OVSDB at '%s': %s", url,
                       ovs_strerror(error));
    }
    *out = TAKE_PTR(db);
    return NULL;
}

struct err *ovs_unixctl(const char *path, const char *command, double timeout, char **reply)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    long long deadline = time_msec() + (long long) (timeout * 1000);
    _cleanup_free_ char *url = mem_asprintf("unix:%s", path);
    struct jsonrpc *rpc = NULL;
    int error = rpc_connect(url, deadline, &rpc);
    if (!error) {
        _cleanup_(json_destroyp) struct json *id = NULL;
        struct jsonrpc_msg *msg = NULL;
        error = jsonrpc_send(rpc, jsonrpc_create_request(command, json_array_create_empty(), &id));
        if (!error) {
            error = rpc_reply(rpc, id, deadline, &msg);
        }
        jsonrpc_close(rpc);
        if (!error) {
            const struct json *text = msg->type == JSONRPC_REPLY ? msg->result : msg->error;
            struct err *e = NULL;
            if (msg->type != JSONRPC_REPLY) {
                _cleanup_free_ char *t = json_to_string(text, 0);
                e = err_new(ERR_OVSDB_ERROR, NULL, "ovs-vswitchd refused '%s': %s", command,
                            text && text->type == JSON_STRING ? json_string(text) : t);
            } else {
                *reply = mem_strdup(text && text->type == JSON_STRING ? json_string(text) : "");
            }
            jsonrpc_msg_destroy(msg);
            return e;
        }
    }
    if (error == ETIMEDOUT) {
        return err_new(ERR_TIMEOUT, NULL, "ovs-vswitchd at '%s' did not answer '%s' in time", path,
                       command);
    }
    return err_new(ERR_OVSDB_UNAVAILABLE, NULL, "cannot ask ovs-vswitchd at '%s' for '%s': %s", path,
                   command, error == EOF ? "end of file" : ovs_strerror(error));
}

long long ovsdb_time_left_ms(const struct ovsdb *db)
{
    long long left = db->deadline - time_msec();
    return left > 0 ? left : 0;
}

void ovsdb_close(struct ovsdb *db)
{
    if (db) {
        if (db->rpc) {
            jsonrpc_close(db->rpc);
        }
        free(db->url);
        free(db);
    }
}

/* Sends one 'transact' with 'ops' (an array; taken) and waits, until the
 * deadline, for its reply. '*result' is the reply's array of results. A
 * failed operation is not an error here: see txn_failure(). */
/* Does 'ops' change the database (anything but select, wait, comment,
 * assert)? For the failpoints around each commit. */
static bool changes_db(const struct json *ops)
{
    for (size_t i = 0; i < array_size(ops); i++) {
        const struct json *op = member(array_at(ops, i), "op");
        const char *name = op && op->type == JSON_STRING ? json_string(op) : "";
        if (strcmp(name, "select") && strcmp(name, "wait") && strcmp(name, "comment") &&
            strcmp(name, "assert")) {
            return true;
        }
    }
    return false;
}

static struct err *transact(struct ovsdb *db, struct json *ops, const char *what,
                            struct json **result)
{
    bool commit = changes_db(ops);
    if (commit) {
        FAILPOINT("ovsdb.before-commit");
    }
    struct json *params = json_array_create_empty();
    json_array_add(params, jstring(DB_NAME));
    for (size_t i = 0; i < array_size(ops); i++) {
        json_array_add(params, json_clone(json_array(ops)->elems[i]));
    }
    json_destroy(ops);

    _cleanup_(json_destroyp) struct json *request_id = NULL;
    struct jsonrpc_msg *request = jsonrpc_create_request("transact", params, &request_id);
    struct jsonrpc_msg *msg = NULL;
    int error = jsonrpc_send(db->rpc, request);
    if (!error) {
        error = rpc_reply(db->rpc, request_id, db->deadline, &msg);
    }
    if (error == ETIMEDOUT) {
        return deadline_error(db, what);
    }
    if (error) {
        return err_new(ERR_OVSDB_UNAVAILABLE, NULL,
                       "lost the connection to OVSDB at '%s' while %s: %s", db->url, what,
                       error == EOF ? "end of file" : ovs_strerror(error));
    }
    if (msg->type == JSONRPC_ERROR) {
        _cleanup_free_ char *text = json_to_string(msg->error, 0);
        jsonrpc_msg_destroy(msg);
        return err_new(ERR_OVSDB_ERROR, NULL, "OVSDB refused the request while %s: %s", what, text);
    }
    *result = json_clone(msg->result);
    jsonrpc_msg_destroy(msg);
    if (commit) {
        FAILPOINT("ovsdb.after-commit");
    }
    return NULL;
}

/* The first failed operation of a transaction result, if any: its index
 * (or the index past the last operation for a failed commit), its error
 * and details. */
static bool txn_failure(const struct json *result, size_t *index, const char **error,
                        const char **details)
{
    for (size_t i = 0; i < array_size(result); i++) {
        const struct json *e = member(array_at(result, i), "error");
        if (e && e->type == JSON_STRING) {
            const struct json *d = member(array_at(result, i), "details");
            *index = i;
            *error = json_string(e);
            *details = d && d->type == JSON_STRING ? json_string(d) : "";
            return true;
        }
    }
    return false;
}

/* Runs a transaction in which no operation may fail (selects, deletions,
 * untagging): a failure is a broken promise of the schema, not something a
 * caller can act on. */
static struct err *transact_checked(struct ovsdb *db, struct json *ops, const char *what,
                                 struct json **result)
{
    struct err *e = transact(db, ops, what, result);
    size_t index;
    const char *error, *details;
    if (!e && txn_failure(*result, &index, &error, &details)) {
        e = err_new(ERR_OVSDB_ERROR, NULL, "OVSDB failed while %s: %s: %s", what, error, details);
        json_destroy(*result);
        *result = NULL;
    }
    return e;
}

static const struct json *result_rows(const struct json *result, size_t i)
{
    return member(array_at(result, i), "rows");
}

/* ---- names ---- */

static struct json *key_set(const char *const *keys);

/* A readable stamp (unix seconds) less than 'grace' from 'now', either way:
 * a stamp that is not a time, or far in the future (a clock set back),
 * starts no grace that never ends. */
static bool stamp_within(const char *stamp, long long now, long long grace)
{
    if (!stamp || !*stamp) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long long when = strtoll(stamp, &end, 10);
    return !errno && !*end && when > 0 && now - when < grace && when - now < grace;
}

bool ovs_port_migration_in_flight(const struct ovs_port *p, long long now)
{
    return p->op_id && stamp_within(p->op_time, now, OVS_MIGRATION_GRACE);
}

enum ovs_port_owner ovs_port_owner(const struct ovs_port *p)
{
    if (!p->name || !ovsdb_is_port_name(p->name)) {
        return p->name && p->vm_id && p->adopted ? OVS_OWNER_VM : OVS_OWNER_FOREIGN;
    }
    if (p->vm_id) {
        return OVS_OWNER_VM;
    }
    return p->plug_time && p->mac ? OVS_OWNER_NIC : OVS_OWNER_FOREIGN;
}

const char *ovs_port_owner_name(enum ovs_port_owner owner)
{
    return owner == OVS_OWNER_VM ? "vm" : owner == OVS_OWNER_NIC ? "nic" : "none";
}

bool ovs_port_instance_is(const struct ovs_port *p, const char *prefix)
{
    return p->instance && !strncmp(p->instance, prefix, strlen(prefix));
}

bool ovs_port_unbound_recent(const struct ovs_port *p, long long now)
{
    return ovs_port_owner(p) == OVS_OWNER_NIC && stamp_within(p->plug_time, now, OVS_PLUG_GRACE);
}

bool ovs_port_plugged_recent(const struct ovs_port *p, long long now)
{
    return ovs_port_owner(p) == OVS_OWNER_VM && stamp_within(p->plug_time, now, OVS_PLUG_GRACE);
}

bool ovs_port_plug_stamp_fresh(const struct ovs_port *p, long long now)
{
    return stamp_within(p->plug_time, now, OVS_PLUG_GRACE / 2);
}

char *ovs_port_socket(const struct ovs_port *p, const char *socket_dir)
{
    if (!p->type || !p->name) {
        return NULL;
    }
    if (!strcmp(p->type, "dpdkvhostuserclient")) {
        return dup_or_null(p->server_path);
    }
    if (!strcmp(p->type, "dpdkvhostuser")) {
        return mem_asprintf("%s/%s", socket_dir, p->name);
    }
    return NULL;
}

bool ovsdb_is_port_name(const char *name)
{
    size_t prefix = strlen(OVSDB_PORT_PREFIX);
    size_t digits = strspn(name + (strncmp(name, OVSDB_PORT_PREFIX, prefix) ? 0 : prefix),
                           "0123456789");
    return !strncmp(name, OVSDB_PORT_PREFIX, prefix) && digits >= 1 && digits <= 10 &&
           name[prefix + digits] == '\0';
}

bool ovsdb_port_number(const char *name, uint64_t *n)
{
    if (!ovsdb_is_port_name(name)) {
        return false;
    }
    *n = strtoull(name + strlen(OVSDB_PORT_PREFIX), NULL, 10);
    return true;
}

static char *port_name(uint64_t n)
{
    return mem_asprintf(OVSDB_PORT_PREFIX "%" PRIu64, n);
}

void ovsdb_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/* ---- row UUIDs from MACs ---- */

/* csdpdk chooses the UUIDs of the rows it inserts: a name-based UUID
 * (version 5 layout, SHA-1) of the table and the MAC. OVSDB indexes _uuid
 * and nothing else, so looking a NIC's port up by MAC is one hash lookup,
 * whatever the number of ports; and a second port for a MAC cannot exist,
 * as OVSDB refuses a duplicate UUID. */
static void mac_uuid(const char *table, const char *mac, char out[37])
{
    uint8_t digest[SHA1_DIGEST_SIZE];
    char name[64];
    int len = snprintf(name, sizeof name, "csdpdk:%s:%s", table, mac);
    sha1_bytes(name, len < (int) sizeof name ? (size_t) len : sizeof name - 1, digest);
    digest[6] = (uint8_t) ((digest[6] & 0x0f) | 0x50);
    digest[8] = (uint8_t) ((digest[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
             digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14],
             digest[15]);
}

/* ---- selecting ports ---- */

static void port_clear(struct ovs_port *p)
{
    free(p->name);
    free(p->port_uuid);
    free(p->port_name);
    free(p->iface_uuid);
    free(p->bridge);
    free(p->type);
    free(p->server_path);
    free(p->vm_id);
    free(p->mac);
    free(p->iface_id);
    free(p->op_id);
    free(p->op_time);
    free(p->plug_time);
    free(p->adopted);
    free(p->instance);
    free(p->ids_read);
    free(p->status_link);
    free(p->status_mode);
    free(p->status_socket);
    free(p->status_numa);
    free(p->status_features);
    free(p->error);
    free(p->link_state);
}

const struct ovs_port *ovs_port_list_find(const struct ovs_port_list *list, const char *name)
{
    for (size_t i = 0; name && i < list->n; i++) {
        if (list->ports[i].name && !strcmp(list->ports[i].name, name)) {
            return &list->ports[i];
        }
    }
    return NULL;
}

void ovs_port_list_clear(struct ovs_port_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        port_clear(&list->ports[i]);
    }
    free(list->ports);
    *list = (struct ovs_port_list){0};
}

static const char *const iface_columns[] = {"_uuid", "name", "type", "options", "external_ids",
                                            NULL};
static const char *const iface_status_columns[] = {"_uuid", "name", "type", "options",
                                                   "external_ids", "status", "error",
                                                   "link_state", "ofport", "statistics", NULL};

/* The integer of 'key' in the map 'd' of string -> integer, or -1. */
static int64_t map_integer(const struct json *d, const char *key)
{
    const struct json *pairs = d && datum_is(d, "map") ? array_at(d, 1) : NULL;
    for (size_t i = 0; i < array_size(pairs); i++) {
        const struct json *pair = array_at(pairs, i);
        const struct json *k = array_at(pair, 0), *v = array_at(pair, 1);
        if (k && k->type == JSON_STRING && !strcmp(json_string(k), key) && v &&
            v->type == JSON_INTEGER) {
            return v->integer;
        }
    }
    return -1;
}

static struct json *query_where(const struct ovs_select *q)
{
    switch (q->kind) {
    case OVS_SELECT_VM:
        return jarray(1, external_ids_includes(OVS_KEY_VM, q->value));
    case OVS_SELECT_MAC: {
        char uuid[37];
        mac_uuid("Interface", q->value, uuid);
        return jarray(1, condition("_uuid", "==", jarray(2, jstring("uuid"), jstring(uuid))));
    }
    case OVS_SELECT_OP:
        return jarray(1, external_ids_includes(OVS_KEY_OP, q->value));
    case OVS_SELECT_NAME:
        return jarray(1, condition("name", "==", jstring(q->value)));
    case OVS_SELECT_SOCKET: {
        const char *pair[] = {"vhost-server-path", q->value, NULL};
        return jarray(1, condition("options", "includes", string_map(pair)));
    }
    case OVS_SELECT_VHOST:
        break;
    }
    return NULL;
}

static struct ovs_port *find_iface(struct ovs_port_list *list, const char *uuid)
{
    for (size_t i = 0; i < list->n; i++) {
        if (list->ports[i].iface_uuid && !strcmp(list->ports[i].iface_uuid, uuid)) {
            return &list->ports[i];
        }
    }
    return NULL;
}

static void read_port_row(struct ovs_port *p, const struct json *row)
{
    int64_t tag;
    const char *mode = datum_string(member(row, "vlan_mode"));

    free(p->port_uuid);
    p->port_uuid = dup_or_null(datum_uuid(member(row, "_uuid")));
    free(p->port_name);
    p->port_name = dup_or_null(datum_string(member(row, "name")));
    p->vlan = datum_integer(member(row, "tag"), &tag) && (!mode || !strcmp(mode, "access"))
                  ? (int) tag : 0;
}

static void read_iface_row(struct ovs_port *p, const struct json *row, unsigned flags)
{
    bool with_status = flags & OVS_SELECT_WITH_STATUS;
    const struct json *ids = member(row, "external_ids");
    const struct json *status = member(row, "status");
    int64_t ofport;

    p->name = dup_or_null(datum_string(member(row, "name")));
    p->iface_uuid = dup_or_null(datum_uuid(member(row, "_uuid")));
    p->type = dup_or_null(datum_string(member(row, "type")));
    p->server_path = dup_or_null(map_get(member(row, "options"), "vhost-server-path"));
    p->vm_id = dup_or_null(map_get(ids, OVS_KEY_VM));
    /* Another tool may have written it in upper case; csdpdk compares lower. */
    p->mac = mem_lower(dup_or_null(map_get(ids, OVS_KEY_MAC)));
    p->iface_id = dup_or_null(map_get(ids, OVS_KEY_IFACE));
    p->op_id = dup_or_null(map_get(ids, OVS_KEY_OP));
    p->op_time = dup_or_null(map_get(ids, OVS_KEY_OP_TIME));
    p->plug_time = dup_or_null(map_get(ids, OVS_KEY_PLUG_TIME));
    p->adopted = dup_or_null(map_get(ids, OVS_KEY_ADOPTED));
    p->instance = dup_or_null(map_get(ids, OVS_KEY_INSTANCE));
    p->ids_read = flags & OVS_SELECT_WITH_IDS && ids ? json_to_string(ids, 0) : NULL;
    p->ofport = -1;
    p->queues = -1;
    p->vrings_ready = 0;
    p->rx_packets = p->rx_bytes = p->rx_dropped = p->tx_packets = p->tx_bytes = p->tx_dropped = -1;
    if (!with_status) {
        return;
    }
    p->status_link = dup_or_null(map_get(status, "status"));
    p->status_mode = dup_or_null(map_get(status, "mode"));
    p->status_socket = dup_or_null(map_get(status, "socket"));
    p->status_numa = dup_or_null(map_get(status, "numa"));
    p->status_features = dup_or_null(map_get(status, "features"));
    const char *vrings = map_get(status, "num_of_vrings");
    p->queues = vrings ? atoi(vrings) / 2 : -1;
    for (int i = 0; vrings && i < atoi(vrings) && i < 1024; i++) {
        char key[32];
        snprintf(key, sizeof key, "vring_%d_size", i);
        const char *size = map_get(status, key);
        p->vrings_ready += size && atoi(size) > 0;
    }
    p->error = dup_or_null(datum_string(member(row, "error")));
    p->link_state = dup_or_null(datum_string(member(row, "link_state")));
    p->ofport = datum_integer(member(row, "ofport"), &ofport) ? ofport : -1;
    const struct json *stats = member(row, "statistics");
    p->rx_packets = map_integer(stats, "rx_packets");
    p->rx_bytes = map_integer(stats, "rx_bytes");
    p->rx_dropped = map_integer(stats, "rx_dropped");
    p->tx_packets = map_integer(stats, "tx_packets");
    p->tx_bytes = map_integer(stats, "tx_bytes");
    p->tx_dropped = map_integer(stats, "tx_dropped");
}

static int port_compare(const void *a_, const void *b_)
{
    const struct ovs_port *a = a_, *b = b_;
    uint64_t na, nb;
    /* csdpdk-2 before csdpdk-10. */
    if (ovsdb_port_number(a->name, &na) && ovsdb_port_number(b->name, &nb) && na != nb) {
        return na < nb ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* Does the set datum 'd' (one uuid, or ["set", [uuid...]]) hold 'uuid'? */
static bool uuid_set_has(const struct json *d, const char *uuid)
{
    const char *one = datum_uuid(d);
    if (one) {
        return !strcmp(one, uuid);
    }
    const struct json *elems = array_at(d, 1);
    for (size_t i = 0; i < array_size(elems); i++) {
        const char *u = atom_uuid(array_at(elems, i));
        if (u && !strcmp(u, uuid)) {
            return true;
        }
    }
    return false;
}

/* Up to this many ports are completed one by one (a scan of Port each);
 * past it, the Port and Bridge tables are read once and joined here. */
#define COMPLETE_ONE_BY_ONE_MAX 8

static const char *const port_columns[] = {"_uuid", "name", "tag", "vlan_mode", "interfaces", NULL};

/* The Port holding the Interface of 'p': for a port csdpdk made, the row
 * whose UUID its MAC gives (an indexed lookup); otherwise the one whose
 * interfaces include it (a scan of the Port table). */
static struct json *port_query(const struct ovs_port *p, bool by_mac)
{
    if (by_mac) {
        char uuid[37];
        mac_uuid("Port", p->mac, uuid);
        return op_select("Port", jarray(1, condition("_uuid", "==", jarray(2, jstring("uuid"), jstring(uuid)))),
                         port_columns);
    }
    return op_select("Port", jarray(1, condition("interfaces", "includes", uuid_set("uuid", p->iface_uuid))),
                     port_columns);
}

static struct err *complete_few(struct ovsdb *db, struct ovs_port_list *list)
{
    struct json *ops = json_array_create_empty();
    for (size_t i = 0; i < list->n; i++) {
        /* attached-mac as csdpdk writes it: 17 characters. */
        const char *mac = list->ports[i].mac;
        json_array_add(ops, port_query(&list->ports[i], mac && strlen(mac) == 17));
    }
    _cleanup_(json_destroyp) struct json *ports = NULL;
    struct err *e = transact_checked(db, ops, "reading ports", &ports);
    if (e) {
        return e;
    }
    /* A MAC's row that is not this Interface's Port (a port made by hand
     * with csdpdk's tags): look again the slow way. */
    _cleanup_free_ size_t *again = mem_new0(size_t, list->n + 1);
    size_t n_again = 0;
    ops = json_array_create_empty();
    for (size_t i = 0; i < list->n; i++) {
        struct ovs_port *p = &list->ports[i];
        const struct json *row = array_at(result_rows(ports, i), 0);
        if (row && uuid_set_has(member(row, "interfaces"), p->iface_uuid)) {
            read_port_row(p, row);
        } else if (p->mac && strlen(p->mac) == 17) {
            again[n_again++] = i;
            json_array_add(ops, port_query(p, false));
        }
    }
    _cleanup_(json_destroyp) struct json *slow = NULL;
    if (n_again && (e = transact_checked(db, ops, "reading ports", &slow))) {
        return e;
    }
    if (!n_again) {
        json_destroy(ops);
    }
    for (size_t k = 0; k < n_again; k++) {
        const struct json *row = array_at(result_rows(slow, k), 0);
        if (row) {
            read_port_row(&list->ports[again[k]], row);
        }
    }
    ops = json_array_create_empty();
    for (size_t i = 0; i < list->n; i++) {
        struct ovs_port *p = &list->ports[i];
        const char *uuid = p->port_uuid ? p->port_uuid : "00000000-0000-0000-0000-000000000000";
        json_array_add(ops, op_select("Bridge",
                                      jarray(1, condition("ports", "includes", uuid_set("uuid", uuid))),
                                      (const char *const[]){"name", NULL}));
    }
    _cleanup_(json_destroyp) struct json *bridges = NULL;
    e = transact_checked(db, ops, "reading bridges", &bridges);
    if (e) {
        return e;
    }
    for (size_t i = 0; i < list->n; i++) {
        const char *name = datum_string(member(array_at(result_rows(bridges, i), 0), "name"));
        list->ports[i].bridge = dup_or_null(name);
    }
    return NULL;
}

static struct err *complete_many(struct ovsdb *db, struct ovs_port_list *list)
{
    struct json *ops = jarray(2, op_select("Port", json_array_create_empty(), port_columns),
                              op_select("Bridge", json_array_create_empty(),
                                        (const char *const[]){"name", "ports", NULL}));
    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact_checked(db, ops, "reading ports and bridges", &result);
    if (e) {
        return e;
    }
    const struct json *ports = result_rows(result, 0);
    const struct json *bridges = result_rows(result, 1);
    for (size_t r = 0; r < array_size(ports); r++) {
        const struct json *row = array_at(ports, r);
        const struct json *ifaces = member(row, "interfaces");
        for (size_t i = 0; i < list->n; i++) {
            struct ovs_port *p = &list->ports[i];
            if (!p->port_uuid && uuid_set_has(ifaces, p->iface_uuid)) {
                read_port_row(p, row);
            }
        }
    }
    for (size_t i = 0; i < list->n; i++) {
        struct ovs_port *p = &list->ports[i];
        for (size_t b = 0; p->port_uuid && b < array_size(bridges) && !p->bridge; b++) {
            const struct json *row = array_at(bridges, b);
            if (uuid_set_has(member(row, "ports"), p->port_uuid)) {
                p->bridge = dup_or_null(datum_string(member(row, "name")));
            }
        }
    }
    return NULL;
}

struct err *ovsdb_ports_select(struct ovsdb *db, const struct ovs_select *queries, size_t n_queries,
                               unsigned flags, struct ovs_port_list *out)
{
    bool with_status = flags & OVS_SELECT_WITH_STATUS;
    const char *const *columns = with_status ? iface_status_columns : iface_columns;
    struct json *ops = json_array_create_empty();

    /* Only the Interface table is searched: it carries csdpdk's tags, and
     * its name is the port's (CloudStack's own ports included). Each
     * condition is a scan of the table: OVSDB indexes _uuid only. */
    for (size_t i = 0; i < n_queries; i++) {
        const struct ovs_select *q = &queries[i];
        if (q->kind == OVS_SELECT_VHOST) {
            static const char *const types[] = {"dpdkvhostuser", "dpdkvhostuserclient"};
            for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
                json_array_add(ops, op_select("Interface",
                                              jarray(1, condition("type", "==", jstring(types[t]))),
                                              columns));
            }
        } else {
            json_array_add(ops, op_select("Interface", query_where(q), columns));
        }
    }

    /* The bridges' index of adopted ports, for MACs csdpdk did not make
     * a port for (a select of the few Bridge rows). */
    size_t n_macs = 0;
    for (size_t i = 0; i < n_queries; i++) {
        n_macs += queries[i].kind == OVS_SELECT_MAC;
    }
    if (n_macs) {
        json_array_add(ops, op_select("Bridge", json_array_create_empty(),
                                      (const char *const[]){"external_ids", NULL}));
    }

    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact_checked(db, ops, "looking ports up", &result);
    if (e) {
        return e;
    }
    size_t n_results = array_size(result) - (n_macs ? 1 : 0);

    /* A MAC without the port of its row UUID: an adopted port, found
     * through its bridge's index (one indexed select each). Every bridge's
     * entry is looked up: one left behind on another bridge (its port
     * removed by CloudStack's own del-port) selects nothing, and must not
     * hide the live one. */
    _cleanup_(json_destroyp) struct json *scanned = NULL;
    const struct json *bridges = n_macs ? result_rows(result, n_results) : NULL;
    struct json *adopted = json_array_create_empty();
    for (size_t i = 0, r = 0; array_size(bridges) && i < n_queries; i++) {
        if (queries[i].kind == OVS_SELECT_MAC && !array_size(result_rows(result, r))) {
            _cleanup_free_ char *key = mem_asprintf(OVSDB_ADOPTED_PREFIX "%s", queries[i].value);
            for (size_t b = 0; b < array_size(bridges); b++) {
                const char *uuid = map_get(member(array_at(bridges, b), "external_ids"), key);
                struct uuid ignored;
                /* One edited by hand into no UUID would fail the select. */
                if (uuid && uuid_from_string(&ignored, uuid)) {
                    json_array_add(adopted,
                                   op_select("Interface",
                                             jarray(1, condition("_uuid", "==",
                                                                 jarray(2, jstring("uuid"), jstring(uuid)))),
                                             columns));
                }
            }
        }
        r += queries[i].kind == OVS_SELECT_VHOST ? 2 : 1;
    }
    if (array_size(adopted)) {
        if ((e = transact_checked(db, adopted, "looking adopted ports up", &scanned))) {
            return e;
        }
    } else {
        json_destroy(adopted);
    }

    struct ovs_port_list list = {0};
    size_t n_alloc = 0;
    for (size_t k = 0; k < n_results + array_size(scanned); k++) {
        const struct json *rows = k < n_results ? result_rows(result, k)
                                                : result_rows(scanned, k - n_results);
        for (size_t r = 0; r < array_size(rows); r++) {
            const char *uuid = datum_uuid(member(array_at(rows, r), "_uuid"));
            if (uuid && !find_iface(&list, uuid)) {
                mem_grow((void **) &list.ports, &n_alloc, list.n + 1, sizeof *list.ports);
                struct ovs_port *p = &list.ports[list.n++];
                *p = (struct ovs_port){0};
                read_iface_row(p, array_at(rows, r), flags);
            }
        }
    }

    if (list.n) {
        e = list.n <= COMPLETE_ONE_BY_ONE_MAX ? complete_few(db, &list) : complete_many(db, &list);
    }
    if (e) {
        ovs_port_list_clear(&list);
        return e;
    }
    if (list.n) {
        qsort(list.ports, list.n, sizeof *list.ports, port_compare);
    }
    *out = list;
    return NULL;
}

struct err *ovsdb_bridges_check(struct ovsdb *db, const char *const *names, size_t n, int *missing)
{
    struct json *ops = json_array_create_empty();
    for (size_t i = 0; i < n; i++) {
        json_array_add(ops, op_select("Bridge", jarray(1, condition("name", "==", jstring(names[i]))),
                                      (const char *const[]){"name", NULL}));
    }
    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact_checked(db, ops, "looking bridges up", &result);
    if (e) {
        return e;
    }
    *missing = -1;
    for (size_t i = 0; i < n && *missing < 0; i++) {
        if (array_size(result_rows(result, i)) == 0) {
            *missing = (int) i;
        }
    }
    return NULL;
}

/* ---- creating ports ---- */

/* What decides the next names: Open_vSwitch.external_ids as read (the
 * compare-and-swap value) and the hint in it. */
struct name_state {
    struct json *external_ids; /* the datum, as read */
    uint64_t next;             /* the first number to try */
};

static void name_state_clear(struct name_state *s)
{
    json_destroy(s->external_ids);
    s->external_ids = NULL;
}

/* The highest csdpdk-N in use plus one: read once per host, when there is
 * no hint yet, so that numbers continue after CloudStack's own ports. */
static struct err *scan_next_number(struct ovsdb *db, uint64_t *next)
{
    struct json *ops = jarray(2, op_select("Interface", json_array_create_empty(),
                                           (const char *const[]){"name", NULL}),
                              op_select("Port", json_array_create_empty(),
                                        (const char *const[]){"name", NULL}));
    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact_checked(db, ops, "scanning port names", &result);
    if (e) {
        return e;
    }
    uint64_t max = 0;
    for (size_t t = 0; t < 2; t++) {
        const struct json *rows = result_rows(result, t);
        for (size_t r = 0; r < array_size(rows); r++) {
            uint64_t n;
            const char *name = datum_string(member(array_at(rows, r), "name"));
            if (name && ovsdb_port_number(name, &n) && n > max) {
                max = n;
            }
        }
    }
    *next = max + 1;
    return NULL;
}

/* The Open_vSwitch row: the first row of the first result of RESULT. */
static struct err *switch_row(const struct ovsdb *db, const struct json *result,
                              const struct json **row)
{
    *row = array_at(result_rows(result, 0), 0);
    if (!*row) {
        return err_new(ERR_OVSDB_ERROR, NULL,
                       "OVSDB at '%s' has no Open_vSwitch row (is the database initialised?)", db->url);
    }
    return NULL;
}

static struct err *read_name_state(struct ovsdb *db, struct name_state *s)
{
    name_state_clear(s);
    struct json *ops = jarray(1, op_select(DB_NAME, json_array_create_empty(),
                                           (const char *const[]){"external_ids", NULL}));
    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact_checked(db, ops, "reading the Open_vSwitch row", &result);
    if (e) {
        return e;
    }
    const struct json *row;
    if ((e = switch_row(db, result, &row))) {
        return e;
    }
    /* The compare-and-swap sends it back: only a map will do (only a broken
     * server sends anything else). */
    const struct json *external_ids = member(row, "external_ids");
    if (!datum_is(external_ids, "map") || array_at(external_ids, 1)->type != JSON_ARRAY) {
        return err_new(ERR_OVSDB_ERROR, NULL,
                       "OVSDB at '%s' sent an Open_vSwitch row whose external_ids is not a map", db->url);
    }
    s->external_ids = json_clone(external_ids);

    const char *hint = map_get(s->external_ids, OVSDB_NEXT_PORT_KEY);
    char *end = NULL;
    uint64_t n = hint ? strtoull(hint, &end, 10) : 0;
    if (hint && *hint && !*end && n >= 1 && n < 10000000000ULL) {
        s->next = n;
        return NULL;
    }
    return scan_next_number(db, &s->next);
}

static struct json *insert_ops(const struct ovs_port_spec *spec, const char *name, size_t i)
{
    char iface_ref[32], port_ref[32];
    snprintf(iface_ref, sizeof iface_ref, "iface%zu", i);
    snprintf(port_ref, sizeof port_ref, "port%zu", i);

    const char *ids[] = {OVS_KEY_MAC, spec->mac, OVS_KEY_OP, spec->op_id,
                         OVS_KEY_OP_TIME, spec->op_time, OVS_KEY_PLUG_TIME, spec->plug_time,
                         OVS_KEY_IFACE, spec->iface_id, OVS_KEY_VM, spec->vm_id, NULL};
    _cleanup_free_ char *path = spec->socket_dir ? mem_asprintf("%s/%s", spec->socket_dir, name)
                                                 : NULL;
    const char *options[] = {"vhost-server-path", path, NULL};

    struct json *iface = json_object_create();
    json_object_put_string(iface, "name", name);
    json_object_put_string(iface, "type", spec->type);
    json_object_put(iface, "options", string_map(options));
    json_object_put(iface, "external_ids", string_map(ids));

    struct json *port = json_object_create();
    json_object_put_string(port, "name", name);
    json_object_put(port, "interfaces", uuid_set("named-uuid", iface_ref));
    json_object_put(port, "external_ids", string_map(ids));
    if (spec->vlan) {
        json_object_put(port, "tag", json_integer_create(spec->vlan));
        json_object_put_string(port, "vlan_mode", "access");
    }

    char iface_uuid[37], port_uuid[37];
    mac_uuid("Interface", spec->mac, iface_uuid);
    mac_uuid("Port", spec->mac, port_uuid);

    struct json *insert_iface = json_object_create();
    json_object_put_string(insert_iface, "op", "insert");
    json_object_put_string(insert_iface, "table", "Interface");
    json_object_put(insert_iface, "row", iface);
    json_object_put_string(insert_iface, "uuid", iface_uuid);
    json_object_put_string(insert_iface, "uuid-name", iface_ref);

    struct json *insert_port = json_object_create();
    json_object_put_string(insert_port, "op", "insert");
    json_object_put_string(insert_port, "table", "Port");
    json_object_put(insert_port, "row", port);
    json_object_put_string(insert_port, "uuid", port_uuid);
    json_object_put_string(insert_port, "uuid-name", port_ref);

    struct json *attach = op_mutate("Bridge",
                                    jarray(1, condition("name", "==", jstring(spec->bridge))),
                                    jarray(1, jarray(3, jstring("ports"), jstring("insert"),
                                                     uuid_set("named-uuid", port_ref))));
    return jarray(3, insert_iface, insert_port, attach);
}

/* Whether n names from csdpdk-'base' on stay within csdpdk-N's 10 digits. */
static struct err *names_fit(uint64_t base, size_t n)
{
    return base >= 1 && base + n - 1 <= PORT_NUMBER_MAX
               ? NULL
               : err_new(ERR_OVSDB_ERROR, NULL, "no free csdpdk-N name up to csdpdk-%llu",
                         (unsigned long long) PORT_NUMBER_MAX);
}

enum attempt_outcome {
    ATTEMPT_DONE,
    ATTEMPT_RACE,  /* the hint moved under us: read it again */
    ATTEMPT_CLASH, /* a name is taken by a port the hint did not know of */
};

/* The number of the csdpdk-N a failed insert clashed with, from OVSDB's
 * details ("... identical values (\"csdpdk-7\") for index on column
 * \"name\" ..."), or 0 if they do not say. */
static uint64_t clashing_number(const char *details)
{
    const char *p = strstr(details, "(\"" OVSDB_PORT_PREFIX);
    uint64_t n = 0;
    if (p) {
        char name[OVSDB_PORT_NAME_MAX + 1];
        size_t len = strcspn(p + 2, "\"");
        if (len < sizeof name) {
            memcpy(name, p + 2, len);
            name[len] = '\0';
            if (!ovsdb_port_number(name, &n)) {
                n = 0;
            }
        }
    }
    return n;
}

/* The naming hint's compare-and-swap: the Open_vSwitch row's whole
 * external_ids as 's' read them (the wait fails with "timed out" if another
 * writer changed them). */
static struct json *op_hint_unchanged(const struct name_state *s)
{
    struct json *row = json_object_create();
    json_object_put(row, "external_ids", json_clone(s->external_ids));
    return op_wait_equal(DB_NAME, json_array_create_empty(), "external_ids", jarray(1, row));
}

/* The naming hint set to 'next'. */
static struct json *op_hint_set(uint64_t next)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRIu64, next);
    const char *pair[] = {OVSDB_NEXT_PORT_KEY, text, NULL};
    return op_mutate(DB_NAME, json_array_create_empty(),
                     jarray(2,
                            jarray(3, jstring("external_ids"), jstring("delete"),
                                   key_set((const char *const[]){OVSDB_NEXT_PORT_KEY, NULL})),
                            jarray(3, jstring("external_ids"), jstring("insert"), string_map(pair))));
}

static struct err *try_create(struct ovsdb *db, const struct ovs_port_spec *specs, size_t n,
                              const char *comment, const struct name_state *s,
                              const uint64_t *numbers, enum attempt_outcome *outcome,
                              uint64_t *clash)
{
    struct json *ops = json_array_create_empty();
    json_array_add(ops, op_comment(comment));

    /* Compare-and-swap on the hint: the whole external_ids map as read. */
    json_array_add(ops, op_hint_unchanged(s));
    size_t first_bridge_wait = array_size(ops);

    /* Each bridge must still be there, or OVSDB would drop the new,
     * unreferenced rows at commit and report success. */
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++) {
            seen |= !strcmp(specs[i].bridge, specs[j].bridge);
        }
        if (!seen) {
            struct json *brow = json_object_create();
            json_object_put_string(brow, "name", specs[i].bridge);
            json_array_add(ops, op_wait_equal("Bridge",
                                              jarray(1, condition("name", "==",
                                                                  jstring(specs[i].bridge))),
                                              "name", jarray(1, brow)));
        }
    }
    size_t first_insert = array_size(ops);

    uint64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *name = port_name(numbers[i]);
        struct json *three = insert_ops(&specs[i], name, i);
        for (size_t k = 0; k < 3; k++) {
            json_array_add(ops, json_clone(json_array(three)->elems[k]));
        }
        json_destroy(three);
        last = numbers[i] > last ? numbers[i] : last;
    }

    json_array_add(ops, op_hint_set(last + 1));

    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact(db, ops, "creating ports", &result);
    if (e) {
        return e;
    }

    size_t index;
    const char *error, *details;
    if (!txn_failure(result, &index, &error, &details)) {
        *outcome = ATTEMPT_DONE;
        return NULL;
    }
    if (!strcmp(error, "timed out") && index == first_bridge_wait - 1) {
        *outcome = ATTEMPT_RACE;
        return NULL;
    }
    if (!strcmp(error, "timed out") && index >= first_bridge_wait && index < first_insert) {
        return err_new(ERR_UNKNOWN_BRIDGE, NULL,
                       "a bridge was removed while its ports were being created");
    }
    if (!strcmp(error, "constraint violation") && strstr(details, "index on column \"name\"")) {
        *outcome = ATTEMPT_CLASH;
        *clash = clashing_number(details);
        return NULL;
    }
    if (!strcmp(error, "duplicate uuid")) {
        return err_new(ERR_PORT_CONFLICT, NULL,
                       "a port for one of these MACs was created meanwhile (by another plug)");
    }
    return err_new(ERR_OVSDB_ERROR, NULL, "OVSDB refused to create the ports: %s: %s", error,
                   details);
}

struct err *ovsdb_ports_create(struct ovsdb *db, const struct ovs_port_spec *specs, size_t n,
                               const char *comment, char ***names_out)
{
    _cleanup_free_ uint64_t *numbers = mem_new0(uint64_t, n + 1);
    _cleanup_(name_state_clear) struct name_state s = {0};
    uint64_t base = 0; /* the first number to try */
    uint64_t step = 1; /* how far past a clash the next try starts */

    struct err *e = read_name_state(db, &s);
    base = s.next;
    for (int attempt = 0; !e && attempt < MAX_ATTEMPTS; attempt++) {
        /* Every name within csdpdk-N's 10 digits, whatever the hint says. */
        if ((e = names_fit(base, n))) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            numbers[i] = base + i;
        }
        enum attempt_outcome outcome = ATTEMPT_RACE;
        uint64_t clash = 0;
        e = try_create(db, specs, n, comment, &s, numbers, &outcome, &clash);
        if (e) {
            break;
        }
        switch (outcome) {
        case ATTEMPT_DONE: {
            char **names = mem_new0(char *, n);
            for (size_t i = 0; i < n; i++) {
                names[i] = port_name(numbers[i]);
            }
            *names_out = names;
            return NULL;
        }
        case ATTEMPT_RACE:
            e = read_name_state(db, &s);
            base = s.next;
            step = 1;
            break;
        case ATTEMPT_CLASH:
            /* Someone else (CloudStack's own code, an operator) took a name
             * the hint did not know of. No scan for free names (OVSDB
             * indexes _uuid only): try past the clash, twice as far each
             * time, so that a run of k foreign names costs about log2(k)
             * attempts. The hint stays as read, so the compare-and-swap
             * still holds; the commit moves it past the new names. */
            base = (clash >= base ? clash : base + n - 1) + step;
            step = step < (1u << 20) ? step * 2 : step;
            break;
        }
    }
    return e ? e : err_new(ERR_TIMEOUT, NULL, "gave up creating ports after %d attempts",
                           MAX_ATTEMPTS);
}

struct err *ovsdb_ports_predict(struct ovsdb *db, size_t n, char ***names_out)
{
    _cleanup_(name_state_clear) struct name_state s = {0};
    struct err *e = read_name_state(db, &s);
    if (!e) {
        e = names_fit(s.next, n);
    }
    if (e) {
        return e;
    }
    char **names = mem_new0(char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        names[i] = port_name(s.next + i);
    }
    *names_out = names;
    return NULL;
}

/* ---- deleting ports ---- */

/* The mutation of the bridge holding Port 'port_uuid' that removes the
 * index entry of the adopted port of 'mac' and, unless 'iface_uuid' is
 * NULL, writes it anew. Before the port leaves its bridge. */
static struct json *adopted_index_op(const char *port_uuid, const char *mac, const char *iface_uuid)
{
    _cleanup_free_ char *key = mem_asprintf(OVSDB_ADOPTED_PREFIX "%s", mac);
    struct json *mutations = jarray(1, jarray(3, jstring("external_ids"), jstring("delete"),
                                              jarray(2, jstring("set"), jarray(1, jstring(key)))));
    if (iface_uuid) {
        const char *pair[] = {key, iface_uuid, NULL};
        json_array_add(mutations, jarray(3, jstring("external_ids"), jstring("insert"), string_map(pair)));
    }
    return op_mutate("Bridge", jarray(1, condition("ports", "includes", uuid_set("uuid", port_uuid))),
                     mutations);
}

/* A wait for port 'p''s Interface to hold the external_ids it was read
 * with (OVS_SELECT_WITH_IDS): it fails when they changed, or when the
 * row is gone. */
static struct json *op_wait_ids_unchanged(const struct ovs_port *p)
{
    struct json *ids = p->ids_read ? json_from_string(p->ids_read)
                                   : jarray(2, jstring("map"), json_array_create_empty());
    struct json *row = json_object_create();
    json_object_put(row, "external_ids", ids);
    return op_wait_equal("Interface",
                         jarray(1, condition("_uuid", "==", jarray(2, jstring("uuid"), jstring(p->iface_uuid)))),
                         "external_ids", jarray(1, row));
}

/* The operations that remove the ports (after 'ops' so far); with
 * 'unchanged', each first waits for its Interface's external_ids as read. */
static void delete_ops(struct json *ops, const struct ovs_port *ports, size_t n, bool unchanged)
{
    for (size_t i = 0; i < n; i++) {
        if (!ports[i].port_uuid) {
            continue;
        }
        if (unchanged && ports[i].iface_uuid) {
            json_array_add(ops, op_wait_ids_unchanged(&ports[i]));
        }
        const char *name = ports[i].port_name ? ports[i].port_name : ports[i].name;
        if (name) {
            /* A Port's UUID comes from its MAC: the row may be another
             * port's by now (this one removed, a new one made for the
             * MAC). Nothing goes then; a row gone is fine. */
            json_array_add(ops, op_wait_equal("Port",
                                              jarray(2, condition("_uuid", "==", jarray(2, jstring("uuid"), jstring(ports[i].port_uuid))),
                                                     condition("name", "!=", jstring(name))),
                                              "name", json_array_create_empty()));
        }
        if (ports[i].adopted && ports[i].mac) {
            json_array_add(ops, adopted_index_op(ports[i].port_uuid, ports[i].mac, NULL));
        }
        json_array_add(ops, op_mutate("Bridge",
                                      jarray(1, condition("ports", "includes",
                                                          uuid_set("uuid", ports[i].port_uuid))),
                                      jarray(1, jarray(3, jstring("ports"), jstring("delete"),
                                                       uuid_set("uuid", ports[i].port_uuid)))));
    }
}

struct err *ovsdb_ports_delete(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                               const char *comment)
{
    struct json *ops = jarray(1, op_comment(comment));
    delete_ops(ops, ports, n, false);
    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact(db, ops, "removing ports", &result);
    size_t index;
    const char *error, *details;
    if (!e && txn_failure(result, &index, &error, &details)) {
        e = !strcmp(error, "timed out") /* only a wait times out here */
                ? err_new(ERR_PORT_CONFLICT, NULL,
                          "a port to remove was replaced meanwhile by a new port for its MAC: nothing was removed; try again")
                : err_new(ERR_OVSDB_ERROR, NULL, "OVSDB failed while removing ports: %s: %s", error, details);
    }
    return e;
}

struct err *ovsdb_ports_delete_unchanged(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                                         const char *comment, bool *changed)
{
    struct json *ops = jarray(1, op_comment(comment));
    delete_ops(ops, ports, n, true);
    _cleanup_(json_destroyp) struct json *result = NULL;
    *changed = false;
    struct err *e = transact(db, ops, "removing ports", &result);
    size_t index;
    const char *error, *details;
    if (!e && txn_failure(result, &index, &error, &details)) {
        if (!strcmp(error, "timed out")) { /* only a wait times out here */
            *changed = true;
        } else {
            e = err_new(ERR_OVSDB_ERROR, NULL, "OVSDB failed while removing ports: %s: %s", error,
                        details);
        }
    }
    return e;
}

/* ---- the switch ---- */

/* A set datum of strings ("x" or ["set", ["x", ...]]) as a new array. */
static char **datum_strings(const struct json *d, size_t *n)
{
    const char *one = d && d->type == JSON_STRING ? json_string(d) : NULL;
    const struct json *elems = one ? NULL : array_at(d, 1);
    size_t count = one ? 1 : array_size(elems);
    char **out = mem_new0(char *, count + 1);
    *n = 0;
    for (size_t i = 0; i < count; i++) {
        const struct json *e = one ? d : array_at(elems, i);
        if (e && e->type == JSON_STRING) {
            out[(*n)++] = mem_strdup(json_string(e));
        }
    }
    return out;
}

static int string_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

void ovs_switch_clear(struct ovs_switch *sw)
{
    ovsdb_names_free(sw->iface_types, sw->n_iface_types);
    ovsdb_names_free(sw->datapath_types, sw->n_datapath_types);
    ovsdb_names_free(sw->netdev_bridges, sw->n_netdev_bridges);
    free(sw->ovs_version);
    free(sw->dpdk_version);
    free(sw->dpdk_init);
    free(sw->vhost_sock_dir);
    free(sw->pmd_cpu_mask);
    free(sw->socket_limit);
    free(sw->dpdk_extra);
    free(sw->pmd_rxq_isolate);
    free(sw->pmd_rxq_assign);
    free(sw->per_port_memory);
    mem_strv_free(sw->affinities);
    free(sw->affinity_rxqs);
    mem_strv_free(sw->phys_ports);
    free(sw->phys_nodes);
    free(sw->socket_mem);
    *sw = (struct ovs_switch){0};
}

bool ovs_switch_netdev_bridge(const struct ovs_switch *sw, const char *bridge)
{
    for (size_t i = 0; bridge && i < sw->n_netdev_bridges; i++) {
        if (!strcmp(sw->netdev_bridges[i], bridge)) {
            return true;
        }
    }
    return false;
}

struct err *ovsdb_switch_read(struct ovsdb *db, struct ovs_switch *out)
{
    return ovsdb_switch_read_some(db, OVS_SWITCH_BRIDGES, out);
}

/* The rx queues a PMD polls on Interface row 'r', as OVS 3.1 sets them
 * up: 0 for one no PMD polls (only DPDK and vhost-user ports are polled by
 * PMDs, and one with an error is not in the datapath); a physical port's
 * options:n_rxq (1 by default), a vhost-user port's queue pairs once a
 * guest connected (num_of_vrings / 2), else 1. pmd-rxq-affinity pins only
 * those queues (dpif-netdev's parse_affinity_list skips the others). */
static int pmd_rxqs(const struct json *r)
{
    const char *type = datum_string(member(r, "type"));
    const char *error = datum_string(member(r, "error"));
    if (!type || (error && *error)) {
        return 0;
    }
    bool vhost = streq(type, "dpdkvhostuser") || streq(type, "dpdkvhostuserclient");
    if (!vhost && !streq(type, "dpdk") && !streq(type, "afxdp")) {
        return 0;
    }
    const char *n = vhost ? map_get(member(r, "status"), "num_of_vrings") : map_get(member(r, "options"), "n_rxq");
    long v = n ? strtol(n, NULL, 10) : 0;
    v = vhost ? v / 2 : v;
    return v >= 1 && v <= 1024 ? (int) v : 1;
}

/* A select of nothing: an operation that keeps the results' indexes fixed. */
static struct json *op_none(void)
{
    return op_select("Bridge", jarray(1, condition("_uuid", "==", uuid_set("uuid", "00000000-0000-0000-0000-000000000000"))),
                     (const char *const[]){"_uuid", NULL});
}

struct err *ovsdb_switch_read_some(struct ovsdb *db, unsigned what, struct ovs_switch *out)
{
    static const char *const columns[] = {"ovs_version", "dpdk_initialized", "dpdk_version",
                                          "iface_types", "datapath_types", "other_config", NULL};
    struct json *ops = jarray(4, op_select(DB_NAME, json_array_create_empty(), columns),
                              what & OVS_SWITCH_BRIDGES
                                  ? op_select("Bridge",
                                              jarray(1, condition("datapath_type", "==",
                                                                  jstring("netdev"))),
                                              (const char *const[]){"name", NULL})
                                  : op_none(),
                              what & OVS_SWITCH_AFFINITY
                                  ? op_select("Interface",
                                              jarray(1, condition("other_config", "!=",
                                                                  string_map((const char *const[]){NULL}))),
                                              (const char *const[]){"other_config", "type", "options",
                                                                    "status", "error", NULL})
                                  : op_none(),
                              what & OVS_SWITCH_PHYS
                                  ? op_select("Interface", jarray(1, condition("type", "==", jstring("dpdk"))),
                                              (const char *const[]){"name", "status", "error", NULL})
                                  : op_none());
    _cleanup_(json_destroyp) struct json *result = NULL;
    struct err *e = transact_checked(db, ops, "reading the switch", &result);
    if (e) {
        return e;
    }
    const struct json *row;
    if ((e = switch_row(db, result, &row))) {
        return e;
    }
    const struct json *other = member(row, "other_config");
    const struct json *init = datum_atom(member(row, "dpdk_initialized"));
    struct ovs_switch sw = {
        .ovs_version = dup_or_null(datum_string(member(row, "ovs_version"))),
        .dpdk_initialized = init && init->type == JSON_TRUE,
        .dpdk_version = dup_or_null(datum_string(member(row, "dpdk_version"))),
        .dpdk_init = dup_or_null(map_get(other, "dpdk-init")),
        .vhost_sock_dir = dup_or_null(map_get(other, "vhost-sock-dir")),
        .pmd_cpu_mask = dup_or_null(map_get(other, "pmd-cpu-mask")),
        .socket_mem = dup_or_null(map_get(other, "dpdk-socket-mem")),
        .socket_limit = dup_or_null(map_get(other, "dpdk-socket-limit")),
        .dpdk_extra = dup_or_null(map_get(other, "dpdk-extra")),
        .pmd_rxq_isolate = dup_or_null(map_get(other, "pmd-rxq-isolate")),
        .pmd_rxq_assign = dup_or_null(map_get(other, "pmd-rxq-assign")),
        .per_port_memory = dup_or_null(map_get(other, "per-port-memory")),
    };
    const struct json *configured = result_rows(result, 2);
    sw.affinities = mem_new0(char *, array_size(configured) + 1);
    sw.affinity_rxqs = mem_new0(int, array_size(configured) + 1);
    for (size_t i = 0; i < array_size(configured); i++) {
        const struct json *r = array_at(configured, i);
        const char *a = map_get(member(r, "other_config"), "pmd-rxq-affinity");
        int rxqs = pmd_rxqs(r);
        if (a && rxqs) {
            sw.affinity_rxqs[sw.n_affinities] = rxqs;
            sw.affinities[sw.n_affinities++] = mem_strdup(a);
        }
    }
    const struct json *phys = result_rows(result, 3);
    sw.phys_ports = mem_new0(char *, array_size(phys) + 1);
    sw.phys_nodes = mem_new0(int, array_size(phys) + 1);
    for (size_t i = 0; i < array_size(phys); i++) {
        const char *name = datum_string(member(array_at(phys, i), "name"));
        const char *node = map_get(member(array_at(phys, i), "status"), "numa_id");
        const char *error = datum_string(member(array_at(phys, i), "error"));
        if (name && !(error && *error)) { /* one OVS could not open is no port of any node */
            sw.phys_nodes[sw.n_phys] = node ? atoi(node) : -1;
            sw.phys_ports[sw.n_phys++] = mem_strdup(name);
        }
    }
    sw.iface_types = datum_strings(member(row, "iface_types"), &sw.n_iface_types);
    sw.datapath_types = datum_strings(member(row, "datapath_types"), &sw.n_datapath_types);

    const struct json *bridges = result_rows(result, 1);
    sw.netdev_bridges = mem_new0(char *, array_size(bridges) + 1);
    for (size_t i = 0; i < array_size(bridges); i++) {
        const char *name = datum_string(member(array_at(bridges, i), "name"));
        if (name) {
            sw.netdev_bridges[sw.n_netdev_bridges++] = mem_strdup(name);
        }
    }
    if (sw.n_netdev_bridges) {
        qsort(sw.netdev_bridges, sw.n_netdev_bridges, sizeof *sw.netdev_bridges, string_compare);
    }
    *out = sw;
    return NULL;
}

/* ---- retagging ---- */

/* ["set", [k, ...]] of the NULL-terminated 'keys'. */
static struct json *key_set(const char *const *keys)
{
    struct json *elems = json_array_create_empty();
    for (const char *const *k = keys; k && *k; k++) {
        json_array_add(elems, jstring(*k));
    }
    return jarray(2, jstring("set"), elems);
}

static size_t strv_len(const char *const *v)
{
    size_t n = 0;
    while (v[n]) {
        n++;
    }
    return n;
}

void ovs_retag_set(struct ovs_retag *r, const char *key, const char *value)
{
    size_t n = strv_len(r->set);
    assert(n + 2 < ARRAY_SIZE(r->set));
    r->set[n] = key;
    r->set[n + 1] = value;
}

void ovs_retag_clear(struct ovs_retag *r, const char *key)
{
    size_t n = strv_len(r->clear);
    assert(n + 1 < ARRAY_SIZE(r->clear));
    r->clear[n] = key;
}

void ovs_retag_bind(struct ovs_retag *r, const char *vm_id, const char *plug_time)
{
    ovs_retag_set(r, OVS_KEY_VM, vm_id);
    if (plug_time) {
        ovs_retag_set(r, OVS_KEY_PLUG_TIME, plug_time);
    } else {
        ovs_retag_clear(r, OVS_KEY_PLUG_TIME);
    }
}

void ovs_retag_adopt(struct ovs_retag *r, const char *vm_id, const char *mac, const char *when)
{
    ovs_retag_set(r, OVS_KEY_VM, vm_id);
    ovs_retag_set(r, OVS_KEY_MAC, mac);
    /* Another controller may key its flows on a port's iface-id (OVN does):
     * one that is there is kept. */
    if (!r->port || !r->port->iface_id) {
        ovs_retag_set(r, OVS_KEY_IFACE, mac);
    }
    ovs_retag_set(r, OVS_KEY_ADOPTED, when);
}

/* The value 'r' sets for 'key', or NULL. */
static const char *retag_value(const struct ovs_retag *r, const char *key)
{
    for (const char *const *p = r->set; *p; p += 2) {
        if (!strcmp(p[0], key)) {
            return p[1];
        }
    }
    return NULL;
}

/* The tags of 'changes' (and their adopted ports' index entries), after
 * 'comment'. Each change first waits for its Interface to exist (with
 * 'unchanged', to hold the external_ids it was read with): the
 * index of that operation goes into 'exists_at[i]' (0: none). */
static struct json *retag_ops(const struct ovs_retag *changes, size_t n, const char *comment,
                              size_t *exists_at)
{
    struct json *ops = jarray(1, op_comment(comment));
    for (size_t i = 0; i < n; i++) {
        const struct ovs_retag *r = &changes[i];
        exists_at[i] = 0;
        if (r->port->iface_uuid && r->unchanged) {
            exists_at[i] = array_size(ops);
            json_array_add(ops, op_wait_ids_unchanged(r->port));
        } else if (r->port->iface_uuid && !r->may_be_gone) {
            /* A port removed since it was read (the libvirt hook releasing
             * the VM's last run, an unplug, gc) is not tagged back to life:
             * the whole transaction is aborted. */
            struct json *row = json_object_create();
            json_object_put(row, "_uuid", jarray(2, jstring("uuid"), jstring(r->port->iface_uuid)));
            exists_at[i] = array_size(ops);
            json_array_add(ops, op_wait_equal("Interface",
                                              jarray(1, condition("_uuid", "==",
                                                                  jarray(2, jstring("uuid"),
                                                                         jstring(r->port->iface_uuid)))),
                                              "_uuid", jarray(1, row)));
        }
        const char *uuids[2] = {r->port->iface_uuid, r->port->port_uuid};
        const char *tables[2] = {"Interface", "Port"};
        /* A key that is set is deleted first: OVSDB's insert keeps an
         * existing key's value. */
        const char *doomed[3 * OVS_RETAG_MAX + 1];
        size_t n_doomed = 0;
        for (const char *const *k = r->clear; *k; k++) {
            doomed[n_doomed++] = *k;
        }
        for (const char *const *p = r->set; *p; p += 2) {
            doomed[n_doomed++] = p[0];
        }
        doomed[n_doomed] = NULL;
        const char *mac = retag_value(r, OVS_KEY_MAC);
        if (retag_value(r, OVS_KEY_ADOPTED) && mac && r->port->iface_uuid && r->port->port_uuid) {
            json_array_add(ops, adopted_index_op(r->port->port_uuid, mac, r->port->iface_uuid));
        }
        for (size_t t = 0; t < 2; t++) {
            if (!uuids[t]) {
                continue;
            }
            struct json *mutations = json_array_create_empty();
            if (n_doomed) {
                json_array_add(mutations, jarray(3, jstring("external_ids"), jstring("delete"),
                                                 key_set(doomed)));
            }
            if (r->set[0]) {
                json_array_add(mutations, jarray(3, jstring("external_ids"), jstring("insert"),
                                                 string_map(r->set)));
            }
            json_array_add(ops, op_mutate(tables[t],
                                          jarray(1, condition("_uuid", "==",
                                                              jarray(2, jstring("uuid"),
                                                                     jstring(uuids[t])))),
                                          mutations));
        }
    }
    return ops;
}

struct err *ovsdb_ports_retag(struct ovsdb *db, const struct ovs_retag *changes, size_t n, uint64_t next,
                              const char *comment, uint64_t *hint)
{
    _cleanup_free_ size_t *exists_at = mem_new0(size_t, n + 1);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        struct json *ops = retag_ops(changes, n, comment, exists_at);
        uint64_t want = 0;
        if (next) {
            _cleanup_(name_state_clear) struct name_state s = {0};
            struct err *e = read_name_state(db, &s);
            if (e) {
                json_destroy(ops);
                return e;
            }
            if (s.next >= next && map_get(s.external_ids, OVSDB_NEXT_PORT_KEY)) {
                *hint = s.next;
            } else {
                want = s.next > next ? s.next : next;
                json_array_add(ops, op_hint_unchanged(&s));
                json_array_add(ops, op_hint_set(want));
            }
        }
        if (!n && !want) {
            json_destroy(ops);
            return NULL;
        }
        _cleanup_(json_destroyp) struct json *result = NULL;
        struct err *e = transact(db, ops, "tagging ports", &result);
        if (e) {
            return e;
        }
        size_t index;
        const char *error, *details;
        if (!txn_failure(result, &index, &error, &details)) {
            if (want) {
                *hint = want;
            }
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            if (exists_at[i] && exists_at[i] == index) {
                return err_new(ERR_PORT_CONFLICT, NULL,
                               "port %s was removed%s while csdpdk tagged it (an unplug, gc, or the libvirt "
                               "hook releasing a VM's last run%s): nothing was tagged; try again",
                               changes[i].port->name ? changes[i].port->name : "?",
                               changes[i].unchanged ? " or retagged" : "",
                               changes[i].unchanged ? "; a plug, or the hook binding it" : "");
            }
        }
        if (!want || strcmp(error, "timed out")) {
            return err_new(ERR_OVSDB_ERROR, NULL, "OVSDB failed while tagging ports: %s: %s", error, details);
        }
        /* Another writer changed external_ids meanwhile: read again. */
    }
    return err_new(ERR_TIMEOUT, NULL, "gave up tagging ports after %d attempts", MAX_ATTEMPTS);
}

struct err *ovsdb_ports_untag(struct ovsdb *db, const struct ovs_port *ports, size_t n,
                              const char *comment)
{
    _cleanup_free_ struct ovs_retag *changes = mem_new0(struct ovs_retag, n + 1);
    for (size_t i = 0; i < n; i++) {
        changes[i] = (struct ovs_retag){.port = &ports[i], .clear = {OVS_KEY_OP, OVS_KEY_OP_TIME},
                                        .may_be_gone = true};
    }
    return ovsdb_ports_retag(db, changes, n, 0, comment, NULL);
}

/* ---- waiting for ovs-vswitchd ---- */

struct err *ovsdb_wait_applied(struct ovsdb *db, long long reserve_ms)
{
    /* next_cfg + 1, read back in the same transaction (what the IDL's
     * ovsdb_idl_txn_increment() sends). */
    struct json *ops = jarray(2, op_mutate(DB_NAME, json_array_create_empty(),
                                           jarray(1, jarray(3, jstring("next_cfg"), jstring("+="),
                                                            json_integer_create(1)))),
                              op_select(DB_NAME, json_array_create_empty(),
                                        (const char *const[]){"next_cfg", NULL}));
    _cleanup_(json_destroyp) struct json *bumped = NULL;
    struct err *e = transact_checked(db, ops, "asking ovs-vswitchd to report its progress", &bumped);
    if (e) {
        return e;
    }
    const struct json *row = array_at(result_rows(bumped, 1), 0);
    int64_t next = 0;
    if (!row || !datum_integer(member(row, "next_cfg"), &next)) {
        return err_new(ERR_OVSDB_ERROR, NULL, "OVSDB at '%s' has no Open_vSwitch next_cfg", db->url);
    }

    /* OVSDB's own wait: the reply comes when some row has cur_cfg >= next
     * (the selection is no longer empty), or when the timeout expires. At
     * most half the time left is kept back. */
    long long left = ovsdb_time_left_ms(db);
    long long wait_ms = left - (reserve_ms < left / 2 ? reserve_ms : left / 2);
    struct json *wait = json_object_create();
    json_object_put_string(wait, "op", "wait");
    json_object_put(wait, "timeout", json_integer_create(wait_ms > 0 ? wait_ms : 0));
    json_object_put_string(wait, "table", DB_NAME);
    json_object_put(wait, "where",
                    jarray(1, condition("cur_cfg", ">=", json_integer_create(next))));
    json_object_put(wait, "columns", jarray(1, jstring("cur_cfg")));
    json_object_put_string(wait, "until", "!=");
    json_object_put(wait, "rows", json_array_create_empty());
    _cleanup_(json_destroyp) struct json *result = NULL;
    e = transact(db, jarray(1, wait), "waiting for ovs-vswitchd", &result);
    if (e) {
        return e;
    }
    size_t index;
    const char *error, *details;
    if (txn_failure(result, &index, &error, &details)) {
        if (!strcmp(error, "timed out")) {
            return err_new(ERR_TIMEOUT, NULL,
                           "ovs-vswitchd did not apply the change within %lld ms (Open_vSwitch cur_cfg stayed below %" PRId64 ")",
                           wait_ms, next);
        }
        return err_new(ERR_OVSDB_ERROR, NULL, "OVSDB failed while waiting for ovs-vswitchd: %s: %s",
                       error, details);
    }
    return NULL;
}
