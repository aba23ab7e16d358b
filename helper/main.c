/* csdpdk: global options, dispatch through the verb table, one envelope.
 *
 * This is the only file that renders errors and the only one that decides
 * the exit status. Whatever happens (a usage error, an unreadable request,
 * a failing verb), stdout gets exactly one document. */
#include <getopt.h>
#include <libxml/parser.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "helper/mem.h"
#include "helper/output.h"
#include "helper/request.h"
#include "helper/verb.h"
#include "helper/text.h"

#define TIMEOUT_MAX 3600.0

enum {
    OPT_OVSDB = 256,
    OPT_LIBVIRT,
    OPT_AGENT_PROPERTIES,
    OPT_SYSFS,
    OPT_PROC,
    OPT_QEMU_CONF,
    OPT_REQUEST,
    OPT_FORMAT,
    OPT_TIMEOUT,
    OPT_DRY_RUN,
    OPT_APPLY,
    OPT_FOREIGN,
    OPT_VERBOSE,
    OPT_HELP,
    OPT_VERSION,
};

static const struct option long_options[] = {
    {"ovsdb", required_argument, NULL, OPT_OVSDB},
    {"libvirt", required_argument, NULL, OPT_LIBVIRT},
    {"agent-properties", required_argument, NULL, OPT_AGENT_PROPERTIES},
    {"sysfs", required_argument, NULL, OPT_SYSFS},
    {"proc", required_argument, NULL, OPT_PROC},
    {"qemu-conf", required_argument, NULL, OPT_QEMU_CONF},
    {"request", required_argument, NULL, OPT_REQUEST},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"apply", no_argument, NULL, OPT_APPLY},
    {"foreign", no_argument, NULL, OPT_FOREIGN},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* --help: the verb table, the options and the exit statuses, each from
 * its table (so does the manual page, packaging/mkdoc.c). */
static void print_usage(void)
{
    size_t width = 0;
    for (size_t i = 0; i < n_verbs; i++) {
        size_t len = strlen(verbs[i].name);
        width = len > width ? len : width;
    }
    printf("Usage: csdpdk [OPTIONS] VERB [OPTIONS]\n"
           "Plug CloudStack VMs into Open vSwitch with DPDK through vhost-user ports.\n"
           "A verb reads its JSON request on stdin (or --request FILE) and writes one\n"
           "JSON document on stdout.\n\nVerbs:\n");
    for (size_t i = 0; i < n_verbs; i++) {
        printf("  %-*s  %s\n", (int) width, verbs[i].name, verbs[i].summary);
    }
    printf("\nOptions:\n");
    for (size_t i = 0; i < n_global_options; i++) {
        const struct global_option *o = &global_options[i];
        _cleanup_free_ char *left = mem_asprintf("--%s%s%s", o->name, o->arg ? " " : "",
                                                 o->arg ? o->arg : "");
        const char *help = o->help;
        printf("  %-23s  %.*s\n", left, (int) strcspn(help, "\n"), help);
        for (help += strcspn(help, "\n"); *help; help += strcspn(help, "\n")) {
            help++;
            printf("  %-23s  %.*s\n", "", (int) strcspn(help, "\n"), help);
        }
    }
    /* The man page's EXIT STATUS is the same table. */
    printf("\nExit status:\n");
    for (size_t i = 0; i < n_exit_statuses; i++) {
        char lead[16];
        snprintf(lead, sizeof lead, "  %-3d ", exit_statuses[i].status);
        output_wrapped(stdout, lead, 6, exit_statuses[i].meaning);
    }
}

struct invocation {
    struct options options;
    bool format_given;
    bool help;
    bool version;
    const struct verb *verb;
};

static bool verbose;

static void log_verbose(const char *fmt, ...) _printf_(1, 2);
static void log_verbose(const char *fmt, ...)
{
    if (!verbose) {
        return;
    }
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "csdpdk[%ld]: ", (long) getpid());
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
}

