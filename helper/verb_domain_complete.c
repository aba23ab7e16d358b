/* domain-complete: the domain CloudStack's agent is about to start, handed
 * over whole by its XML transformer hook, with each vhost-user interface
 * that a csdpdk port of this host serves completed as render writes one:
 * <target dev>, the socket path without doubled '/', <reconnect> by the
 * socket's mode (docs/api.md). The stock agent's InterfaceDef writes
 * neither target nor reconnect, and a server-mode VM without <reconnect>
 * stays cut off after a restart of the switch.
 *
 * Read-only. An interface it cannot complete is not an error: it is left
 * as it is and listed with the reason, so that a start never fails for
 * what csdpdk cannot fix. A domain without vhost-user interfaces comes back
 * byte for byte without OVSDB being asked. */
#include <stdio.h>

#include "helper/agent.h"
#include "helper/binding.h"
#include "helper/domxml.h"
#include "helper/mem.h"
#include "helper/output.h"
#include "helper/request.h"
#include "helper/text.h"
#include "helper/verb.h"
#include "helper/vm_request.h"

static json_t *changes_json(unsigned completed)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {DOMXML_COMPLETED_PATH, "path"},
        {DOMXML_COMPLETED_RECONNECT, "reconnect"},
        {DOMXML_COMPLETED_TARGET, "target"},
    };
    json_t *list = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (completed & names[i].bit) {
            json_array_append_new(list, json_string(names[i].name));
        }
    }
    return list;
}

/* Why interface 'i' of the domain 'uuid' is left alone, its port being 'p'
 * (NULL: none found), or NULL when a csdpdk port serves it. */
static char *left_alone(const struct ovs_port *p, const struct domain_iface *i, const char *uuid,
                        const char *socket_dir)
{
    if (!p) {
        _cleanup_free_ char *path = i->path ? text_single_slashes(i->path) : NULL;
        return path ? mem_asprintf("no port of this host serves its socket %s", path)
                    : mem_strdup("it has no <source path>");
    }
    if (ovs_port_owner(p) == OVS_OWNER_FOREIGN) {
        return mem_asprintf("port %s is not csdpdk's (csdpdk adopt takes CloudStack's own ports)",
                            p->name);
    }
    char *why = NULL;
    binding_misfit(p, i, uuid, socket_dir, &why);
    return why;
}

/* An interface with more than one <driver>: libvirt reads the first and
 * ignores the others, so a queue count in a later one is lost (CloudStack
 * 4.19 and later write one for the VM detail nic.multiqueue.number, and
 * the extraconfig-dpdk-interface-* details may paste another). A warning:
 * the domain is the agent's to fix, not csdpdk's. */
static void warn_drivers(json_t *warnings, const xmlNode *iface, const char *mac)
{
    unsigned n = 0;
    _cleanup_free_ char *first = NULL;
    for (const xmlNode *c = iface->children; c; c = c->next) {
        if (xml_is(c, "driver") && !n++) {
            first = xml_attr(c, "queues");
        }
    }
    if (n > 1) {
        json_array_append_new(
            warnings,
            json_sprintf("interface %s has %u <driver> elements: libvirt uses the first (queues %s) and "
                         "ignores the others; keep one (CloudStack 4.19+ writes one for the VM detail "
                         "nic.multiqueue.number, the extraconfig-dpdk-interface-* details may add another)",
                         mac ? mac : "?", n, first ? first : "not set"));
    }
}

struct err *verb_domain_complete_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    json_t *request_xml = NULL;
    struct request_field fields[] = {
        {"domain_xml", REQ_STRING, true, false, &request_xml},
    };
    struct err *e = request_fields(ctx->request, "", fields, ARRAY_SIZE(fields));
    if (e) {
        return e;
    }
    const char *xml = json_string_value(request_xml);
    size_t size = json_string_length(request_xml);
    _cleanup_(domain_clear) struct domain d = {0};
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    xmlNodePtr root;
    if ((e = domain_parse(xml, size, "domain_xml", &d)) ||
        (e = xml_parse_domain(xml, size, "domain_xml", &doc, &root))) {
        return e;
    }

    json_auto_t *interfaces = json_array();
    unsigned completed_any = 0;
    if (d.n_ifaces) {
        _cleanup_(agent_config_clear) struct agent_config agent = {0};
        _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
        _cleanup_(binding_ports_clear) struct binding_ports ports = {0};
        if ((e = agent_config_load(o->agent_properties, &agent)) ||
            (e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db)) ||
            (e = binding_ports_find(db, &d, 0, &ports))) {
            return e;
        }
        /* domain_parse() read the interfaces in this order. */
        size_t k = 0;
        for (xmlNodePtr c = domxml_vhostuser_next(root, NULL); c && k < d.n_ifaces;
             c = domxml_vhostuser_next(root, c), k++) {
            const struct ovs_port *p = ports.of_iface[k];
            warn_drivers(ctx->warnings, c, d.ifaces[k].mac);
            _cleanup_free_ char *reason = left_alone(p, &d.ifaces[k], d.uuid, agent.socket_dir);
            unsigned completed =
                reason ? 0 : domxml_complete_interface(c, p->name, VM_RECONNECT_DEFAULT);
            completed_any |= completed;
            json_array_append_new(interfaces,
                                  json_pack("{s:o, s:o, s:o, s:o}", "mac",
                                            output_json_string(d.ifaces[k].mac), "port",
                                            p ? output_json_string(p->name) : json_null(),
                                            "changes", changes_json(completed), "reason",
                                            reason ? output_json_string(reason) : json_null()));
        }
    }

    /* Nothing changed: the input as it came, not as libxml2 writes it. */
    _cleanup_free_ char *completed_xml =
        completed_any ? xml_doc_string(doc, xml_has_declaration(xml, size)) : NULL;
    *result = json_pack("{s:b, s:s%, s:O}", "changed", completed_any != 0, "domain_xml",
                        completed_xml ? completed_xml : xml,
                        completed_xml ? strlen(completed_xml) : size, "interfaces", interfaces);
    return NULL;
}

/* One line per vhost-user interface, then the domain itself. */
void verb_domain_complete_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    size_t i;
    json_t *iface;
    fprintf(out, "changed: %s\n", json_is_true(json_object_get(result, "changed")) ? "yes" : "no");
    json_array_foreach(json_object_get(result, "interfaces"), i, iface) {
        const json_t *changes = json_object_get(iface, "changes");
        const json_t *reason = json_object_get(iface, "reason");
        fprintf(out, "%-17s  %-17s  ", json_string_value(json_object_get(iface, "mac")),
                output_text_or_dash(json_object_get(iface, "port")));
        if (json_is_string(reason)) {
            fprintf(out, "left alone: %s\n", json_string_value(reason));
        } else if (!json_array_size(changes)) {
            fprintf(out, "complete already\n");
        } else {
            size_t j;
            json_t *change;
            fprintf(out, "completed:");
            json_array_foreach(changes, j, change) {
                fprintf(out, "%s %s", j ? "," : "", json_string_value(change));
            }
            fputc('\n', out);
        }
    }
    const char *domain = json_string_value(json_object_get(result, "domain_xml"));
    size_t len = strlen(domain);
    fprintf(out, "domain:\n%s%s", domain, len && domain[len - 1] == '\n' ? "" : "\n");
}
