#include "migration/rewrite.h"

#include <strings.h>

#include "helper/domxml.h"
#include "helper/mem.h"
#include "helper/xml.h"

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
    for (xmlNodePtr c = domxml_vhostuser_next(domain, NULL); c;
         c = domxml_vhostuser_next(domain, c)) {
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

        _cleanup_free_ char *path = mig_target_socket(t);
        xmlNodePtr source = xml_child_or_new(c, "source");
        xmlSetProp(source, BAD_CAST "type", BAD_CAST "unix");
        xmlSetProp(source, BAD_CAST "path", BAD_CAST path);
        xmlSetProp(source, BAD_CAST "mode", BAD_CAST t->mode);
        xmlSetProp(xml_child_or_new(c, "target"), BAD_CAST "dev", BAD_CAST t->port);
        domxml_source_reconnect(source, reconnect);
    }

    *unused = 0;
    for (size_t i = 0; i < map->n; i++) {
        *unused += !used[i];
    }
    *out = xml_doc_string(doc, xml_has_declaration(xml, size));
    return NULL;
}
