#include "helper/xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <stdio.h>
#include <string.h>

#include "helper/mem.h"
#include "helper/text.h"

DEFINE_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

/* Options for everything csdpdk parses: no network; no DTD loading, no
 * entity substitution and no XInclude, because the options that would turn
 * them on are never given. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA)

struct capture {
    bool seen;
    int line, column;
    char message[256];
};

static void capture_error(void *ctx, xmlErrorPtr error)
{
    struct capture *c = ctx;
    if (c->seen || error->level < XML_ERR_ERROR) {
        return;
    }
    c->seen = true;
    c->line = error->line;
    c->column = error->int2;
    snprintf(c->message, sizeof c->message, "%s", error->message ? error->message : "");
    c->message[strcspn(c->message, "\n")] = '\0';
}

static void ignore_error(void *ctx, const char *msg, ...)
{
    (void) ctx;
    (void) msg;
}

/* libxml2 reports through process-wide handlers: capture into 'c' while
 * 'saved' holds what was there. */
struct handlers {
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
    xmlGenericErrorFunc generic;
    void *generic_ctx;
};

static void handlers_capture(struct handlers *saved, struct capture *c)
{
    *saved = (struct handlers){xmlStructuredError, xmlStructuredErrorContext, xmlGenericError,
                               xmlGenericErrorContext};
    xmlSetStructuredErrorFunc(c, capture_error);
    xmlSetGenericErrorFunc(NULL, ignore_error);
}

static void handlers_restore(const struct handlers *saved)
{
    xmlSetStructuredErrorFunc(saved->structured_ctx, saved->structured);
    xmlSetGenericErrorFunc(saved->generic_ctx, saved->generic);
}

static struct err *parse_error(const struct capture *c, int code, const char *field)
{
    struct err *bad_text = c->seen ? text_check(c->message, strlen(c->message), NULL) : NULL;
    bool usable = c->seen && !bad_text;
    err_free(bad_text);
    if (!usable) {
        return err_new(ERR_INVALID_XML, field, "not well-formed XML (libxml2 error %d)", code);
    }
    return err_new(ERR_INVALID_XML, field, "not well-formed XML at line %d, column %d: %s", c->line,
                   c->column, c->message);
}

struct err *xml_parse_fragment(const char *text, size_t size, const char *field, xmlDocPtr *doc_out,
                               xmlNodePtr *list_out)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr context = xmlNewDocNode(doc, NULL, BAD_CAST "fragment", NULL);
    xmlDocSetRootElement(doc, context);

    struct capture c = {0};
    struct handlers saved;
    handlers_capture(&saved, &c);
    xmlNodePtr list = NULL;
    xmlParserErrors rc = xmlParseInNodeContext(context, text, (int) size, XML_OPTIONS, &list);
    handlers_restore(&saved);

    if (rc != XML_ERR_OK) {
        xmlFreeNodeList(list);
        /* libxml2 only says "StartTag: invalid element name" there. */
        if (memmem(text, size, "<!DOCTYPE", 9) || memmem(text, size, "<!ENTITY", 8)) {
            return err_new(ERR_INVALID_XML, field,
                           "not well-formed XML: a snippet is a fragment, so <!DOCTYPE> and "
                           "<!ENTITY> declarations are not allowed");
        }
        return parse_error(&c, rc, field);
    }
    *doc_out = TAKE_PTR(doc);
    *list_out = list;
    return NULL;
}

struct err *xml_parse_document(const char *text, size_t size, const char *field, xmlDocPtr *doc_out)
{
    struct capture c = {0};
    struct handlers saved;
    handlers_capture(&saved, &c);
    xmlDocPtr doc = xmlReadMemory(text, (int) size, NULL, "UTF-8", XML_OPTIONS);
    handlers_restore(&saved);

    if (!doc) {
        return parse_error(&c, 0, field);
    }
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        return err_new(ERR_FORBIDDEN_XML, field, "a DOCTYPE is not allowed");
    }
    *doc_out = doc;
    return NULL;
}

