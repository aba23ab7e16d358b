#include "helper/agent.h"

#include <errno.h>
#include <stdio.h>

#include "helper/mem.h"
#include "helper/text.h"

#define PROPERTIES_MAX_SIZE (1024 * 1024)

void agent_config_clear(struct agent_config *cfg)
{
    free(cfg->bridge_type);
    free(cfg->dpdk_enabled);
    free(cfg->socket_dir);
    *cfg = (struct agent_config){0};
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* Appends the UTF-8 form of code point 'cp' at 'p'; returns the new end. */
static char *put_utf8(char *p, unsigned cp)
{
    if (cp < 0x80) {
        *p++ = (char) cp;
    } else if (cp < 0x800) {
        *p++ = (char) (0xc0 | cp >> 6);
        *p++ = (char) (0x80 | (cp & 0x3f));
    } else {
        *p++ = (char) (0xe0 | cp >> 12);
        *p++ = (char) (0x80 | (cp >> 6 & 0x3f));
        *p++ = (char) (0x80 | (cp & 0x3f));
    }
    return p;
}

/* One logical line (continuations joined) into 'out', unescaped, split at
 * the separator; returns the position after the line. */
static const char *read_logical_line(const char *p, char *key, char *value)
{
    char *out = key;
    bool in_key = true;

    while (is_blank(*p)) {
        p++;
    }
    for (;;) {
        char c = *p;
        if (c == '\0' || c == '\n' || c == '\r') {
            p += c == '\r' && p[1] == '\n' ? 2 : c ? 1 : 0;
            break;
        }
        p++;
        if (c == '\\') {
            char e = *p;
            if (e == '\n' || e == '\r' || e == '\0') {
                /* Continuation: skip the break and the next line's blanks. */
                p += e == '\r' && p[1] == '\n' ? 2 : e ? 1 : 0;
                while (is_blank(*p)) {
                    p++;
                }
                continue;
            }
            p++;
            if (e == 'u' && strspn(p, "0123456789abcdefABCDEF") >= 4) {
                char hex[5] = {p[0], p[1], p[2], p[3], 0};
                out = put_utf8(out, (unsigned) strtoul(hex, NULL, 16));
                p += 4;
                continue;
            }
            *out++ = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 'f' ? '\f' : e;
            continue;
        }
        if (in_key && (c == '=' || c == ':' || is_blank(c))) {
            /* Java: the key ends at '=', ':' or a blank; blanks, at most
             * one '=' or ':' after a blank, and blanks again, separate it
             * from the value. */
            *out = '\0';
            in_key = false;
            out = value;
            if (is_blank(c)) {
                while (is_blank(*p)) {
                    p++;
                }
                p += *p == '=' || *p == ':';
            }
            while (is_blank(*p)) {
                p++;
            }
            continue;
        }
        *out++ = c;
    }
    *out = '\0';
    if (in_key) {
        *value = '\0';
    }
    return p;
}

char *agent_properties_get(const char *text, const char *key)
{
    size_t size = strlen(text);
    _cleanup_free_ char *k = mem_alloc0(size + 1);
    _cleanup_free_ char *v = mem_alloc0(size + 1);
    char *found = NULL;

    for (const char *p = text; *p;) {
        const char *line = p;
        while (is_blank(*line)) {
            line++;
        }
        if (*line == '#' || *line == '!' || *line == '\n' || *line == '\r') {
            p = line + strcspn(line, "\n");
            p += *p == '\n';
            continue;
        }
        p = read_logical_line(p, k, v);
        if (*k && streq(k, key)) {
            free(found); /* the last one wins, as in Java */
            found = mem_strdup(v);
        }
    }
    return found;
}

char *agent_normalise_dir(const char *dir)
{
    char *out = mem_strdup(dir), *w = out;
    for (const char *r = dir; *r; r++) {
        if (*r == '/' && w > out && w[-1] == '/') {
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
    while (w - out > 1 && w[-1] == '/') {
        *--w = '\0';
    }
    return out;
}

struct err *agent_config_load(const char *path, struct agent_config *cfg)
{
    *cfg = (struct agent_config){0};
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT) {
        cfg->socket_dir = mem_strdup(AGENT_DEFAULT_SOCKET_DIR);
        return NULL;
    }
    if (!f) {
        _cleanup_free_ char *shown = text_quote_for_message(path, 256);
        return err_new(ERR_USAGE, NULL, "cannot read the agent properties %s: %s", shown,
                       strerror(errno));
    }
    _cleanup_free_ char *text = mem_alloc0(PROPERTIES_MAX_SIZE + 1);
    size_t size = fread(text, 1, PROPERTIES_MAX_SIZE, f);
    int read_errno = ferror(f) ? (errno ? errno : EIO) : 0; /* EISDIR for a directory */
    bool larger = !read_errno && size == PROPERTIES_MAX_SIZE && fgetc(f) != EOF;
    fclose(f);
    if (read_errno || larger) {
        _cleanup_free_ char *shown = text_quote_for_message(path, 256);
        return larger ? err_new(ERR_USAGE, NULL, "the agent properties %s are larger than %d bytes",
                                shown, PROPERTIES_MAX_SIZE)
                      : err_new(ERR_USAGE, NULL, "cannot read the agent properties %s: %s", shown,
                                strerror(read_errno));
    }
    text[size] = '\0';

    cfg->found = true;
    cfg->bridge_type = agent_properties_get(text, "network.bridge.type");
    cfg->dpdk_enabled = agent_properties_get(text, "openvswitch.dpdk.enabled");
    _cleanup_free_ char *dir = agent_properties_get(text, "openvswitch.dpdk.ovs.path");
    cfg->socket_dir_set = dir && *dir;
    cfg->socket_dir = agent_normalise_dir(cfg->socket_dir_set ? dir : AGENT_DEFAULT_SOCKET_DIR);
    struct err *bad_text = text_check(cfg->socket_dir, strlen(cfg->socket_dir), NULL);
    bool invalid = cfg->socket_dir[0] != '/' || bad_text;
    err_free(bad_text);
    if (invalid) {
        _cleanup_free_ char *shown = text_quote_for_message(cfg->socket_dir, 128);
        agent_config_clear(cfg);
        return err_new(ERR_INVALID_REQUEST, "agent.properties:openvswitch.dpdk.ovs.path",
                       "the vhost-user socket directory must be an absolute path, not %s", shown);
    }
    return NULL;
}
