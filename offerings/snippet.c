#include "offerings/snippet.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <strings.h>

#include "helper/mem.h"
#include "helper/xml.h"
#include "helper/text.h"

DEFINE_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

static void xml_free_node_listp(xmlNodePtr *list)
{
    xmlFreeNodeList(*list);
}

static void xml_charp_free(xmlChar **p)
{
    xmlFree(*p);
}

void snippet_free(struct snippet *s)
{
    if (s) {
        free(s->xml);
        for (size_t i = 0; i < s->n_roots; i++) {
            free(s->roots[i]);
        }
        free(s->roots);
        for (size_t i = 0; i < s->n_elements; i++) {
            free(s->elements[i]);
        }
        free(s->elements);
        free(s);
    }
}

/* ---- parsing (helper/xml.c) ---- */

static size_t tree_depth(const xmlNode *list)
{
    size_t depth = 0;
    for (const xmlNode *n = list; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            size_t d = 1 + tree_depth(n->children);
            depth = d > depth ? d : depth;
        }
    }
    return depth;
}

/* ---- values ---- */

static bool parse_uint(const char *s, unsigned long long *v)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20) {
        return false;
    }
    errno = 0;
    *v = strtoull(s, NULL, 10);
    return errno == 0;
}

static bool parse_hex(const char *s, unsigned long long *v)
{
    if (strncmp(s, "0x", 2) || !s[2] || strlen(s + 2) > 8 ||
        strspn(s + 2, "0123456789abcdefABCDEF") != strlen(s + 2)) {
        return false;
    }
    *v = strtoull(s + 2, NULL, 16);
    return true;
}

/* libvirt's cpuset syntax: items separated by ',', each 'N', 'N-M' or '^N'
 * (excluded), ids at most 'max'; at least one id must remain set. */
static bool parse_cpuset(const char *s, unsigned long long max)
{
    bool any_positive = false;

    for (const char *p = s;;) {
        bool negated = *p == '^';
        p += negated;
        size_t n = strspn(p, "0123456789");
        if (n == 0 || n > 5) {
            return false;
        }
        unsigned long lo = strtoul(p, NULL, 10), hi = lo;
        p += n;
        if (*p == '-' && !negated) {
            p++;
            n = strspn(p, "0123456789");
            if (n == 0 || n > 5) {
                return false;
            }
            hi = strtoul(p, NULL, 10);
            p += n;
        }
        if (lo > hi || hi > max) {
            return false;
        }
        any_positive |= !negated;
        if (*p == '\0') {
            return any_positive;
        }
        if (*p++ != ',') {
            return false;
        }
    }
}

static bool is_token(const char *s)
{
    size_t len = strlen(s);
    return len >= 1 && len <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == len;
}

static char *describe_choices(const char *const *choices)
{
    size_t size = 1;
    for (const char *const *c = choices; *c; c++) {
        size += strlen(*c) + 4;
    }
    char *s = mem_alloc0(size), *p = s;
    for (const char *const *c = choices; *c; c++) {
        p += sprintf(p, "%s'%s'", c == choices ? "" : c[1] ? ", " : " or ", *c);
    }
    return s;
}

