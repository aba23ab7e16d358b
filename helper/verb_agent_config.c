/* agent-config: what a stock CloudStack agent's agent.properties must say
 * for csdpdk's VIF driver to run inside it (docs/api.md): each key, its
 * state, and the lines to add or change. Reads agent.properties as the
 * agent does (agent.c) and, to say where the vhost-user sockets belong,
 * OVSDB when it answers (as capabilities does); changes nothing. Exit 0
 * when every required key is right, 1 otherwise ('ok' stays true). */
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper/agent.h"
#include "helper/capability.h"
#include "helper/mem.h"
#include "helper/output.h"
#include "helper/probe.h"
#include "helper/text.h"
#include "helper/verb.h"

#define DRIVER_CLASS "org.csdpdk.cloudstack.agent.CsdpdkVifDriver"
#define TRANSFORMER_KEY "agent.hooks.libvirt_vm_xml_transformer.script"
#define TRANSFORMER_SCRIPT "csdpdk-xml-transformer.groovy"
#define HOOKS_DIR_KEY "agent.hooks.basedir"
#define HOOKS_DIR_DEFAULT "/etc/cloudstack/agent/hooks" /* the agent's own default */
#define CSDPDK_TIMEOUT_MAX 3600.0                       /* csdpdk's --timeout */

enum need {
    REQUIRED,
    RECOMMENDED, /* its state is reported; it never makes the verdict negative */
    OPTIONAL,    /* the driver's own keys: reported as they are when present */
};

enum state {
    STATE_OK,
    STATE_MISSING,
    STATE_WRONG,
    STATE_RECOMMENDED, /* a recommended key not set as recommended */
    STATE_OPTIONAL,    /* an optional key not set */
};

static const char *const state_names[] = {"ok", "missing", "wrong", "recommended", "optional"};

/* What is wrong with 'value' (a new string), or NULL when it is right. */
typedef char *value_check_fn(const char *value, const char *expected);

struct setting {
    const char *key;
    enum need need;
    const char *expected; /* the value of csdpdk's line (the socket directory's: computed) */
    const char *what;     /* what the agent or the driver does with it */
    value_check_fn *check;
};

static char *check_exact(const char *value, const char *expected)
{
    if (streq(value, expected)) {
        return NULL;
    }
    _cleanup_free_ char *shown = text_quote_for_message(value, 128);
    return mem_asprintf("it is %s, not '%s'", shown, expected);
}

static char *check_bridge(const char *value, const char *expected)
{
    return agent_is_openvswitch(value) ? NULL : check_exact(value, expected);
}

static char *check_true(const char *value, const char *expected)
{
    (void) expected;
    _cleanup_free_ char *shown = text_quote_for_message(value, 64);
    return agent_is_true(value)
               ? NULL
               : mem_asprintf("%s reads as false (the agent's booleans: true, yes, y, on or 1, "
                                              "in any case)",
                                              shown);
}

static char *check_boolean(const char *value, const char *expected)
{
    (void) expected;
    _cleanup_free_ char *shown = text_quote_for_message(value, 64);
    return !strcasecmp(value, "true") || !strcasecmp(value, "false")
               ? NULL
               : mem_asprintf("%s is neither true nor false (the driver refuses it: the agent does "
                              "not start)",
                              shown);
}

static char *check_executable(const char *value, const char *expected)
{
    (void) expected;
    _cleanup_free_ char *shown = text_quote_for_message(value, 128);
    struct stat st;
    if (value[0] != '/') {
        return mem_asprintf("%s is not an absolute path", shown);
    }
    if (stat(value, &st) != 0 || !S_ISREG(st.st_mode) || access(value, X_OK) != 0) {
        return mem_asprintf("%s is not an executable file", shown);
    }
    return NULL;
}

static char *check_absolute(const char *value, const char *expected)
{
    (void) expected;
    _cleanup_free_ char *shown = text_quote_for_message(value, 128);
    return value[0] == '/' ? NULL : mem_asprintf("%s is not an absolute path", shown);
}

/* unix:/ABSOLUTE/PATH, tcp:HOST:PORT or ssl:HOST:PORT, as csdpdk's --ovsdb. */
static char *check_ovsdb(const char *value, const char *expected)
{
    (void) expected;
    const char *colon = strrchr(value, ':');
    size_t digits = colon ? strspn(colon + 1, "0123456789") : 0;
    bool remote = (!strncmp(value, "tcp:", 4) || !strncmp(value, "ssl:", 4)) && colon > value + 4 &&
                  digits >= 1 && digits <= 5 && !colon[1 + digits];
    if ((!strncmp(value, "unix:", 5) && value[5] == '/') || remote) {
        return NULL;
    }
    _cleanup_free_ char *shown = text_quote_for_message(value, 128);
    return mem_asprintf("%s is not unix:/PATH, tcp:HOST:PORT or ssl:HOST:PORT", shown);
}

