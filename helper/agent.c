#include "helper/agent.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <sys/types.h>

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

/* java.util.Properties.load(InputStream), which is how the agent reads
 * agent.properties (PropertiesUtil.loadFromFile), ported step by step so that
 * both read the same values from the same bytes: every byte is one ISO-8859-1
 * character; natural lines end at LF, CR or CRLF; a logical line continues
 * while a natural line ends in an odd number of '\'; comments ('#', '!') and
 * blank lines are skipped; then the key is split from the value, and both
 * are unescaped into UTF-16 (as Java's String), given back here as UTF-8.
 * tests/integration/properties-oracle.sh compares it with Java itself. */

static bool is_blank(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* LineReader.readLine(): the next logical line into 'line' (as raw bytes,
 * escapes kept, continuations joined); returns its length, or -1 at the end.
 * 'line' must hold the rest of the input. */
static ssize_t read_line(const unsigned char **pp, const unsigned char *end, unsigned char *line)
{
    const unsigned char *p = *pp;
    size_t len = 0;
    bool skip_blank = true, continued = false, backslash = false, skip_lf = false;

    for (;;) {
        if (p == end) {
            *pp = p;
            return len == 0 ? -1 : (ssize_t) (backslash ? len - 1 : len);
        }
        unsigned char c = *p++;
        if (skip_lf) {
            skip_lf = false;
            if (c == '\n') {
                continue;
            }
        }
        if (skip_blank) {
            if (is_blank(c) || (!continued && (c == '\r' || c == '\n'))) {
                continue;
            }
            skip_blank = false;
            continued = false;
        }
        if (len == 0 && (c == '#' || c == '!')) {
            while (p < end && *p != '\r' && *p != '\n') {
                p++;
            }
            if (p == end) {
                *pp = p;
                return -1;
            }
            p++;
            skip_blank = true;
            continue;
        }
        if (c != '\n' && c != '\r') {
            line[len++] = c;
            backslash = c == '\\' ? !backslash : false;
            continue;
        }
        if (len == 0) {
            skip_blank = true;
            continue;
        }
        if (p == end || !backslash) {
            *pp = p;
            return (ssize_t) (backslash ? len - 1 : len);
        }
        /* A continuation: the '\' goes, and the next line's blanks. */
        len--;
        skip_blank = true;
        continued = true;
        backslash = false;
        skip_lf = c == '\r';
    }
}

static int hex_digit(unsigned c)
{
    return c >= '0' && c <= '9' ? (int) c - '0'
         : c >= 'a' && c <= 'f' ? (int) c - 'a' + 10
         : c >= 'A' && c <= 'F' ? (int) c - 'A' + 10 : -1;
}

/* Properties.loadConvert(): unescapes in[0..n) into UTF-16 units; returns
 * their number, or -1 for a malformed \uXXXX (Java throws, and the whole
 * load fails). */
static ssize_t unescape(const unsigned char *in, size_t n, uint16_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = in[i++];
        if (c != '\\') {
            out[o++] = (uint16_t) c;
            continue;
        }
        if (i == n) {
            break; /* cannot happen: read_line drops a lone final '\' */
        }
        c = in[i++];
        if (c == 'u') {
            if (i + 4 > n) {
                return -1;
            }
            unsigned value = 0;
            for (int k = 0; k < 4; k++) {
                int d = hex_digit(in[i++]);
                if (d < 0) {
                    return -1;
                }
                value = value << 4 | (unsigned) d;
            }
            out[o++] = (uint16_t) value;
            continue;
        }
        out[o++] = c == 't' ? '\t' : c == 'r' ? '\r' : c == 'n' ? '\n' : c == 'f' ? '\f' : (uint16_t) c;
    }
    return (ssize_t) o;
}

/* UTF-16 to UTF-8 as Java's String.getBytes(UTF_8): a surrogate pair is one
 * code point, a lone surrogate becomes '?'. 'out' holds 3 bytes a unit;
 * returns the length written (before the added NUL). */
