/* Verbs: the table that is csdpdk's API.
 *
 * Adding a verb is one row in verbs.c, one handler file and one golden test
 * case. A row says what the verb reads and whether it changes the host; the
 * handler gets the parsed global options and the request, and returns a
 * result or an error. Handlers never print: main.c renders the envelope. */
#ifndef CSDPDK_VERB_H
#define CSDPDK_VERB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "helper/error.h"

enum output_format {
    FORMAT_JSON,
    FORMAT_TEXT,
    FORMAT_PROMETHEUS, /* node_exporter's textfile collector; verbs with a 'prometheus' writer */
};

/* Global options, with defaults that match a CloudStack KVM host. */
struct options {
    const char *ovsdb;            /* --ovsdb URL */
    const char *libvirt;          /* --libvirt URI */
    const char *agent_properties; /* --agent-properties FILE */
    const char *sysfs;            /* --sysfs DIR */
    const char *proc;             /* --proc DIR */
    const char *qemu_conf;        /* --qemu-conf FILE */
    const char *request_file;     /* --request FILE, or NULL for stdin */
    enum output_format format;
    double timeout;               /* --timeout SECONDS */
    bool dry_run;
    bool apply;
    bool foreign;
    bool verbose;
};

enum verb_flags {
    VERB_REQUEST = 1 << 0, /* reads a JSON request (stdin or --request) */
    VERB_MUTATES = 1 << 1, /* changes the host; takes --dry-run */
    VERB_OVSDB = 1 << 2,   /* talks to OVSDB (--ovsdb, --timeout) */
    VERB_LIBVIRT = 1 << 3, /* talks to libvirt (--libvirt, --timeout) */
    VERB_APPLY = 1 << 4,   /* takes --apply */
    VERB_REQUEST_OPTIONAL = 1 << 5, /* with VERB_REQUEST: none (empty stdin) reads as {} */
    VERB_FOREIGN = 1 << 6, /* takes --foreign */
};

struct verb_context {
    const struct options *options;
    json_t *request;  /* the request object, or NULL for verbs without one */
    json_t *warnings; /* an array the handler may append strings to */
    bool negative;    /* set for success with a negative verdict (exit 1) */
};

/* On success returns NULL and sets '*result' to a new JSON object. */
typedef struct err *verb_run_fn(struct verb_context *ctx, json_t **result);

/* Writes a result for a person; NULL means the generic key: value form.
 * 'verbose' (--verbose) asks for what does not fit at a glance. */
typedef void verb_text_fn(FILE *out, const json_t *result, bool verbose);

struct verb {
    const char *name; /* one or two words: "decode", "offering build" */
    const char *summary;
    const char *help; /* request and result, for 'csdpdk VERB --help' */
    unsigned flags;   /* enum verb_flags */
    verb_run_fn *run;
    verb_text_fn *text;
    verb_text_fn *prometheus; /* --format prometheus, when the verb has metrics */
};

extern const struct verb verbs[];
extern const size_t n_verbs;

/* The global options, as --help, the manual page and the completion show
 * them (main.c parses them). */
struct global_option {
    const char *name; /* "ovsdb" for --ovsdb */
    const char *arg;  /* "URL", or NULL for a flag */
    const char *help; /* one or more lines */
};

extern const struct global_option global_options[];
extern const size_t n_global_options;

/* The handlers, one file each (verb_<name>.c). */
verb_run_fn verb_version_run;
verb_run_fn verb_decode_run;
verb_run_fn verb_plug_run;
verb_run_fn verb_unplug_run;
verb_run_fn verb_status_run;
verb_text_fn verb_status_text;
verb_text_fn verb_status_prometheus;
verb_run_fn verb_gc_run;
verb_run_fn verb_adopt_run;
verb_text_fn verb_adopt_text;
verb_run_fn verb_render_run;
verb_text_fn verb_render_text;
verb_run_fn verb_domain_complete_run;
verb_text_fn verb_domain_complete_text;
verb_run_fn verb_capabilities_run;
verb_text_fn verb_capabilities_text;
verb_run_fn verb_agent_config_run;
verb_text_fn verb_agent_config_text;
verb_run_fn verb_migrate_prepare_run;
verb_text_fn verb_migrate_prepare_text;
verb_run_fn verb_migrate_check_run;
verb_text_fn verb_migrate_check_text;
verb_run_fn verb_migrate_rewrite_run;
verb_run_fn verb_migrate_abort_run;
verb_run_fn verb_migrate_finish_run;
verb_run_fn verb_sockets_clean_run;
verb_run_fn verb_offering_build_run;
verb_text_fn verb_offering_build_text;
verb_run_fn verb_offering_check_run;
verb_text_fn verb_offering_check_text;

/* offering build's and offering check's "management_server": the
 * CloudStack settings that the snippets whose element names are
 * 'elements' (sorted, each once) would need as VM details, which offering
 * details do not, with their CloudMonkey lines and API queries; empty
 * lists when there are none. The text form prints nothing then. Both in
 * verb_offering_build.c. */
json_t *verb_offering_management_server(char *const *elements, size_t n_elements);
void verb_offering_management_server_text(FILE *out, const json_t *management_server);

/* decode's result for 'd'; offering check gives the same. */
struct dpdk_details;
json_t *verb_decode_result(const struct dpdk_details *d);

#endif