/* SCHEME://..., as libvirt's URIs (qemu:///system, qemu+ssh://host/system). */
static char *check_libvirt(const char *value, const char *expected)
{
    (void) expected;
    size_t scheme = strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789+.-");
    if (scheme && value[0] >= 'a' && value[0] <= 'z' && !strncmp(value + scheme, "://", 3)) {
        return NULL;
    }
    _cleanup_free_ char *shown = text_quote_for_message(value, 128);
    return mem_asprintf("%s is not a libvirt URI (SCHEME://...)", shown);
}

static char *check_seconds(const char *value, const char *expected)
{
    (void) expected;
    double seconds;
    _cleanup_free_ char *shown = text_quote_for_message(value, 64);
    return text_seconds(value, CSDPDK_TIMEOUT_MAX, &seconds)
               ? NULL
               : mem_asprintf("%s is not a number of seconds above 0 and at most %g", shown,
                              CSDPDK_TIMEOUT_MAX);
}

/* In the order of the report and of the lines. openvswitch.dpdk.ovs.path,
 * without a check, is judged against Open vSwitch (judge_socket_dir()). */
static const struct setting settings[] = {
    {AGENT_KEY_BRIDGE_TYPE, REQUIRED, "openvswitch",
     "the agent plugs NICs into Open vSwitch bridges; csdpdk's driver extends OvsVifDriver",
     check_bridge},
    {AGENT_KEY_DPDK_ENABLED, REQUIRED, "true",
     "the agent reports the dpdk capability and hands DPDK NICs to the VIF driver", check_true},
    {AGENT_KEY_SOCKET_DIR, REQUIRED, NULL,
     "the vhost-user socket directory, where csdpdk puts its ports' sockets", NULL},
    {"libvirt.vif.driver", REQUIRED, DRIVER_CLASS,
     "the class that plugs every NIC: csdpdk's, from the package csdpdk-cloudstack-agent "
     "(/usr/share/cloudstack-agent/plugins)",
     check_exact},
    {TRANSFORMER_KEY, RECOMMENDED, TRANSFORMER_SCRIPT,
     "completes the vhost-user interfaces (<target dev>, <reconnect>) at each start of a VM "
     "(csdpdk domain-complete)",
     check_exact},
    {"csdpdk.path", OPTIONAL, "/usr/bin/csdpdk",
     "the csdpdk the driver runs (default: csdpdk on PATH, else /usr/bin/csdpdk)",
     check_executable},
    {"csdpdk.ovsdb", OPTIONAL, "unix:/var/run/openvswitch/db.sock",
     "the OVSDB of the driver's csdpdk calls (--ovsdb; default unix:/var/run/openvswitch/db.sock)",
     check_ovsdb},
    {"csdpdk.libvirt", OPTIONAL, "qemu:///system",
     "the libvirt of the driver's csdpdk calls (--libvirt; default qemu:///system)", check_libvirt},
    {"csdpdk.qemu.conf", OPTIONAL, "/etc/libvirt/qemu.conf",
     "libvirt's qemu.conf, for QEMU's user (--qemu-conf; default /etc/libvirt/qemu.conf)",
     check_absolute},
    {"csdpdk.capable.required", OPTIONAL, "false",
     "true: the agent does not start where csdpdk capabilities finds the host not DPDK-capable; "
     "false (default): a warning in the agent's log",
     check_boolean},
    {"csdpdk.timeout", OPTIONAL, "30",
     "seconds each csdpdk call of the driver may take (--timeout; default 30)", check_seconds},
};

/* Where Open vSwitch puts server-mode sockets (NULL: not known, with why in
 * '*note'). */
static char *ovs_socket_dir(const struct options *o, char **note)
{
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_switch_clear) struct ovs_switch sw = {0};
    _cleanup_(err_freep) struct err *e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    if (!e) {
        e = ovsdb_switch_read(db, &sw);
    }
    if (e) {
        *note = mem_strdup(e->message);
        return NULL;
    }
    _cleanup_free_ char *rundir = host_ovs_rundir(o->ovsdb);
    if (!rundir) {
        *note = mem_asprintf("Open vSwitch's run directory is not known for %s", o->ovsdb);
        return NULL;
    }
    return capability_ovs_socket_dir(rundir, sw.vhost_sock_dir);
}

struct judged {
    enum state state;
    char *expected; /* the value of the line to add or change */
    char *reason;
};

