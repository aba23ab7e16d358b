#include "helper/vm_request.h"

#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/request.h"
#include "helper/validate.h"
#include "helper/text.h"

unsigned *vm_request_nic_queues(const struct vm_request *req)
{
    unsigned *q = req->n_nics ? mem_new0(unsigned, req->n_nics) : NULL;
    for (size_t i = 0; i < req->n_nics; i++) {
        q[i] = req->nics[i].queues > 1 ? (unsigned) req->nics[i].queues : 1;
    }
    return q;
}

void vm_request_clear(struct vm_request *req)
{
    for (size_t i = 0; i < req->n_nics; i++) {
        free(req->nics[i].mac);
        free(req->nics[i].uuid);
    }
    free(req->nics);
    free(req->vm_uuid);
    dpdk_details_free(req->details);
    *req = (struct vm_request){0};
}

static char *shown_json(const json_t *v)
{
    _cleanup_free_ char *text = json_is_string(v) ? mem_strdup(json_string_value(v))
                                                   : json_dumps(v, JSON_ENCODE_ANY);
    return text_quote_for_message(text ? text : "?", 32);
}

static struct err *parse_vlan(const json_t *v, const char *field, int *vlan)
{
    *vlan = 0;
    if (!v) {
        return NULL;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 4094) {
        _cleanup_free_ char *shown = shown_json(v);
        return err_new(ERR_INVALID_VLAN, field,
                       "the VLAN must be a whole number from 1 to 4094, or null for none; not %s",
                       shown);
    }
    *vlan = (int) json_integer_value(v);
    return NULL;
}

static struct err *parse_nic(const json_t *j, size_t i, unsigned flags, struct vm_nic *nic)
{
    _cleanup_free_ char *path = mem_asprintf("nics[%zu]", i);
    json_t *mac = NULL, *bridge = NULL, *vlan = NULL, *model = NULL, *queues = NULL, *uuid = NULL,
           *port = NULL;
    struct request_field fields[] = {
        {"mac", REQ_STRING, true, false, &mac},
        {"bridge", REQ_STRING, true, false, &bridge},
        {"vlan", REQ_ANY, false, true, &vlan},
        {"model", REQ_STRING, false, false, &model},
        {"queues", REQ_INTEGER, false, false, &queues},
        {"uuid", REQ_STRING, false, false, &uuid},
        {"port", REQ_STRING, true, false, &port},
    };
    size_t n_fields = ARRAY_SIZE(fields) - !(flags & VM_REQUEST_PORTS);
    if (!json_is_object(j)) {
        return err_new(ERR_INVALID_REQUEST, path, "%s must be an object", path);
    }
    struct err *e = request_fields(j, path, fields, n_fields);
    if (e) {
        return e;
    }

    _cleanup_free_ char *f_mac = request_path(path, "mac");
    _cleanup_free_ char *f_bridge = request_path(path, "bridge");
    _cleanup_free_ char *f_vlan = request_path(path, "vlan");
    _cleanup_free_ char *f_model = request_path(path, "model");
    _cleanup_free_ char *f_queues = request_path(path, "queues");
    _cleanup_free_ char *f_uuid = request_path(path, "uuid");
    _cleanup_free_ char *f_port = request_path(path, "port");

    if ((e = validate_mac(json_string_value(mac), f_mac, &nic->mac)) ||
        (e = validate_bridge(json_string_value(bridge), f_bridge)) ||
        (e = parse_vlan(vlan, f_vlan, &nic->vlan))) {
        return e;
    }
    nic->bridge = json_string_value(bridge);
    if (model && !streq(json_string_value(model), "virtio")) {
        _cleanup_free_ char *shown = text_quote_for_message(json_string_value(model), 32);
        return err_new(ERR_INVALID_REQUEST, f_model,
                       "vhost-user works with the model 'virtio' only, not %s", shown);
    }
    nic->queues = queues ? (int) json_integer_value(queues) : 1;
    if (queues && (json_integer_value(queues) < 1 || json_integer_value(queues) > VM_QUEUES_MAX)) {
        return err_new(ERR_INVALID_REQUEST, f_queues, "queues must be from 1 to %d", VM_QUEUES_MAX);
    }
    if (port) {
        nic->port = json_string_value(port);
        if (!ovsdb_is_port_name(nic->port)) {
            _cleanup_free_ char *shown = text_quote_for_message(nic->port, 32);
            return err_new(ERR_INVALID_PORT_NAME, f_port, "%s is not a csdpdk port name (csdpdk-N)",
                           shown);
        }
    }
    if (uuid) {
        return validate_uuid(json_string_value(uuid), f_uuid, &nic->uuid);
    }
    return NULL;
}