static struct err *check_value(const struct attr_rule *rule, const char *value, const char *where,
                               const char *field)
{
    unsigned long long v;
    _cleanup_free_ char *shown = text_quote_for_message(value, 64);

    switch (rule->kind) {
    case VALUE_UINT:
        if (!parse_uint(value, &v) || v < rule->min || v > rule->max) {
            return err_new(ERR_INVALID_XML, field,
                           "%s: %s=%s must be a whole number from %llu to %llu", where, rule->name,
                           shown, rule->min, rule->max);
        }
        return NULL;
    case VALUE_HEX:
        if (!parse_hex(value, &v) || v > rule->max) {
            return err_new(ERR_INVALID_XML, field,
                           "%s: %s=%s must be a hex number from 0x0 to 0x%llx", where, rule->name,
                           shown, rule->max);
        }
        return NULL;
    case VALUE_ENUM:
        for (const char *const *c = rule->choices; *c; c++) {
            if (streq(*c, value)) {
                return NULL;
            }
        }
        if (rule->why) {
            return err_new(ERR_INVALID_XML, field, "%s: %s=%s is not allowed; %s", where,
                           rule->name, shown, rule->why);
        } else {
            _cleanup_free_ char *choices = describe_choices(rule->choices);
            return err_new(ERR_INVALID_XML, field, "%s: %s=%s must be %s", where, rule->name,
                           shown, choices);
        }
    case VALUE_CPUSET:
        if (!parse_cpuset(value, rule->max)) {
            return err_new(ERR_INVALID_XML, field,
                           "%s: %s=%s must be a list like '0-3,^2,8' of ids from 0 to %llu", where,
                           rule->name, shown, rule->max);
        }
        return NULL;
    case VALUE_TOKEN:
        if (!is_token(value)) {
            return err_new(ERR_INVALID_XML, field,
                           "%s: %s=%s must be 1 to 64 letters, digits or '_.+-'", where,
                           rule->name, shown);
        }
        return NULL;
    }
    return err_new(ERR_INTERNAL, field, "unknown value kind");
}

/* ---- the walk ---- */

static bool is_blank(const xmlChar *s)
{
    return s == NULL || strspn((const char *) s, " \t\r\n") == strlen((const char *) s);
}

static char *describe_children(const struct child_rule *rules)
{
    size_t size = 1;
    for (const struct child_rule *r = rules; r->elem; r++) {
        size += strlen(r->elem->name) + 4;
    }
    char *s = mem_alloc0(size), *p = s;
    for (const struct child_rule *r = rules; r->elem; r++) {
        p += sprintf(p, "%s<%s>", r == rules ? "" : ", ", r->elem->name);
    }
    return s;
}

static char *qualified_name(const xmlNode *node)
{
    if (node->ns && node->ns->prefix) {
        return mem_asprintf("%s:%s", node->ns->prefix, node->name);
    }
    return mem_strdup((const char *) node->name);
}

/* The first element in document order, at or below @node, that is in a
 * namespace: depth is bounded by the parser's limit. */
static const xmlNode *first_namespaced(const xmlNode *node)
{
    if (node->type == XML_ELEMENT_NODE && node->ns) {
        return node;
    }
    for (const xmlNode *c = node->children; c; c = c->next) {
        const xmlNode *found = c->type == XML_ELEMENT_NODE ? first_namespaced(c) : NULL;
        if (found) {
            return found;
        }
    }
    return NULL;
}

struct walk {
    const struct grammar *grammar;
    const char *field;
    xmlDocPtr out_doc;
};

static struct err *walk_children(struct walk *w, const xmlNode *first, const struct child_rule *rules,
                                 const char *where, xmlNodePtr out_parent);