static size_t utf16_to_utf8(const uint16_t *in, size_t n, char *out)
{
    unsigned char *p = (unsigned char *) out;
    for (size_t i = 0; i < n; i++) {
        unsigned cp = in[i];
        if (cp >= 0xd800 && cp <= 0xdfff) {
            if (cp <= 0xdbff && i + 1 < n && in[i + 1] >= 0xdc00 && in[i + 1] <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (in[++i] - 0xdc00u);
            } else {
                cp = '?';
            }
        }
        if (cp < 0x80) {
            *p++ = (unsigned char) cp;
        } else if (cp < 0x800) {
            *p++ = (unsigned char) (0xc0 | cp >> 6);
            *p++ = (unsigned char) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            *p++ = (unsigned char) (0xe0 | cp >> 12);
            *p++ = (unsigned char) (0x80 | (cp >> 6 & 0x3f));
            *p++ = (unsigned char) (0x80 | (cp & 0x3f));
        } else {
            *p++ = (unsigned char) (0xf0 | cp >> 18);
            *p++ = (unsigned char) (0x80 | (cp >> 12 & 0x3f));
            *p++ = (unsigned char) (0x80 | (cp >> 6 & 0x3f));
            *p++ = (unsigned char) (0x80 | (cp & 0x3f));
        }
    }
    *p = '\0';
    return (size_t) (p - (unsigned char *) out);
}

/* One pass over the properties for 'n' keys: values[i] (and lens[i]) get
 * the value of keys[i], or NULL. */
static struct err *properties_lookup(const char *text, size_t size, const char *const *keys,
                                     size_t n_keys, char **values, size_t *lens)
{
    _cleanup_free_ unsigned char *line = mem_alloc0(size + 1);
    _cleanup_free_ uint16_t *units = mem_alloc0((size + 1) * sizeof *units);
    _cleanup_free_ char *k = mem_alloc0(3 * size + 1);
    const unsigned char *p = (const unsigned char *) text, *end = p + size;
    ssize_t len;

    for (size_t i = 0; i < n_keys; i++) {
        values[i] = NULL;
        lens[i] = 0;
    }
    while ((len = read_line(&p, end, line)) >= 0) {
        /* Properties.load0(): the key ends at the first unescaped '=', ':'
         * or blank; blanks and at most one '=' or ':' separate the value. */
        size_t n = (size_t) len, key_len = 0, start = n;
        bool backslash = false, separator = false;
        for (; key_len < n; key_len++) {
            unsigned c = line[key_len];
            if (!backslash && (c == '=' || c == ':' || is_blank(c))) {
                separator = c == '=' || c == ':';
                start = key_len + 1;
                break;
            }
            backslash = c == '\\' ? !backslash : false;
        }
        for (; start < n; start++) {
            unsigned c = line[start];
            if (!is_blank(c)) {
                if (separator || (c != '=' && c != ':')) {
                    break;
                }
                separator = true;
            }
        }
        ssize_t nk = unescape(line, key_len, units);
        ssize_t nv = nk < 0 ? -1 : unescape(line + start, n - start, units + nk);
        if (nv < 0) {
            for (size_t i = 0; i < n_keys; i++) {
                free(values[i]);
                values[i] = NULL;
            }
            _cleanup_free_ char *where = NULL;
            if (nk >= 0) {
                utf16_to_utf8(units, (size_t) nk, k);
                _cleanup_free_ char *shown = text_quote_for_message(k, 64);
                where = mem_asprintf("in the value of %s", shown);
            }
            return err_new(ERR_INVALID_REQUEST, "agent.properties",
                           "malformed \\uXXXX escape %s: Java's Properties.load refuses the whole "
                           "file, and so would the agent",
                           where ? where : "in a key");
        }
        size_t klen = utf16_to_utf8(units, (size_t) nk, k);
        for (size_t i = 0; i < n_keys; i++) {
            if (klen == strlen(keys[i]) && memcmp(k, keys[i], klen) == 0) {
                free(values[i]); /* the last one wins, as in Java */
                values[i] = mem_alloc0(3 * (size_t) nv + 1);
                lens[i] = utf16_to_utf8(units + nk, (size_t) nv, values[i]);
            }
        }
    }
    return NULL;
}

