/* Plugging a VM's DPDK NICs, in three steps that plug and migrate-prepare
 * share: check and render everything (no OVSDB), create or find the ports
 * in one transaction, render with the real names. */
#ifndef CSDPDK_PLUG_H
#define CSDPDK_PLUG_H

#include <jansson.h>
#include <string.h>

#include "helper/agent.h"
#include "helper/libvirt.h"
#include "helper/ovsdb.h"
#include "helper/verb.h"
#include "helper/vm_render.h"
#include "helper/vm_request.h"

struct plug {
    struct vm_request req;
    struct agent_config agent;
    const char *op_id; /* migrate-prepare's operation, or NULL */
    char **ports;      /* per NIC: the port name */
    bool *created;     /* per NIC */
    struct ovs_port_list found; /* the ports the NICs' MACs found */
    struct ovs_retag *retags;   /* what found ports' tags must say (into 'found'), written last */
    size_t n_retags;
    char claim[32];             /* csdpdk-instance "plugged:<now>", set by the survey */
    char now[24];               /* csdpdk-plug-time "<now>", set by the survey */
    char *domain;               /* the request's domain with the details merged in, or NULL */
    const char *libvirt_uri;    /* --libvirt: whether a bound port's VM runs (a plug by NIC) */
    struct libvirt *lv;         /* opened when that is asked */
};

void plug_clear(struct plug *p);

/* The domain the VM will run, for the NUMA judgement: the merged one that
 * plug_prepare() rendered, else the request's (NULL without one). */
static inline const char *plug_domain(const struct plug *p, size_t *size)
{
    *size = p->domain ? strlen(p->domain) : p->req.domain_xml_size;
    return p->domain ? p->domain : p->req.domain_xml;
}

/* Reads ctx->request (plug's, with an op_id when 'with_op_id'), the
 * agent's settings, and renders the XML with provisional names: every
 * check that does not need OVSDB. */
struct err *plug_prepare(struct verb_context *ctx, bool with_op_id, struct plug *p) _warn_unused_;

/* Finds each NIC's port or creates the missing ones, all in one
 * transaction, tagged with p->op_id when set. */
struct err *plug_execute(struct ovsdb *db, struct plug *p, bool dry_run, json_t *warnings)
    _warn_unused_;

/* Unless the request says "wait": false: waits, within the connection's
 * deadline, until ovs-vswitchd has applied the database (next_cfg and
 * cur_cfg of the Open_vSwitch row), then checks each of the request's ports
 * (Interface error, ofport). A port the switch refused is ERR_PORT_REFUSED,
 * a switch that does not apply them in time ERR_TIMEOUT; either way the
 * ports this run created are removed again, and the message says whether
 * that worked. When no ovs-vswitchd runs beside OVSDB ('ovsdb_url''s
 * pidfile), a warning says so and nothing is waited for. */
struct err *plug_apply(struct ovsdb *db, struct plug *p, const char *ovsdb_url, bool dry_run,
                       json_t *warnings) _warn_unused_;

/* ports[], mode, interfaces[], numa, hugepages, domain_xml; then, unless
 * 'dry_run', the tags found ports must get (a NIC's port bound to the VM, a
 * migration's tags taken back, csdpdk-instance, csdpdk-plug-time), in one
 * transaction: a plug
 * that fails before changes nothing of them. If rendering or that write
 * fails, the ports this run created are removed again. */
struct err *plug_result(struct ovsdb *db, struct plug *p, bool dry_run, json_t **result)
    _warn_unused_;

#endif
