/* libxml2, hardened and quiet: parsing with no network, no DTD loading and
 * no entity substitution, errors captured instead of printed, and
 * serialisation without surprises. Every XML csdpdk reads goes through
 * here. */
#ifndef CSDPDK_XML_H
#define CSDPDK_XML_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "helper/error.h"

DEFINE_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* Parses 'text' ('size' bytes) as the content of an element: no prolog,
 * so no DTD and no entity declarations can appear. The nodes of '*list'
 * belong to '*doc' (free the list with xmlFreeNodeList(), then the doc).
 * ERR_INVALID_XML naming 'field', with libxml2's first error, otherwise. */
struct err *xml_parse_fragment(const char *text, size_t size, const char *field, xmlDocPtr *doc,
                               xmlNodePtr *list) _warn_unused_;

/* Parses a whole document. A DOCTYPE (and with it any entity declaration)
 * is ERR_FORBIDDEN_XML; entities are never substituted, nothing is fetched. */
struct err *xml_parse_document(const char *text, size_t size, const char *field, xmlDocPtr *doc)
    _warn_unused_;

/* xml_parse_document(), then the root element must be <domain>
 * (ERR_INVALID_XML naming 'field' if not); '*domain' belongs to '*doc'. */
struct err *xml_parse_domain(const char *text, size_t size, const char *field, xmlDocPtr *doc,
                             xmlNodePtr *domain) _warn_unused_;

/* 'node' serialised as is (no added indentation). */
char *xml_node_string(xmlDocPtr doc, xmlNodePtr node);

/* Does 'text' ('size' bytes, not necessarily NUL-terminated) start, after
 * blanks, with an XML declaration? A document written back keeps one only
 * if it had one. */
bool xml_has_declaration(const char *text, size_t size);

/* The whole document, with an XML declaration only if 'declaration'. */
char *xml_doc_string(xmlDocPtr doc, bool declaration);

/* The value of attribute 'name' (no namespace) of 'node' as a new string,
 * or NULL. */
char *xml_attr(const xmlNode *node, const char *name);

/* The text of 'node' (NULL: none) as a new string, or NULL. */
char *xml_text(const xmlNode *node);

/* The first child element of 'node' named 'name', or NULL. */
xmlNodePtr xml_child(const xmlNode *node, const char *name);

/* Is 'node' an element named 'name' without a namespace? */
bool xml_is(const xmlNode *node, const char *name);

/* Editing a document that a person wrote, keeping its layout: what is
 * added takes the indentation of its new siblings. */

/* Adds 'node' as the last element child of 'parent', before its closing
 * blanks. */
void xml_append_element(xmlNodePtr parent, xmlNodePtr node);

/* The first child element of 'parent' named 'name'; when there is none, a
 * new empty one added by xml_append_element(). */
xmlNodePtr xml_child_or_new(xmlNodePtr parent, const char *name);

/* Adds 'node' just before the element 'ref'. */
void xml_insert_before(xmlNodePtr ref, xmlNodePtr node);

/* Puts 'node' where 'old' was, and frees 'old'. */
void xml_replace_element(xmlNodePtr old, xmlNodePtr node);

/* Removes and frees the element 'node' with the blanks before it; an
 * element left with blanks only becomes empty. */
void xml_remove_element(xmlNodePtr node);

#endif
