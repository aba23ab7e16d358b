#include "offerings/offering.h"

#include <inttypes.h>
#include <libxml/tree.h>
#include <string.h>

#include "helper/mem.h"
#include "helper/text.h"
#include "helper/xml.h"

static xmlNodePtr add_element(xmlNodePtr parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static void set_attr(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void set_attr_u64(xmlNodePtr node, const char *name, uint64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, value);
    set_attr(node, name, text);
}

static char *element_string(xmlNodePtr root)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlDocSetRootElement(doc, root);
    return xml_node_string(doc, root);
}

struct err *offering_snippets(const struct offering_params *p, char **numa, char **hugepages)
{
    if (p->page_size_kib != 2048 && p->page_size_kib != 1048576) {
        return err_new(ERR_INVALID_REQUEST, "page_size_kib",
                       "page_size_kib must be 2048 (2 MiB) or 1048576 (1 GiB), not %" PRIu64,
                       p->page_size_kib);
    }
    if (p->vcpus == 0) {
        return err_new(ERR_INVALID_REQUEST, "vcpus", "vcpus must be at least 1");
    }
    uint64_t page_mib = p->page_size_kib / 1024;
    if (p->memory_mib % page_mib) {
        return err_new(ERR_INVALID_REQUEST, "memory_mib",
                       "%" PRIu64 " MiB is not a whole number of %" PRIu64 " KiB pages",
                       p->memory_mib, p->page_size_kib);
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < p->n_cells; i++) {
        if (p->cells[i].memory_mib % page_mib) {
            _cleanup_free_ char *field = mem_asprintf("cells[%zu].memory_mib", i);
            return err_new(ERR_INVALID_REQUEST, field,
                           "%" PRIu64 " MiB is not a whole number of %" PRIu64 " KiB pages",
                           p->cells[i].memory_mib, p->page_size_kib);
        }
        sum += p->cells[i].memory_mib;
    }
    if (p->n_cells && sum != p->memory_mib) {
        return err_new(ERR_INVALID_REQUEST, "cells",
                       "the cells' memory adds up to %" PRIu64 " MiB, not memory_mib %" PRIu64,
                       sum, p->memory_mib);
    }

    xmlNodePtr cpu = xmlNewNode(NULL, BAD_CAST "cpu");
    xmlNodePtr cells = add_element(cpu, "numa");
    for (size_t i = 0; i < (p->n_cells ? p->n_cells : 1); i++) {
        xmlNodePtr cell = add_element(cells, "cell");
        _cleanup_free_ char *all = p->vcpus == 1 ? mem_strdup("0")
                                                 : mem_asprintf("0-%u", p->vcpus - 1);
        set_attr_u64(cell, "id", i);
        set_attr(cell, "cpus", p->n_cells ? p->cells[i].cpus : all);
        set_attr_u64(cell, "memory", (p->n_cells ? p->cells[i].memory_mib : p->memory_mib) * 1024);
        set_attr(cell, "unit", "KiB");
        set_attr(cell, "memAccess", "shared");
    }
    xmlNodePtr backing = xmlNewNode(NULL, BAD_CAST "memoryBacking");
    xmlNodePtr page = add_element(add_element(backing, "hugepages"), "page");
    set_attr_u64(page, "size", p->page_size_kib);
    set_attr(page, "unit", "KiB");

    *numa = element_string(cpu);
    *hugepages = element_string(backing);
    return NULL;
}

static bool java_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '*' || c == '_';
}

char *offering_url_encode(const char *s)
{
    char *out = mem_alloc0(3 * strlen(s) + 1), *w = out;
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (java_unreserved(*p)) {
            *w++ = (char) *p;
        } else if (*p == ' ') {
            *w++ = '+';
        } else {
            w += sprintf(w, "%%%02X", *p);
        }
    }
    *w = '\0';
    return out;
}

char *offering_shell_word(const char *s)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%+-./:=@_,") ==
                  strlen(s)) {
        return mem_strdup(s);
    }
    char *out = mem_alloc0(4 * strlen(s) + 3), *w = out;
    *w++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(w, "'\\''", 4); /* close, an escaped quote, open again */
            w += 4;
        } else {
            *w++ = *p;
        }
    }
    *w++ = '\'';
    *w = '\0';
    return out;
}

