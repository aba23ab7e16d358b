#include "migration/mapping.h"

#include "helper/agent.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/request.h"
#include "helper/validate.h"
#include "helper/text.h"
#include "helper/vm_render.h"

#define MAPPING_MAX 64

void mig_mapping_clear(struct mig_mapping *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->targets[i].mac);
        free(m->targets[i].path);
    }
    free(m->targets);
    *m = (struct mig_mapping){0};
}

/* Among the first 'n' targets of 'm', the one of 'mac', or of 'port'. */
static const struct mig_target *mig_target_of(const struct mig_mapping *m, size_t n, const char *mac,
                                              const char *port)
{
    for (size_t i = 0; i < n; i++) {
        if ((mac && streq(m->targets[i].mac, mac)) || (port && streq(m->targets[i].port, port))) {
            return &m->targets[i];
        }
    }
    return NULL;
}

/* Does absolute path 'p' have a '..' segment? */
static bool has_parent_segment(const char *p)
{
    for (const char *s = strstr(p, "/.."); s; s = strstr(s + 1, "/..")) {
        if (s[3] == '/' || s[3] == '\0') {
            return true;
        }
    }
    return false;
}

char *mig_target_socket(const struct mig_target *t)
{
    return vm_socket_path(t->path, t->port);
}

struct err *mig_mapping_parse(const json_t *object, const char *field, struct mig_mapping *out)
{
    if (json_object_size(object) > MAPPING_MAX) {
        return err_new(ERR_INVALID_REQUEST, field, "at most %d NICs in a mapping", MAPPING_MAX);
    }
    struct mig_mapping m = {.targets = mem_new0(struct mig_target, json_object_size(object) + 1)};
    const char *mac;
    json_t *entry;
    struct err *e = NULL;

    json_object_foreach((json_t *) object, mac, entry) {
        _cleanup_free_ char *path = request_path(field, mac);
        json_t *dir = NULL, *port = NULL, *mode = NULL;
        struct request_field fields[] = {
            {"path", REQ_STRING, true, false, &dir},
            {"port", REQ_STRING, true, false, &port},
            {"mode", REQ_STRING, true, false, &mode},
        };
        struct mig_target *t = &m.targets[m.n];
        if (!json_is_object(entry)) {
            e = err_new(ERR_INVALID_REQUEST, path, "%s must be an object", path);
            break;
        }
        if ((e = validate_mac(mac, path, &t->mac))) {
            break;
        }
        m.n++; /* from here, mig_mapping_clear() frees t->mac and t->path */
        if ((e = request_fields(entry, path, fields, ARRAY_SIZE(fields)))) {
            break;
        }
        const char *given = json_string_value(dir);
        t->port = json_string_value(port);
        t->mode = json_string_value(mode);
        _cleanup_free_ char *f_path = request_path(path, "path");
        _cleanup_free_ char *f_port = request_path(path, "port");
        _cleanup_free_ char *f_mode = request_path(path, "mode");
        const struct mig_target *twice = mig_target_of(&m, m.n - 1, t->mac, NULL);
        if (twice) {
            e = err_new(ERR_INVALID_MAC, path, "MAC %s is given twice", t->mac);
            break;
        }
        struct err *bad_text = text_check(given, strlen(given), NULL);
        bool bad_path = bad_text || given[0] != '/' || has_parent_segment(given);
        err_free(bad_text);
        if (bad_path) {
            e = err_new(ERR_INVALID_REQUEST, f_path, "the socket directory must be an absolute path without '..'");
            break;
        }
        /* CloudStack's DpdkTO path ends in '/' (it joins path and port). */
        t->path = agent_normalise_dir(given);
        if (!ovsdb_is_port_name(t->port)) {
            _cleanup_free_ char *shown = text_quote_for_message(t->port, 32);
            e = err_new(ERR_INVALID_PORT_NAME, f_port, "%s is not a csdpdk port name (csdpdk-N)", shown);
            break;
        }
        if ((twice = mig_target_of(&m, m.n - 1, NULL, t->port))) {
            e = err_new(ERR_INVALID_PORT_NAME, f_port, "port %s is given twice (also for MAC %s)", t->port,
                        twice->mac);
            break;
        }
        if (strcmp(t->mode, "client") && strcmp(t->mode, "server")) {
            _cleanup_free_ char *shown = text_quote_for_message(t->mode, 32);
            e = err_new(ERR_INVALID_MODE, f_mode,
                        "the mode is libvirt's <source mode>: 'client' or 'server', not %s", shown);
            break;
        }
        _cleanup_free_ char *socket = mig_target_socket(t);
        if ((e = validate_socket_path(socket, f_path))) {
            break;
        }
    }
    if (e) {
        mig_mapping_clear(&m);
        return e;
    }
    *out = m;
    return NULL;
}

const struct mig_target *mig_mapping_find(const struct mig_mapping *m, const char *mac)
{
    for (size_t i = 0; i < m->n; i++) {
        if (!strcmp(m->targets[i].mac, mac)) {
            return &m->targets[i];
        }
    }
    return NULL;
}
