/* The request of plug and render: a VM, its DPDK NICs, its details, and
 * optionally its domain XML (docs/design.md section 5). */
#ifndef CSDPDK_VM_REQUEST_H
#define CSDPDK_VM_REQUEST_H

#include <stdint.h>

#include "helper/verb.h"
#include "offerings/details.h"

#define VM_NICS_MAX 64
#define VM_QUEUES_MAX 256
#define VM_RECONNECT_DEFAULT 1 /* seconds; QEMU as the socket client retries this often */
#define VM_RECONNECT_MAX 3600

struct vm_nic {
    char *mac;          /* lower case */
    const char *bridge;
    int vlan;           /* 0: none */
    int queues;         /* 1 unless given */
    char *uuid;         /* the NIC's, or NULL */
    const char *port;   /* csdpdk-N: given to render; set by plug */
};

struct vm_request {
    char *vm_uuid;           /* NULL: NICs' ports, bound to their VM later (VM_REQUEST_NIC_OWNED) */
    const char *vm_name;     /* or NULL */
    unsigned vcpus;          /* 0: not given */
    uint64_t memory_kib;     /* 0: not given */
    struct vm_nic *nics;
    size_t n_nics;
    struct dpdk_details *details;
    const char *domain_xml;  /* or NULL */
    size_t domain_xml_size;
    int reconnect;           /* seconds; 0: off */
    const char *op_id;       /* migrate-prepare's operation id, or NULL */
    bool wait;               /* wait for ovs-vswitchd to apply new ports (VM_REQUEST_WAIT) */
    const json_t *host_report; /* the host's capabilities result, or NULL (VM_REQUEST_HOST_REPORT) */
};

enum {
    VM_REQUEST_PORTS = 1 << 0, /* each NIC names its port (render) */
    VM_REQUEST_OP_ID = 1 << 1, /* an op_id is required (migrate-prepare) */
    VM_REQUEST_WAIT = 1 << 2,  /* "wait": BOOLEAN (default true) is taken (plug, migrate-prepare) */
    VM_REQUEST_NIC_OWNED = 1 << 3, /* vm and vm.uuid may be left out if every NIC has its uuid */
    VM_REQUEST_HOST_REPORT = 1 << 4, /* "host_report": OBJECT is taken (render) */
};

/* Reads and checks ctx->request; every error names its field. The details
 * must make the VM DPDK-enabled; their warnings go to ctx->warnings. The
 * result borrows strings from ctx->request. */
struct err *vm_request_parse(struct verb_context *ctx, unsigned flags, struct vm_request *req)
    _warn_unused_;
void vm_request_clear(struct vm_request *req);

/* Each of the request's NICs' queue count (at least 1), by NIC: an array
 * of req->n_nics (NULL without NICs) the caller frees. */
unsigned *vm_request_nic_queues(const struct vm_request *req);

/* An operation id: 1 to 64 of A-Z a-z 0-9 . _ : - */
struct err *vm_validate_op_id(const char *op_id, const char *field) _warn_unused_;

#endif