static const struct verb *verb_find(const char *name)
{
    for (size_t i = 0; i < n_verbs; i++) {
        if (streq(verbs[i].name, name)) {
            return &verbs[i];
        }
    }
    return NULL;
}

static struct err *parse_format(const char *s, enum output_format *format)
{
    if (streq(s, "json")) {
        *format = FORMAT_JSON;
    } else if (streq(s, "text")) {
        *format = FORMAT_TEXT;
    } else if (streq(s, "prometheus")) {
        *format = FORMAT_PROMETHEUS;
    } else {
        _cleanup_free_ char *shown = text_quote_for_message(s, 32);
        return err_new(ERR_USAGE, NULL, "--format must be 'json', 'text' or 'prometheus', not %s",
                       shown);
    }
    return NULL;
}

static struct err *parse_timeout(const char *s, double *timeout)
{
    if (!text_seconds(s, TIMEOUT_MAX, timeout)) {
        _cleanup_free_ char *shown = text_quote_for_message(s, 32);
        return err_new(ERR_USAGE, NULL, "--timeout must be a number of seconds above 0 and at most %g, not %s",
                       TIMEOUT_MAX, shown);
    }
    return NULL;
}

/* Verbs are one or two words ("decode", "offering build"); the longest
 * match wins and nothing may follow it. */
static struct err *find_verb(char **words, int n_words, const struct verb **verb)
{
    *verb = NULL;
    if (n_words == 0) {
        return NULL;
    }
    int used = 0;
    if (n_words >= 2) {
        _cleanup_free_ char *two = mem_asprintf("%s %s", words[0], words[1]);
        if ((*verb = verb_find(two))) {
            used = 2;
        }
    }
    if (!*verb && (*verb = verb_find(words[0]))) {
        used = 1;
    }
    if (!*verb) {
        _cleanup_free_ char *shown = text_quote_for_message(words[0], 64);
        return err_new(ERR_UNKNOWN_VERB, NULL, "unknown verb %s; 'csdpdk --help' lists them",
                       shown);
    }
    if (used < n_words) {
        _cleanup_free_ char *shown = text_quote_for_message(words[used], 64);
        *verb = NULL;
        return err_new(ERR_USAGE, NULL, "unexpected argument %s", shown);
    }
    return NULL;
}

static struct err *parse_arguments(int argc, char **argv, struct invocation *inv)
{
    struct options *o = &inv->options;
    int c;

    opterr = 0; /* getopt must not print: errors go in the envelope */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        struct err *e = NULL;
        switch (c) {
        case OPT_OVSDB:
            o->ovsdb = optarg;
            break;
        case OPT_LIBVIRT:
            o->libvirt = optarg;
            break;
        case OPT_AGENT_PROPERTIES:
            o->agent_properties = optarg;
            break;
        case OPT_SYSFS:
            o->sysfs = optarg;
            break;
        case OPT_PROC:
            o->proc = optarg;
            break;
        case OPT_QEMU_CONF:
            o->qemu_conf = optarg;
            break;
        case OPT_REQUEST:
            o->request_file = optarg;
            break;
        case OPT_FORMAT:
            e = parse_format(optarg, &o->format);
            inv->format_given = true;
            break;
        case OPT_TIMEOUT:
            e = parse_timeout(optarg, &o->timeout);
            break;
        case OPT_DRY_RUN:
            o->dry_run = true;
            break;
        case OPT_APPLY:
            o->apply = true;
            break;
        case OPT_FOREIGN:
            o->foreign = true;
            break;
        case OPT_VERBOSE:
            o->verbose = true;
            break;
        case OPT_HELP:
            inv->help = true;
            break;
        case OPT_VERSION:
            inv->version = true;
            break;
        case ':': {
            _cleanup_free_ char *shown = text_quote_for_message(argv[optind - 1], 64);
            return err_new(ERR_USAGE, NULL, "option %s needs a value", shown);
        }
        default: {
            _cleanup_free_ char *shown = text_quote_for_message(argv[optind - 1], 64);
            return err_new(ERR_USAGE, NULL, "unknown option %s; 'csdpdk --help' lists them",
                           shown);
        }
        }
        if (e) {
            return e;
        }
    }

    struct err *e = find_verb(argv + optind, argc - optind, &inv->verb);
    if (e) {
        return e;
    }
    if (inv->version && !inv->verb) {
        inv->verb = verb_find("version");
    }
    if (!inv->verb) {
        return inv->help ? NULL
                         : err_new(ERR_USAGE, NULL, "no verb given; 'csdpdk --help' lists them");
    }

    const struct verb *v = inv->verb;
    if (o->dry_run && !(v->flags & VERB_MUTATES)) {
        return err_new(ERR_USAGE, NULL, "--dry-run applies to verbs that change the host, not to '%s'",
                       v->name);
    }
    if (o->apply && !(v->flags & VERB_APPLY)) {
        return err_new(ERR_USAGE, NULL, "--apply does not apply to '%s'", v->name);
    }
    if (o->foreign && !(v->flags & VERB_FOREIGN)) {
        return err_new(ERR_USAGE, NULL, "--foreign does not apply to '%s'", v->name);
    }
    if (o->format == FORMAT_PROMETHEUS && !v->prometheus) {
        o->format = FORMAT_JSON;
        return err_new(ERR_USAGE, NULL, "--format prometheus is for 'status', not '%s'", v->name);
    }
    if (o->request_file && !(v->flags & VERB_REQUEST)) {
        return err_new(ERR_USAGE, NULL, "'%s' reads no request; drop --request", v->name);
    }
    return NULL;
}