static void judge_socket_dir(const struct setting *s, const char *value, const char *ovs_dir,
                             const char *note, struct judged *j)
{
    _cleanup_free_ char *dir = NULL;
    _cleanup_(err_freep) struct err *bad = value ? agent_socket_dir_parse(value, &dir) : NULL;
    j->expected = mem_strdup(ovs_dir ? ovs_dir : dir ? dir : AGENT_DEFAULT_SOCKET_DIR);
    _cleanup_free_ char *compared =
        ovs_dir ? mem_asprintf("Open vSwitch puts server-mode sockets in %s", ovs_dir)
                : mem_asprintf("not compared with where Open vSwitch puts server-mode sockets: %s",
                               note);
    if (!value) {
        j->state = STATE_MISSING;
        j->reason = mem_asprintf("not set: %s; %s", s->what, compared);
    } else if (bad) {
        j->state = STATE_WRONG;
        j->reason = mem_asprintf("%s; %s", bad->message, compared);
    } else if (ovs_dir && !sockdir_same(ovs_dir, dir)) {
        j->state = STATE_WRONG;
        j->reason =
            mem_asprintf("%s, not in %s: set this key to %s, or other_config:vhost-sock-dir so "
                         "that Open vSwitch uses %s",
                         compared, dir, ovs_dir, dir);
    } else {
        j->state = STATE_OK;
        j->reason = mem_asprintf("%s; %s%s", s->what, compared, ovs_dir ? " too" : "");
    }
}

static void judge(const struct setting *s, const char *value, const char *hooks_dir,
                  struct judged *j)
{
    _cleanup_free_ char *problem = value ? s->check(value, s->expected) : NULL;
    _cleanup_free_ char *what =
        !streq(s->key, TRANSFORMER_KEY) ? mem_strdup(s->what)
        : streq(hooks_dir, HOOKS_DIR_DEFAULT)
            ? mem_asprintf("%s; the script goes in " HOOKS_DIR_KEY " (%s), which the package "
                           "csdpdk-cloudstack-agent fills",
                           s->what, hooks_dir)
            : mem_asprintf(
                  "%s; the script goes in " HOOKS_DIR_KEY ", here %s: the package "
                  "csdpdk-cloudstack-agent installs it in %s, the agent's default; copy or "
                  "link it from there",
                  s->what, hooks_dir, HOOKS_DIR_DEFAULT);
    j->expected = mem_strdup(s->expected);
    if (value && !problem) {
        j->state = STATE_OK;
        j->reason = TAKE_PTR(what);
    } else if (!value) {
        j->state = s->need == REQUIRED      ? STATE_MISSING
                   : s->need == RECOMMENDED ? STATE_RECOMMENDED
                                            : STATE_OPTIONAL;
        j->reason = mem_asprintf("not set%s: %s",
                                 s->need == REQUIRED      ? ""
                                 : s->need == RECOMMENDED ? ", recommended"
                                                          : ", optional",
                                 what);
    } else if (s->need == RECOMMENDED) {
        /* Another script: the agent runs one transformer only. */
        j->state = STATE_RECOMMENDED;
        _cleanup_free_ char *shown = text_quote_for_message(value, 128);
        j->reason =
            mem_asprintf("%s is set, and the agent runs one transformer only: set %s instead, or "
                         "have that script hand the domain to csdpdk domain-complete; %s",
                         shown, s->expected, what);
    } else {
        j->state = STATE_WRONG;
        j->reason = mem_asprintf("%s; %s", problem, what);
    }
}

/* 'key=value' as java.util.Properties reads it back: '\' doubled, a
 * leading blank, control and non-ASCII characters escaped (the agent reads
 * the file as ISO-8859-1). */
static char *properties_line(const char *key, const char *value)
{
    size_t size = strlen(value);
    char *line = mem_alloc0(strlen(key) + 1 + 12 * size + 1), *w = stpcpy(stpcpy(line, key), "=");
    const unsigned char *u = (const unsigned char *) value;
    for (size_t i = 0; i < size;) {
        size_t n = text_utf8_sequence_size(u + i, size - i);
        unsigned cp = n == 1   ? u[i]
                      : n == 2 ? (u[i] & 0x1fu) << 6 | (u[i + 1] & 0x3fu)
                      : n == 3 ? (u[i] & 0x0fu) << 12 | (u[i + 1] & 0x3fu) << 6 | (u[i + 2] & 0x3fu)
                      : n == 4 ? (u[i] & 0x07u) << 18 | (u[i + 1] & 0x3fu) << 12 |
                                     (u[i + 2] & 0x3fu) << 6 | (u[i + 3] & 0x3fu)
                               : '?';
        i += n ? n : 1;
        if (cp == '\\' || (cp == ' ' && w[-1] == '=')) {
            w += sprintf(w, "\\%c", (char) cp);
        } else if (cp >= 0x20 && cp < 0x7f) {
            *w++ = (char) cp;
        } else if (cp < 0x10000) {
            w += sprintf(w, "\\u%04X", cp);
        } else {
            w += sprintf(w, "\\u%04X\\u%04X", 0xd800 + ((cp - 0x10000) >> 10),
                         0xdc00 + ((cp - 0x10000) & 0x3ff));
        }
    }
    *w = '\0';
    return line;
}