char *offering_join(const char *const *strings, size_t n, const char *separator)
{
    size_t size = 1;
    for (size_t i = 0; i < n; i++) {
        size += strlen(strings[i]) + strlen(separator);
    }
    char *out = mem_alloc0(size), *w = out;
    for (size_t i = 0; i < n; i++) {
        w = stpcpy(w, i ? separator : "");
        w = stpcpy(w, strings[i]);
    }
    return out;
}

char *offering_setting_cloudmonkey(const char *name, const char *value)
{
    _cleanup_free_ char *name_arg = mem_asprintf("name=%s", name);
    _cleanup_free_ char *value_arg = mem_asprintf("value=%s", value);
    _cleanup_free_ char *name_word = offering_shell_word(name_arg);
    _cleanup_free_ char *value_word = offering_shell_word(value_arg);
    return mem_asprintf("update configuration %s %s accountid=" OFFERING_ACCOUNT_PLACEHOLDER,
                        name_word, value_word);
}

char *offering_setting_query(const char *name, const char *value)
{
    _cleanup_free_ char *encoded_name = offering_url_encode(name);
    _cleanup_free_ char *encoded_value = offering_url_encode(value);
    return mem_asprintf("command=updateConfiguration&name=%s&value=%s&accountid="
                        OFFERING_ACCOUNT_PLACEHOLDER,
                        encoded_name, encoded_value);
}

void offering_command_clear(struct offering_command *c)
{
    for (size_t i = 0; i < c->n_args; i++) {
        free(c->args[i].key);
        free(c->args[i].value);
    }
    free(c->args);
    *c = (struct offering_command){0};
}

/* The next shell word of '*pp' into a new string, or NULL at the end;
 * '*open' tells of an unterminated quote. */
static char *next_word(const char **pp, bool *open)
{
    const char *p = *pp + strspn(*pp, " \t\r\n");
    while (p[0] == '\\' && p[1] == '\n') { /* a continued line between words */
        p += 2;
        p += strspn(p, " \t\r\n");
    }
    if (!*p) {
        *pp = p;
        return NULL;
    }
    char *out = mem_alloc0(strlen(p) + 1), *w = out;
    while (*p && !strchr(" \t\r\n", *p)) {
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                *open = true;
                break;
            }
            memcpy(w, p + 1, (size_t) (end - p - 1));
            w += end - p - 1;
            p = end + 1;
        } else if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] == '\n') {
                    p++; /* a line continued: nothing */
                    continue;
                }
                if (*p == '\\' && p[1] && strchr("\"\\$`", p[1])) {
                    p++;
                }
                *w++ = *p;
            }
            if (!*p) {
                *open = true;
                break;
            }
            p++;
        } else if (*p == '\\' && p[1] == '\n') {
            p += 2; /* a line continued: nothing */
        } else if (*p == '\\' && p[1]) {
            *w++ = p[1];
            p += 2;
        } else {
            *w++ = *p++;
        }
    }
    *pp = p;
    return out;
}

struct err *offering_command_parse(const char *line, const char *field, struct offering_command *out)
{
    _cleanup_(offering_command_clear) struct offering_command c = {0};
    size_t n_alloc = 0, n_words = 0;
    bool open = false;
    const char *p = line;
    char *word;

    while ((word = next_word(&p, &open))) {
        _cleanup_free_ char *w = word;
        n_words++;
        if (open) {
            return err_new(ERR_INVALID_REQUEST, field, "a quote is not closed");
        }
        if (n_words == 1 && streq(w, "cmk")) {
            n_words--;
            continue;
        }
        if ((n_words == 1 && !streq(w, "create")) || (n_words == 2 && !streq(w, "serviceoffering"))) {
            return err_new(ERR_INVALID_REQUEST, field,
                           "not a 'create serviceoffering' command (word %zu)", n_words);
        }
        if (n_words <= 2) {
            continue;
        }
        char *eq = strchr(w, '=');
        if (!eq || eq == w) {
            _cleanup_free_ char *shown = text_quote_for_message(w, 64);
            return err_new(ERR_INVALID_REQUEST, field, "%s is not a key=value argument", shown);
        }
        mem_grow((void **) &c.args, &n_alloc, c.n_args + 1, sizeof *c.args);
        c.args[c.n_args++] = (struct offering_arg){
            .key = mem_strndup(w, (size_t) (eq - w)),
            .value = mem_strdup(eq + 1),
        };
    }
    if (n_words < 2) {
        return err_new(ERR_INVALID_REQUEST, field, "not a 'create serviceoffering' command");
    }
    *out = c;
    c = (struct offering_command){0};
    return NULL;
}