static void print_help(const struct invocation *inv)
{
    const struct verb *v = inv->verb;

    if (inv->format_given && inv->options.format == FORMAT_JSON) {
        json_auto_t *result = NULL;
        if (v) {
            result = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", v->name, "summary",
                               v->summary, "help", v->help, "reads_request",
                               (v->flags & VERB_REQUEST) != 0, "mutates",
                               (v->flags & VERB_MUTATES) != 0);
        } else {
            json_t *list = json_array();
            for (size_t i = 0; i < n_verbs; i++) {
                json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:b}", "name",
                                                      verbs[i].name, "summary", verbs[i].summary,
                                                      "reads_request",
                                                      (verbs[i].flags & VERB_REQUEST) != 0,
                                                      "mutates",
                                                      (verbs[i].flags & VERB_MUTATES) != 0));
            }
            result = json_pack("{s:o}", "verbs", list);
        }
        struct envelope env = {.verb = "help", .result = result};
        output_envelope(stdout, FORMAT_JSON, &env, NULL);
        return;
    }

    if (v) {
        printf("Usage: csdpdk [OPTIONS] %s%s%s%s%s\n\n%s: %s.\n\n%s", v->name,
               v->flags & VERB_MUTATES ? " [--dry-run]" : "",
               v->flags & VERB_APPLY ? " [--apply]" : "",
               v->flags & VERB_FOREIGN ? " [--foreign]" : "",
               !(v->flags & VERB_REQUEST) ? ""
               : v->flags & VERB_REQUEST_OPTIONAL ? " [< REQUEST.json]" : " < REQUEST.json",
               v->name, v->summary, v->help);
        return;
    }

    print_usage();
}

/* The watchdog: every wait on OVSDB ends at the deadline by itself, but a
 * libvirt call has no timeout of its own. One second after the deadline the
 * timer writes the 'timeout' envelope rendered in advance and exits 75; the
 * write and _exit() are async-signal-safe. */
static char *watchdog_text;
static size_t watchdog_size;

static void watchdog_fire(int sig)
{
    (void) sig;
    if (watchdog_text) {
        ssize_t n = write(STDOUT_FILENO, watchdog_text, watchdog_size);
        (void) n;
    }
    _exit(EXIT_TEMPFAIL);
}