struct err *verb_agent_config_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    const char *keys[ARRAY_SIZE(settings) + 1];
    char *values[ARRAY_SIZE(settings) + 1];
    for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
        keys[i] = settings[i].key;
    }
    keys[ARRAY_SIZE(settings)] = HOOKS_DIR_KEY;
    bool found;
    struct err *e =
        agent_properties_load(o->agent_properties, keys, ARRAY_SIZE(keys), values, &found);
    if (e) {
        return e;
    }
    if (!found) {
        _cleanup_free_ char *shown = text_quote_for_message(o->agent_properties, 256);
        return err_new(
            ERR_USAGE, NULL,
            "the agent properties %s do not exist: install the CloudStack agent first, or "
            "point --agent-properties at its agent.properties",
            shown);
    }
    const char *hooks_dir =
        values[ARRAY_SIZE(settings)] ? values[ARRAY_SIZE(settings)] : HOOKS_DIR_DEFAULT;

    _cleanup_free_ char *note = NULL;
    _cleanup_free_ char *ovs_dir = ovs_socket_dir(o, &note);
    if (!ovs_dir) {
        json_array_append_new(ctx->warnings,
                              json_sprintf("%s was not compared with where Open vSwitch puts "
                                           "server-mode sockets: %s",
                                           AGENT_KEY_SOCKET_DIR, note));
    }

    json_t *list = json_array(), *lines = json_array();
    bool ready = true;
    for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
        const struct setting *s = &settings[i];
        struct judged j = {0};
        if (!s->check) {
            judge_socket_dir(s, values[i], ovs_dir, note, &j);
        } else {
            judge(s, values[i], hooks_dir, &j);
        }
        ready &= j.state != STATE_MISSING && j.state != STATE_WRONG;
        /* A line for what is missing or wrong, and for the recommended key
         * not set (not over another script). */
        if (j.state == STATE_MISSING || j.state == STATE_WRONG ||
            (j.state == STATE_RECOMMENDED && !values[i])) {
            _cleanup_free_ char *line = properties_line(s->key, j.expected);
            json_array_append_new(lines, output_json_string(line));
        }
        json_array_append_new(
            list, json_pack("{s:s, s:o, s:o, s:s, s:o}", "key", s->key, "expected",
                            output_json_string(j.expected), "actual",
                            values[i] ? output_json_string(values[i]) : json_null(), "state",
                            state_names[j.state], "reason", output_json_string(j.reason)));
        free(j.expected);
        free(j.reason);
    }
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        free(values[i]);
    }
    ctx->negative = !ready;
    *result =
        json_pack("{s:o, s:b, s:o, s:o, s:o}", "file", output_json_string(o->agent_properties),
                  "ready", ready, "keys", list, "lines", lines, "ovs_socket_dir",
                  ovs_dir ? output_json_string(ovs_dir) : json_null());
    return NULL;
}

/* The verdict, one line per key (the reason under each that needs doing,
 * under every one with --verbose), then the lines to paste. */
void verb_agent_config_text(FILE *out, const json_t *result, bool verbose)
{
    const char *file = json_string_value(json_object_get(result, "file"));
    const json_t *keys = json_object_get(result, "keys"), *lines = json_object_get(result, "lines");
    size_t i, to_do = 0;
    json_t *k;
    json_array_foreach(keys, i, k) {
        const char *state = json_string_value(json_object_get(k, "state"));
        to_do += streq(state, "missing") || streq(state, "wrong");
    }
    if (json_is_true(json_object_get(result, "ready"))) {
        fprintf(out, "ready: %s has what csdpdk's VIF driver needs\n", file);
    } else {
        fprintf(out, "NOT ready for csdpdk's VIF driver: %zu setting%s missing or wrong in %s\n",
                to_do, to_do == 1 ? "" : "s", file);
    }
    json_array_foreach(keys, i, k) {
        const char *state = json_string_value(json_object_get(k, "state"));
        const json_t *actual = json_object_get(k, "actual");
        fprintf(out, "%-11s  %s%s%s\n", state, json_string_value(json_object_get(k, "key")),
                json_is_string(actual) ? "=" : " (not set)",
                json_is_string(actual) ? json_string_value(actual) : "");
        if (verbose || !(streq(state, "ok") || streq(state, "optional"))) {
            fprintf(out, "%-11s    %s\n", "", json_string_value(json_object_get(k, "reason")));
        }
    }
    if (json_array_size(lines)) {
        fprintf(out,
                "\nAdd or change these lines in %s, then restart the agent "
                "(systemctl restart cloudstack-agent):\n\n",
                file);
        json_t *line;
        json_array_foreach(lines, i, line) {
            fprintf(out, "%s\n", json_string_value(line));
        }
    }
}