struct err *agent_properties_get(const char *text, size_t size, const char *key, char **value,
                                 size_t *value_len)
{
    size_t len = 0;
    struct err *e = properties_lookup(text, size, &key, 1, value, &len);
    if (value_len) {
        *value_len = len;
    }
    return e;
}

char *agent_normalise_dir(const char *dir)
{
    char *out = text_single_slashes(dir), *w = out + strlen(out);
    while (w - out > 1 && w[-1] == '/') {
        *--w = '\0';
    }
    return out;
}

struct err *agent_properties_load(const char *path, const char *const *keys, size_t n_keys,
                                  char **values, bool *found)
{
    for (size_t i = 0; i < n_keys; i++) {
        values[i] = NULL;
    }
    *found = false;
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT) {
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

    _cleanup_free_ size_t *lens = mem_new0(size_t, n_keys + 1);
    struct err *e = properties_lookup(text, size, keys, n_keys, values, lens);
    if (e) {
        return e;
    }
    for (size_t i = 0; i < n_keys; i++) {
        if (values[i] && strlen(values[i]) != lens[i]) {
            _cleanup_free_ char *field = mem_asprintf("agent.properties:%s", keys[i]);
            for (size_t j = 0; j < n_keys; j++) {
                free(values[j]);
                values[j] = NULL;
            }
            return err_new(ERR_INVALID_REQUEST, field, "the value holds a NUL character (U+0000)");
        }
    }
    *found = true;
    return NULL;
}

struct err *agent_socket_dir_parse(const char *value, char **dir)
{
    char *normal = agent_normalise_dir(value && *value ? value : AGENT_DEFAULT_SOCKET_DIR);
    struct err *bad_text = text_check(normal, strlen(normal), NULL);
    bool invalid = normal[0] != '/' || bad_text;
    err_free(bad_text);
    if (invalid) {
        _cleanup_free_ char *shown = text_quote_for_message(normal, 128);
        free(normal);
        return err_new(ERR_INVALID_REQUEST, "agent.properties:" AGENT_KEY_SOCKET_DIR,
                       "the vhost-user socket directory must be an absolute path, not %s", shown);
    }
    *dir = normal;
    return NULL;
}

bool agent_is_openvswitch(const char *bridge_type)
{
    /* The agent: BridgeType.valueOf(value.toUpperCase()). */
    return bridge_type && !strcasecmp(bridge_type, "openvswitch");
}

bool agent_is_true(const char *value)
{
    /* The agent reads booleans with commons-beanutils' BooleanConverter
     * (AgentPropertiesFileHandler): true, yes, y, on or 1 in any case, not
     * trimmed; anything else is false. */
    static const char *const yes[] = {"true", "yes", "y", "on", "1"};
    for (size_t i = 0; value && i < ARRAY_SIZE(yes); i++) {
        if (!strcasecmp(value, yes[i])) {
            return true;
        }
    }
    return false;
}

struct err *agent_config_load(const char *path, struct agent_config *cfg)
{
    *cfg = (struct agent_config){0};
    static const char *const keys[] = {AGENT_KEY_BRIDGE_TYPE, AGENT_KEY_DPDK_ENABLED,
                                       AGENT_KEY_SOCKET_DIR};
    char *values[ARRAY_SIZE(keys)];
    bool found;
    struct err *e = agent_properties_load(path, keys, ARRAY_SIZE(keys), values, &found);
    if (e) {
        return e;
    }
    cfg->found = found;
    cfg->bridge_type = values[0];
    cfg->dpdk_enabled = values[1];
    _cleanup_free_ char *dir = values[2];
    cfg->socket_dir_set = dir && *dir;
    if ((e = agent_socket_dir_parse(dir, &cfg->socket_dir))) {
        agent_config_clear(cfg);
    }
    return e;
}