static struct err *walk_attributes(struct walk *w, const xmlNode *in, const struct elem_rule *rule,
                                   const char *where, xmlNodePtr out)
{
    static const struct attr_rule no_attrs[] = {{.name = NULL}};
    const struct attr_rule *attrs = rule->attrs ? rule->attrs : no_attrs;

    if (in->nsDef) {
        /* Name what the declaration is for (<xi:include>, <qemu:commandline>),
         * not only the declaration. */
        const xmlNode *user = first_namespaced(in);
        if (user) {
            _cleanup_free_ char *name = qualified_name(user);
            _cleanup_free_ char *shown = text_quote_for_message(name, 64);
            shown[0] = '<', shown[strlen(shown) - 1] = '>';
            return err_new(ERR_FORBIDDEN_XML, w->field,
                           "%s: element %s is not allowed (namespaces are outside the grammar)",
                           where, shown);
        }
        return err_new(ERR_FORBIDDEN_XML, w->field,
                       "%s: namespace declarations (xmlns) are not allowed", where);
    }
    for (const xmlAttr *a = in->properties; a; a = a->next) {
        const struct attr_rule *r = NULL;
        for (const struct attr_rule *c = attrs; c->name && !a->ns; c++) {
            if (streq(c->name, (const char *) a->name)) {
                r = c;
                break;
            }
        }
        if (!r) {
            _cleanup_free_ char *name =
                a->ns && a->ns->prefix ? mem_asprintf("%s:%s", a->ns->prefix, a->name)
                                       : mem_strdup((const char *) a->name);
            _cleanup_free_ char *shown = text_quote_for_message(name, 64);
            return err_new(ERR_FORBIDDEN_XML, w->field, "%s: attribute %s is not allowed on <%s>",
                           where, shown, rule->name);
        }
    }
    /* In the order of the grammar, so that the output does not depend on
     * the order the admin wrote them in. */
    for (const struct attr_rule *r = attrs; r->name; r++) {
        _cleanup_(xml_charp_free) xmlChar *value = xmlGetNoNsProp(in, BAD_CAST r->name);
        if (!value) {
            if (r->required) {
                if (r->why) {
                    return err_new(ERR_INVALID_XML, w->field, "%s: missing attribute '%s'; %s",
                                   where, r->name, r->why);
                }
                return err_new(ERR_INVALID_XML, w->field, "%s: missing attribute '%s'", where,
                               r->name);
            }
            continue;
        }
        struct err *e = check_value(r, (const char *) value, where, w->field);
        if (e) {
            return e;
        }
        xmlNewProp(out, BAD_CAST r->name, value);
    }
    return NULL;
}

static struct err *walk_element(struct walk *w, const xmlNode *in, const struct elem_rule *rule,
                                const char *where, xmlNodePtr out_parent)
{
    xmlNodePtr out = xmlNewDocNode(w->out_doc, NULL, BAD_CAST rule->name, NULL);
    xmlAddChild(out_parent, out);

    struct err *e = walk_attributes(w, in, rule, where, out);
    if (e) {
        return e;
    }

    if (rule->has_text) {
        _cleanup_free_ char *text = NULL;
        for (const xmlNode *c = in->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE || c->type == XML_PI_NODE) {
                return err_new(ERR_FORBIDDEN_XML, w->field, "%s: <%s> holds text only", where,
                               rule->name);
            }
            if (c->type == XML_TEXT_NODE) {
                char *joined = mem_asprintf("%s%s", text ? text : "", (const char *) c->content);
                free(text);
                text = joined;
            }
        }
        if (!text || !is_token(text)) {
            _cleanup_free_ char *shown = text_quote_for_message(text ? text : "", 64);
            return err_new(ERR_INVALID_XML, w->field,
                           "%s: the text %s must be 1 to 64 letters, digits or '_.+-'", where,
                           shown);
        }
        xmlAddChild(out, xmlNewDocText(w->out_doc, BAD_CAST text));
        return NULL;
    }

    static const struct child_rule no_children[] = {{.elem = NULL}};
    return walk_children(w, in->children, rule->children ? rule->children : no_children, where,
                         out);
}

/* Two siblings of the same kind must not share the value of an attribute
 * the grammar marks unique (two cells with the same id). */
static struct err *check_unique(struct walk *w, const struct child_rule *rules,
                                xmlNodePtr out_parent, const char *where)
{
    for (const struct child_rule *r = rules; r->elem; r++) {
        for (const struct attr_rule *u = r->elem->attrs; u && u->name; u++) {
            if (!u->unique) {
                continue;
            }
            for (xmlNodePtr a = out_parent->children; a; a = a->next) {
                if (!xmlStrEqual(a->name, BAD_CAST r->elem->name)) {
                    continue;
                }
                _cleanup_(xml_charp_free) xmlChar *va = xmlGetNoNsProp(a, BAD_CAST u->name);
                for (xmlNodePtr b = a->next; b && va; b = b->next) {
                    if (!xmlStrEqual(b->name, a->name)) {
                        continue;
                    }
                    _cleanup_(xml_charp_free) xmlChar *vb = xmlGetNoNsProp(b, BAD_CAST u->name);
                    if (vb && xmlStrEqual(va, vb)) {
                        return err_new(ERR_INVALID_XML, w->field,
                                       "%s: two <%s> elements have %s='%s'", where, r->elem->name,
                                       u->name, (const char *) va);
                    }
                }
            }
        }
    }
    return NULL;
}

