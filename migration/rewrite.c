#include "migration/rewrite.h"

#include <stdio.h>
#include <strings.h>

#include "helper/mem.h"
#include "helper/xml.h"

static xmlNodePtr ensure_child(xmlNodePtr parent, const char *name)
{
    xmlNodePtr c = xml_child(parent, name);
    if (!c) {
        c = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL);
        xml_append_element(parent, c);
    }
    return c;
}

struct err *mig_rewrite(const char *xml, size_t size, const struct mig_mapping *map, int reconnect,
                        char **out, size_t *unused)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    xmlNodePtr domain;
    struct err *e = xml_parse_domain(xml, size, "domain_xml", &doc, &domain);
    if (e) {
        return e;
    }
    _cleanup_free_ bool *used = mem_new0(bool, map->n + 1);
    xmlNodePtr devices = xml_child(domain, "devices");

    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        _cleanup_free_ char *type = xml_is(c, "interface") ? xml_attr(c, "type") : NULL;
        if (!type || strcmp(type, "vhostuser")) {
            continue;
        }
        _cleanup_free_ char *mac = xml_attr(xml_child(c, "mac"), "address");
        const struct mig_target *t = NULL;
        for (size_t i = 0; mac && i < map->n && !t; i++) {
            if (!strcasecmp(map->targets[i].mac, mac)) {
                t = &map->targets[i];
                used[i] = true;
            }
        }
        if (!t) {
            return err_new(ERR_MISSING_INTERFACE, "mapping",
                           "the vhost-user interface with MAC %s has no port on the destination; nothing was rewritten",
                           mac ? mac : "(none)");
        }

        _cleanup_free_ char *path = mem_asprintf("%s/%s", t->path, t->port);
        xmlNodePtr source = ensure_child(c, "source");
        xmlSetProp(source, BAD_CAST "type", BAD_CAST "unix");
        xmlSetProp(source, BAD_CAST "path", BAD_CAST path);
        xmlSetProp(source, BAD_CAST "mode", BAD_CAST t->mode);
        xmlSetProp(ensure_child(c, "target"), BAD_CAST "dev", BAD_CAST t->port);

        /* libvirt takes <reconnect> only when QEMU is the socket client. */
        xmlNodePtr old = xml_child(source, "reconnect");
        if (!strcmp(t->mode, "server") && old) {
            xml_remove_element(old);
        } else if (!strcmp(t->mode, "client") && !old && reconnect > 0) {
            char timeout[16];
            snprintf(timeout, sizeof timeout, "%d", reconnect);
            xmlNodePtr r = xmlNewDocNode(doc, NULL, BAD_CAST "reconnect", NULL);
            xmlSetProp(r, BAD_CAST "enabled", BAD_CAST "yes");
            xmlSetProp(r, BAD_CAST "timeout", BAD_CAST timeout);
            xml_append_element(source, r);
        }
    }

    *unused = 0;
    for (size_t i = 0; i < map->n; i++) {
        *unused += !used[i];
    }
    *out = xml_doc_string(doc, xml_has_declaration(xml, size));
    return NULL;
}