struct err *xml_parse_domain(const char *text, size_t size, const char *field, xmlDocPtr *doc_out,
                             xmlNodePtr *domain_out)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    struct err *e = xml_parse_document(text, size, field, &doc);
    if (e) {
        return e;
    }
    xmlNodePtr domain = xmlDocGetRootElement(doc);
    if (!xml_is(domain, "domain")) {
        return err_new(ERR_INVALID_XML, field, "the root element must be <domain>");
    }
    *domain_out = domain;
    *doc_out = TAKE_PTR(doc);
    return NULL;
}

char *xml_node_string(xmlDocPtr doc, xmlNodePtr node)
{
    _cleanup_(xmlBufferFreep) xmlBufferPtr buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, node, 0, 0);
    return mem_strdup((const char *) xmlBufferContent(buf));
}

char *xml_doc_string(xmlDocPtr doc, bool declaration)
{
    _cleanup_(xmlBufferFreep) xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save = xmlSaveToBuffer(buf, "UTF-8", declaration ? 0 : XML_SAVE_NO_DECL);
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    return mem_strdup((const char *) xmlBufferContent(buf));
}

char *xml_text(const xmlNode *node)
{
    xmlChar *text = node ? xmlNodeGetContent(node) : NULL;
    char *out = text ? mem_strdup((const char *) text) : NULL;
    xmlFree(text);
    return out;
}

char *xml_attr(const xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, BAD_CAST name);
    if (!v) {
        return NULL;
    }
    char *s = mem_strdup((const char *) v);
    xmlFree(v);
    return s;
}

xmlNodePtr xml_child(const xmlNode *node, const char *name)
{
    for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && !c->ns && xmlStrEqual(c->name, BAD_CAST name)) {
            return c;
        }
    }
    return NULL;
}

bool xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !n->ns && xmlStrEqual(n->name, BAD_CAST name);
}

static bool is_blank_text(const xmlNode *n)
{
    return n && n->type == XML_TEXT_NODE &&
           strspn((const char *) n->content, " \t\r\n") == strlen((const char *) n->content);
}

/* The blanks that precede the element children of 'parent' ("\n    "); NULL
 * for none. */
static const xmlChar *indent_of(const xmlNode *parent)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && is_blank_text(c->prev)) {
            return c->prev->content;
        }
    }
    return NULL;
}

/* (libxml2 merges adjacent text nodes, hence the order of the steps.) */
void xml_append_element(xmlNodePtr parent, xmlNodePtr node)
{
    const xmlChar *indent = indent_of(parent);
    xmlNodePtr last = parent->last;
    if (indent && is_blank_text(last)) {
        xmlAddPrevSibling(last, node);
        xmlAddPrevSibling(node, xmlNewDocText(parent->doc, indent));
    } else {
        xmlAddChild(parent, node);
    }
}

xmlNodePtr xml_child_or_new(xmlNodePtr parent, const char *name)
{
    xmlNodePtr c = xml_child(parent, name);
    if (!c) {
        c = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL);
        xml_append_element(parent, c);
    }
    return c;
}

void xml_insert_before(xmlNodePtr ref, xmlNodePtr node)
{
    const xmlChar *indent = indent_of(ref->parent);
    xmlAddPrevSibling(ref, node);
    if (indent) {
        xmlAddNextSibling(node, xmlNewDocText(ref->doc, indent));
    }
}

void xml_replace_element(xmlNodePtr old, xmlNodePtr node)
{
    xmlReplaceNode(old, node);
    xmlFreeNode(old);
}

void xml_remove_element(xmlNodePtr node)
{
    xmlNodePtr parent = node->parent;
    if (is_blank_text(node->prev)) {
        xmlNodePtr blank = node->prev;
        xmlUnlinkNode(blank);
        xmlFreeNode(blank);
    }
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    bool only_blanks = true;
    for (xmlNodePtr c = parent ? parent->children : NULL; c && only_blanks; c = c->next) {
        only_blanks = is_blank_text(c);
    }
    while (parent && only_blanks && parent->children) {
        xmlNodePtr c = parent->children;
        xmlUnlinkNode(c);
        xmlFreeNode(c);
    }
}

bool xml_has_declaration(const char *text, size_t size)
{
    size_t i = 0;
    while (i < size && strchr(" \t\r\n", text[i]) && text[i]) {
        i++;
    }
    return size - i >= 5 && !memcmp(text + i, "<?xml", 5);
}