static struct err *walk_children(struct walk *w, const xmlNode *first, const struct child_rule *rules,
                                 const char *where, xmlNodePtr out_parent)
{
    unsigned counts[64] = {0};
    size_t n_rules = 0;
    while (rules[n_rules].elem) {
        n_rules++;
    }

    for (const xmlNode *c = first; c; c = c->next) {
        switch (c->type) {
        case XML_ELEMENT_NODE:
            break;
        case XML_COMMENT_NODE:
            continue;
        case XML_TEXT_NODE:
            if (is_blank(c->content)) {
                continue;
            } else {
                _cleanup_free_ char *shown = text_quote_for_message((const char *) c->content, 32);
                return err_new(ERR_FORBIDDEN_XML, w->field, "%s: text %s is not allowed here",
                               *where ? where : "top level", shown);
            }
        case XML_PI_NODE:
            return err_new(ERR_FORBIDDEN_XML, w->field,
                           "%s: processing instruction <?%s?> is not allowed",
                           *where ? where : "top level", (const char *) c->name);
        default:
            return err_new(ERR_FORBIDDEN_XML, w->field, "%s: XML node of type %d is not allowed",
                           *where ? where : "top level", (int) c->type);
        }

        size_t i = 0;
        while (i < n_rules && (c->ns || !streq(rules[i].elem->name, (const char *) c->name))) {
            i++;
        }
        if (i == n_rules) {
            _cleanup_free_ char *name = qualified_name(c);
            _cleanup_free_ char *shown = text_quote_for_message(name, 64);
            shown[0] = '<', shown[strlen(shown) - 1] = '>';
            if (!*where) {
                return err_new(ERR_FORBIDDEN_XML, w->field,
                               "element %s is not allowed: this detail holds %s", shown,
                               w->grammar->holds);
            }
            _cleanup_free_ char *allowed = describe_children(rules);
            return err_new(ERR_FORBIDDEN_XML, w->field, "%s: element %s is not allowed%s%s", where,
                           shown, n_rules ? " here; allowed: " : " here",
                           n_rules ? allowed : "");
        }

        const struct child_rule *r = &rules[i];
        if (++counts[i] > r->max) {
            return err_new(ERR_INVALID_XML, w->field, "%s: at most %u <%s> allowed",
                           *where ? where : "top level", r->max, r->elem->name);
        }
        _cleanup_free_ char *child_where =
            r->max > 1 ? mem_asprintf("%s/%s[%u]", where, r->elem->name, counts[i])
                       : mem_asprintf("%s/%s", where, r->elem->name);
        struct err *e = walk_element(w, c, r->elem, child_where, out_parent);
        if (e) {
            return e;
        }
    }

    for (size_t i = 0; i < n_rules; i++) {
        if (counts[i] < rules[i].min) {
            if (!*where) {
                return err_new(ERR_INVALID_XML, w->field, "missing <%s>: this detail holds %s",
                               rules[i].elem->name, w->grammar->holds);
            }
            return err_new(ERR_INVALID_XML, w->field, "%s: missing <%s>", where,
                           rules[i].elem->name);
        }
    }
    return check_unique(w, rules, out_parent, *where ? where : "top level");
}