static void watchdog_arm(const struct invocation *inv)
{
    if (!(inv->verb->flags & (VERB_OVSDB | VERB_LIBVIRT))) {
        return;
    }
    _cleanup_(err_freep) struct err *e =
        err_new(ERR_TIMEOUT, NULL, "'%s' did not finish within %g seconds (--timeout)",
                inv->verb->name, inv->options.timeout);
    FILE *mem = open_memstream(&watchdog_text, &watchdog_size);
    if (!mem) {
        return;
    }
    struct envelope env = {.verb = inv->verb->name, .error = e};
    output_envelope(mem, inv->options.format, &env, NULL);
    fclose(mem);

    struct sigaction sa = {.sa_handler = watchdog_fire};
    sigaction(SIGALRM, &sa, NULL);
    double t = inv->options.timeout + 1.0;
    struct itimerval it = {.it_value = {(time_t) t, (suseconds_t) ((t - (time_t) t) * 1e6)}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void watchdog_disarm(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    free(watchdog_text);
    watchdog_text = NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct err *run_verb(const struct invocation *inv, json_t *warnings, json_t **result,
                            bool *negative)
{
    const struct verb *v = inv->verb;
    json_auto_t *request = NULL;

    if (v->flags & VERB_REQUEST) {
        bool optional = v->flags & VERB_REQUEST_OPTIONAL;
        struct err *e = NULL;
        if (!inv->options.request_file && isatty(STDIN_FILENO)) {
            if (!optional) {
                return err_new(ERR_USAGE, NULL,
                               "'%s' reads a JSON request on stdin or from --request FILE", v->name);
            }
            request = json_object();
        } else {
            e = request_read(inv->options.request_file, optional, &request);
        }
        if (e) {
            return e;
        }
    }

    struct verb_context ctx = {
        .options = &inv->options,
        .request = request,
        .warnings = warnings,
    };
    struct err *e = v->run(&ctx, result);
    *negative = ctx.negative;
    return e;
}

int main(int argc, char **argv)
{
    struct invocation inv = {
        .options = {
            .ovsdb = "unix:/var/run/openvswitch/db.sock",
            .libvirt = "qemu:///system",
            .agent_properties = "/etc/cloudstack/agent/agent.properties",
            .sysfs = "/sys",
            .proc = "/proc",
            .qemu_conf = "/etc/libvirt/qemu.conf",
            .format = isatty(STDOUT_FILENO) ? FORMAT_TEXT : FORMAT_JSON,
            .timeout = 30,
        },
    };
    double start = now_ms();

    /* A closed stdout must give a failed write, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    LIBXML_TEST_VERSION

    json_auto_t *warnings = json_array();
    json_auto_t *result = NULL;
    bool negative = false;
    _cleanup_(err_freep) struct err *error = parse_arguments(argc, argv, &inv);
    verbose = inv.options.verbose;

    if (!error && inv.help) {
        print_help(&inv);
        return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_SOFTWARE;
    }
    if (!error) {
        log_verbose("%s: start", inv.verb->name);
        watchdog_arm(&inv);
        error = run_verb(&inv, warnings, &result, &negative);
        watchdog_disarm();
    }

    struct envelope env = {
        .verb = inv.verb ? inv.verb->name : NULL,
        .result = result,
        .error = error,
        .warnings = warnings,
        .verbose = inv.options.verbose,
    };
    int status = error ? err_code_exit_status(error->code) : negative ? EXIT_NEGATIVE : EXIT_OK;
    if (error) {
        log_verbose("%s: %s: %s", env.verb ? env.verb : "-", err_code_name(error->code),
                    error->message);
    }
    verb_text_fn *writer = !inv.verb ? NULL
                           : inv.options.format == FORMAT_PROMETHEUS ? inv.verb->prometheus
                                                                     : inv.verb->text;
    if (output_envelope(stdout, inv.options.format, &env, writer) < 0) {
        log_verbose("cannot write to stdout");
        status = EXIT_SOFTWARE;
    }
    log_verbose("%s: exit %d after %.1f ms", env.verb ? env.verb : "-", status, now_ms() - start);

    xmlCleanupParser();
    return status;
}