struct err *vm_validate_op_id(const char *op_id, const char *field)
{
    size_t len = strlen(op_id);
    if (len < 1 || len > 64 ||
        strspn(op_id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != len) {
        _cleanup_free_ char *shown = text_quote_for_message(op_id, 80);
        return err_new(ERR_INVALID_REQUEST, field,
                       "%s is not an operation id: 1 to 64 of A-Z a-z 0-9 . _ : -", shown);
    }
    return NULL;
}

static struct err *parse_nics(const json_t *nics, unsigned flags, struct vm_request *req)
{
    size_t n = json_array_size(nics);
    if (n < 1 || n > VM_NICS_MAX) {
        return err_new(ERR_INVALID_REQUEST, "nics", "nics must hold 1 to %d NICs, not %zu",
                       VM_NICS_MAX, n);
    }
    req->nics = mem_new0(struct vm_nic, n);
    req->n_nics = n;
    for (size_t i = 0; i < n; i++) {
        struct err *e = parse_nic(json_array_get(nics, i), i, flags, &req->nics[i]);
        if (e) {
            return e;
        }
        for (size_t j = 0; j < i; j++) {
            if (streq(req->nics[i].mac, req->nics[j].mac)) {
                _cleanup_free_ char *field = mem_asprintf("nics[%zu].mac", i);
                return err_new(ERR_INVALID_MAC, field, "MAC %s is given twice (nics[%zu])",
                               req->nics[i].mac, j);
            }
            if (req->nics[i].port && streq(req->nics[i].port, req->nics[j].port)) {
                _cleanup_free_ char *field = mem_asprintf("nics[%zu].port", i);
                return err_new(ERR_INVALID_PORT_NAME, field, "port %s is given twice (nics[%zu])",
                               req->nics[i].port, j);
            }
        }
    }
    return NULL;
}

struct err *vm_request_parse(struct verb_context *ctx, unsigned flags, struct vm_request *req)
{
    json_t *vm = NULL, *nics = NULL, *details = NULL, *domain_xml = NULL, *reconnect = NULL;
    json_t *uuid = NULL, *name = NULL, *vcpus = NULL, *memory = NULL, *op_id = NULL;
    json_t *wait = NULL, *host_report = NULL;
    bool nic_owned = flags & VM_REQUEST_NIC_OWNED;
    struct request_field fields[9] = {
        {"vm", REQ_OBJECT, !nic_owned, false, &vm},
        {"nics", REQ_ARRAY, true, false, &nics},
        {"details", REQ_OBJECT, true, false, &details},
        {"domain_xml", REQ_STRING, false, false, &domain_xml},
        {"reconnect", REQ_INTEGER, false, false, &reconnect},
    };
    size_t n_fields = 5;
    if (flags & VM_REQUEST_OP_ID) {
        fields[n_fields++] = (struct request_field){"op_id", REQ_STRING, true, false, &op_id};
    }
    if (flags & VM_REQUEST_WAIT) {
        fields[n_fields++] = (struct request_field){"wait", REQ_BOOLEAN, false, false, &wait};
    }
    if (flags & VM_REQUEST_HOST_REPORT) {
        fields[n_fields++] = (struct request_field){"host_report", REQ_OBJECT, false, false, &host_report};
    }
    struct request_field vm_fields[] = {
        {"uuid", REQ_STRING, !nic_owned, false, &uuid},
        {"name", REQ_STRING, false, false, &name},
        {"vcpus", REQ_INTEGER, false, false, &vcpus},
        {"memory_kib", REQ_INTEGER, false, false, &memory},
    };
    struct err *e = request_fields(ctx->request, "", fields, n_fields);
    if (!e && vm) {
        e = request_fields(vm, "vm", vm_fields, ARRAY_SIZE(vm_fields));
    }
    if (!e && op_id) {
        req->op_id = json_string_value(op_id);
        e = vm_validate_op_id(req->op_id, "op_id");
    }
    if (!e && uuid) {
        e = validate_uuid(json_string_value(uuid), "vm.uuid", &req->vm_uuid);
    }
    if (e) {
        return e;
    }
    req->vm_name = name ? json_string_value(name) : NULL;
    req->wait = (flags & VM_REQUEST_WAIT) && (!wait || json_is_true(wait));
    req->host_report = host_report;
    if (vcpus && (json_integer_value(vcpus) < 1 || json_integer_value(vcpus) > 4096)) {
        return err_new(ERR_INVALID_REQUEST, "vm.vcpus", "vm.vcpus must be from 1 to 4096");
    }
    req->vcpus = vcpus ? (unsigned) json_integer_value(vcpus) : 0;
    if (memory && json_integer_value(memory) < 1) {
        return err_new(ERR_INVALID_REQUEST, "vm.memory_kib", "vm.memory_kib must be at least 1");
    }
    req->memory_kib = memory ? (uint64_t) json_integer_value(memory) : 0;
    req->reconnect = reconnect ? (int) json_integer_value(reconnect) : VM_RECONNECT_DEFAULT;
    if (reconnect && (json_integer_value(reconnect) < 0 ||
                      json_integer_value(reconnect) > VM_RECONNECT_MAX)) {
        return err_new(ERR_INVALID_REQUEST, "reconnect",
                       "reconnect must be from 0 (off) to %d seconds", VM_RECONNECT_MAX);
    }
    if (domain_xml) {
        req->domain_xml = json_string_value(domain_xml);
        req->domain_xml_size = json_string_length(domain_xml);
    }

    if ((e = parse_nics(nics, flags, req))) {
        return e;
    }
    /* Without its VM, a port belongs to its NIC: the NIC's UUID is its
     * owner until the VM's domain appears (docs/ports.md). */
    for (size_t i = 0; !req->vm_uuid && i < req->n_nics; i++) {
        if (!req->nics[i].uuid) {
            _cleanup_free_ char *field = mem_asprintf("nics[%zu].uuid", i);
            return err_new(ERR_INVALID_REQUEST, field,
                           "without vm.uuid, every NIC needs its uuid (its port is the NIC's until "
                           "the VM's domain appears); nics[%zu] has none",
                           i);
        }
    }

    _cleanup_(request_details_clear) struct request_details d = {0};
    if ((e = request_details_parse(details, "details", &d)) ||
        (e = details_decode(&d.view, "details", &req->details))) {
        return e;
    }
    if (!req->details->dpdk) {
        return err_new(ERR_INVALID_REQUEST, "details",
                       "the VM is not DPDK-enabled: it needs both " DETAIL_NUMA " and "
                       DETAIL_HUGEPAGES " (from the offering or the VM)");
    }
    for (size_t i = 0; i < req->details->n_warnings; i++) {
        json_array_append_new(ctx->warnings, json_string(req->details->warnings[i]));
    }
    return NULL;
}