/* The names of 'list' and of every element below it, appended to the
 * snippet's list (sorted and made unique by the caller). The rebuilt tree
 * holds exactly the elements the admin wrote (the grammar refuses the
 * others, only comments and blanks are left out), so these are the names
 * CloudStack sees in the value. */
static void collect_elements(const xmlNode *list, struct snippet *s, size_t *n_alloc)
{
    for (const xmlNode *n = list; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            mem_grow((void **) &s->elements, n_alloc, s->n_elements + 1, sizeof *s->elements);
            s->elements[s->n_elements++] = mem_strdup((const char *) n->name);
            collect_elements(n->children, s, n_alloc);
        }
    }
}

/* Text left at the top level after one decoding that still holds escapes
 * was most likely URL-encoded twice, or given with "encoding": "none". */
static bool looks_url_encoded(const char *xml)
{
    return strcasestr(xml, "%3C") || strcasestr(xml, "%3E");
}

struct err *snippet_parse(const struct grammar *grammar, const char *xml, size_t size,
                          const char *field, struct snippet **out)
{
    if (size > SNIPPET_MAX_SIZE) {
        return err_new(ERR_INVALID_XML, field, "the snippet is %zu bytes; at most %d are allowed",
                       size, SNIPPET_MAX_SIZE);
    }
    if (strlen(xml) != size) {
        return err_new(ERR_INVALID_ENCODING, field, "NUL is not allowed");
    }
    if (is_blank(BAD_CAST xml)) {
        return err_new(ERR_INVALID_XML, field, "the value is empty; this detail holds %s",
                       grammar->holds);
    }
    if (xml[strspn(xml, " \t\r\n")] != '<' && looks_url_encoded(xml)) {
        return err_new(ERR_INVALID_ENCODING, field,
                       "the value is still URL-encoded after decoding: it was encoded twice, or it is encoded and \"encoding\" is \"none\"");
    }

    _cleanup_(xmlFreeDocp) xmlDocPtr in_doc = NULL;
    _cleanup_(xml_free_node_listp) xmlNodePtr list = NULL;
    struct err *e = xml_parse_fragment(xml, size, field, &in_doc, &list);
    if (e) {
        return e;
    }
    if (tree_depth(list) > SNIPPET_MAX_DEPTH) {
        return err_new(ERR_INVALID_XML, field, "elements are nested deeper than %d levels",
                       SNIPPET_MAX_DEPTH);
    }

    _cleanup_(xmlFreeDocp) xmlDocPtr out_doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr holder = xmlNewDocNode(out_doc, NULL, BAD_CAST "snippet", NULL);
    xmlDocSetRootElement(out_doc, holder);

    struct walk w = {.grammar = grammar, .field = field, .out_doc = out_doc};
    e = walk_children(&w, list, grammar->roots, "", holder);
    if (e) {
        return e;
    }

    _cleanup_(snippet_freep) struct snippet *s = mem_new0(struct snippet, 1);
    _cleanup_(xmlBufferFreep) xmlBufferPtr buf = xmlBufferCreate();
    for (xmlNodePtr n = holder->children; n; n = n->next) {
        s->n_roots++;
    }
    if (s->n_roots < grammar->min_roots) {
        return err_new(ERR_INVALID_XML, field, "the value holds no element; this detail holds %s",
                       grammar->holds);
    }
    s->roots = mem_new0(char *, s->n_roots);
    size_t i = 0;
    for (xmlNodePtr n = holder->children; n; n = n->next) {
        s->roots[i++] = mem_strdup((const char *) n->name);
        if (xmlNodeDump(buf, out_doc, n, 0, 0) < 0) {
            return err_new(ERR_INTERNAL, field, "libxml2 could not serialise the snippet");
        }
    }
    s->xml = mem_strdup((const char *) xmlBufferContent(buf));
    size_t n_elements_alloc = 0;
    collect_elements(holder->children, s, &n_elements_alloc);
    text_sort_unique(s->elements, &s->n_elements);
    *out = TAKE_PTR(s);
    return NULL;
}
