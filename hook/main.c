/* csdpdk-libvirt-hook: csdpdk's libvirt QEMU hook, installed as
 * /etc/libvirt/hooks/qemu.d/csdpdk (docs/hook.md).
 *
 *   csdpdk-libvirt-hook [--config FILE] DOMAIN OPERATION SUB-OPERATION EXTRA
 *
 * libvirt runs it with the domain's XML on stdin and waits for it. It never
 * fails an operation for a problem of csdpdk's (exit 0, a line in the log)
 * but one: an incoming migration (migrate begin) that this host cannot take
 * is refused with exit 1 and one line on stderr, which libvirt makes the
 * migration's error. Only migrate begin writes stdout: the domain, corrected
 * or as it came, byte for byte. The whole run is bounded: its settings are
 * read under the default timeout, the rest under the configured one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "helper/mem.h"
#include "hook/hook.h"

#define INPUT_MAX (64u << 20) /* a domain's XML, far above any real one */
#define EXIT_REFUSED 1

static int log_fd = -1;
static char watchdog_log[512];
static size_t watchdog_log_size;
static char watchdog_err[256];
static size_t watchdog_err_size;
static int watchdog_exit;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: csdpdk-libvirt-hook [--config FILE] DOMAIN OPERATION SUB-OPERATION EXTRA\n"
            "\n"
            "csdpdk's libvirt QEMU hook; libvirt runs it as /etc/libvirt/hooks/qemu.d/csdpdk\n"
            "with the domain's XML on stdin (docs/hook.md, man csdpdk):\n"
            "  prepare begin, started begin  bind the domain's ports to its VM\n"
            "  migrate begin                 judge the incoming domain: exit 1 and one line\n"
            "                                on stderr to refuse it; print the domain\n"
            "  release end                   remove the domain's ports\n"
            "  anything else                 nothing (exit 0)\n"
            "Any number of arguments other than libvirt's four: this text on stderr, exit 0,\n"
            "nothing done.\n"
            "Settings: --config FILE (default " HOOK_CONFIG_DEFAULT "): key = value lines,\n"
            "  ovsdb, agent-properties, sysfs, proc, log (default " HOOK_LOG_DEFAULT "),\n"
            "  timeout (seconds, default %g).\n",
            HOOK_TIMEOUT_DEFAULT);
}

static char *stamp(void)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return mem_asprintf("%s csdpdk-libvirt-hook[%ld]", when, (long) getpid());
}

static struct timespec started;

/* One line, whatever the XML's names hold: control characters but the
 * final newline become '?'. */
static void one_line(char *line)
{
    for (char *p = line; *p && p[1]; p++) {
        *p = (unsigned char) *p < 0x20 || *p == 0x7f ? '?' : *p;
    }
}

/* The one line libvirt makes the incoming migration's error. */
static void say(const char *fmt, ...) _printf_(1, 2);
static void say(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    _cleanup_free_ char *line = mem_vasprintf(fmt, args);
    va_end(args);
    one_line(line);
    fputs(line, stderr);
}

/* Seconds since the run started. */
static double elapsed_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - started.tv_sec) + (double) (now.tv_nsec - started.tv_nsec) / 1e9;
}

/* One line in the log file (appended whole: O_APPEND, one write), with the
 * run's time so far. */
static void log_line(const char *context, const char *text)
{
    if (log_fd < 0 || !text) {
        return;
    }
    long ms = (long) (elapsed_s() * 1000);
    _cleanup_free_ char *head = stamp();
    _cleanup_free_ char *line = mem_asprintf("%s %s: %s (%ld ms)\n", head, context, text, ms);
    one_line(line); /* one line per run */
    ssize_t n = write(log_fd, line, strlen(line));
    (void) n;
}

static void watchdog_fire(int sig)
{
    (void) sig;
    ssize_t n = log_fd >= 0 ? write(log_fd, watchdog_log, watchdog_log_size) : 0;
    n = watchdog_err_size ? write(STDERR_FILENO, watchdog_err, watchdog_err_size) : 0;
    (void) n;
    _exit(watchdog_exit);
}

/* Half a second past the timeout (every wait on OVSDB ends at the timeout
 * itself, with its own error) the run ends, whatever it waits for: an
 * incoming migration that could not be judged is refused; anything else
 * goes on. */
#define WATCHDOG_MARGIN 0.5


/* Ends the run 'left' seconds from now (plus the margin), saying it gave
 * up after 'timeout' s. */
static void watchdog_arm(const char *context, double timeout, bool migrate, double left)
{
    /* Disarmed while its words are rewritten: a watchdog firing then would
     * write half of them. */
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    _cleanup_free_ char *head = stamp();
    int n = snprintf(watchdog_log, sizeof watchdog_log,
                     "%s %s: gave up after %g s (timeout)%s\n", head, context, timeout,
                     migrate ? ": the incoming migration is refused" : "");
    watchdog_log_size = n > 0 && (size_t) n < sizeof watchdog_log ? (size_t) n : 0;
    if (migrate) {
        n = snprintf(watchdog_err, sizeof watchdog_err,
                     "csdpdk: cannot check this host for the incoming VM within %g s (timeout)\n",
                     timeout);
        watchdog_err_size = n > 0 && (size_t) n < sizeof watchdog_err ? (size_t) n : 0;
    }
    watchdog_exit = migrate ? EXIT_REFUSED : 0;
    struct sigaction sa = {.sa_handler = watchdog_fire};
    sigaction(SIGALRM, &sa, NULL);
    double t = (left > 0 ? left : 0) + WATCHDOG_MARGIN;
    struct itimerval it = {.it_value = {(time_t) t, (suseconds_t) ((t - (time_t) t) * 1e6)}};
    setitimer(ITIMER_REAL, &it, NULL);
}

/* All of stdin: libvirt writes the whole domain and may wait until it is
 * read. Past INPUT_MAX the rest is read and dropped, and '*whole' is false;
 * so it is after a read error ('*error' its errno). A stdin left
 * non-blocking is waited on (the watchdog bounds the wait). */
static char *read_input(size_t *size, bool *whole, int *error)
{
    size_t cap = 65536, n = 0;
    char *buf = mem_alloc0(cap + 1);
    *whole = true;
    *error = 0;
    for (;;) {
        if (n == cap && cap < INPUT_MAX) {
            cap *= 2;
            buf = mem_realloc(buf, cap + 1);
        }
        char sink[4096];
        bool full = n == cap;
        ssize_t r = read(STDIN_FILENO, full ? sink : buf + n, full ? sizeof sink : cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
            (void) poll(&in, 1, -1);
            continue;
        }
        if (r < 0) {
            *error = errno;
            *whole = false;
            break;
        }
        if (r == 0) {
            break;
        }
        n += full ? 0 : (size_t) r;
        *whole &= !full;
    }
    buf[n] = '\0';
    *size = n;
    return buf;
}

static int write_all(int fd, const char *data, size_t size)
{
    while (size) {
        ssize_t w = write(fd, data, size);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            /* A pipe left non-blocking: wait until it takes more (the
             * watchdog bounds the wait). */
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            (void) poll(&p, 1, -1);
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        data += w;
        size -= (size_t) w;
    }
    return 0;
}

/* The domain, whole, to libvirt (migrate begin): once it is written the
 * answer is given, and the watchdog is disarmed, so that a deadline that
 * passes as the run ends does not turn the acceptance into a refusal. */
static int give_domain(const char *xml, size_t size)
{
    if (write_all(STDOUT_FILENO, xml, size)) {
        return -1;
    }
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    return 0;
}

/* A domain with a vhost-user interface; XML that cannot be read is not
 * (libvirt reads it next, and says what is wrong). */
static bool dpdk_domain(const char *input, size_t size)
{
    _cleanup_(domain_clear) struct domain d = {0};
    struct err *e = domain_parse(input, size, "domain", &d);
    err_free(e);
    return !e && d.n_ifaces;
}

int main(int argc, char **argv)
{
    const char *config = HOOK_CONFIG_DEFAULT;
    int a = 1;
    clock_gettime(CLOCK_MONOTONIC, &started);
    /* A peer that goes away (OVSDB or the switch restarting between two
     * transactions, a log FIFO's reader) is an error to handle, not a
     * signal that kills the hook: libvirt would fail the VM's start. */
    signal(SIGPIPE, SIG_IGN);
    /* libvirt's four arguments are never options, whatever the domain's
     * name ("--help" is a valid one). */
    if (argc != 5 && argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc != 5 && argc > 2 && !strcmp(argv[1], "--config")) {
        config = argv[2];
        a = 3;
    }
    if (argc - a != 4) {
        /* Not libvirt's four arguments: a person, or a libvirt this hook
         * does not know. Exit 0 all the same: a non-zero exit at some
         * operations (reconnect) makes libvirt kill the VM. */
        usage(stderr);
        return 0;
    }
    const char *name = argv[a], *op = argv[a + 1], *subop = argv[a + 2], *extra = argv[a + 3];
    enum hook_action action = hook_action_of(op, subop);
    bool migrate = action == HOOK_MIGRATE;
    LIBXML_TEST_VERSION

    if (action == HOOK_NOTHING) {
        return 0; /* not even stdin or the settings are read: nothing changes */
    }
    _cleanup_free_ char *context = mem_asprintf("%s %s %s %s", name, op, subop, extra);
    /* The whole run is bounded: the settings are read under the default
     * timeout (a settings file that is a FIFO nobody writes), the rest
     * under theirs (the default when they are broken), counted from the
     * start, opening the log included; a log that is a FIFO nobody reads
     * does not block it. (No signal ends a wait in the kernel, as on a
     * hard NFS mount that hangs.) */
    watchdog_arm(context, HOOK_TIMEOUT_DEFAULT, migrate, HOOK_TIMEOUT_DEFAULT);
    _cleanup_(hook_config_clear) struct hook_config c = {0};
    struct err *e = hook_config_load(config, &c);
    double timeout = c.timeout > 0 ? c.timeout : HOOK_TIMEOUT_DEFAULT;
    watchdog_arm(context, timeout, migrate, timeout - elapsed_s());
    if (c.log && *c.log) {
        log_fd = open(c.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);
    }
    size_t size = 0;
    bool whole = true;
    int read_error = 0;
    _cleanup_free_ char *input = read_input(&size, &whole, &read_error);
    if (!whole) {
        /* Not a domain csdpdk can judge: libvirt goes on with its own XML
         * (a migrate begin that prints nothing keeps it) and says what is
         * wrong with it, if anything. */
        char text[128];
        if (read_error) {
            snprintf(text, sizeof text, "cannot read the domain's XML: %s: left alone", strerror(read_error));
        } else {
            snprintf(text, sizeof text, "the domain's XML is larger than %u MiB: left alone", INPUT_MAX >> 20);
        }
        log_line(context, text);
        err_free(e);
        return 0;
    }
    if (e && !dpdk_domain(input, size)) {
        /* Broken settings are no reason to refuse, or log, a domain that
         * is none of csdpdk's business: passed on as it came. */
        err_free(e);
        return migrate && give_domain(input, size) ? EXIT_REFUSED : 0;
    }
    if (e) {
        _cleanup_free_ char *text = mem_asprintf("csdpdk's hook settings: %s", e->message);
        log_line(context, text);
        err_free(e);
        if (migrate) {
            say("csdpdk: cannot check this host for the incoming VM: %s\n", text);
            return EXIT_REFUSED;
        }
        return 0;
    }
    _cleanup_(hook_outcome_clear) struct hook_outcome out = {0};
    if (migrate) {
        e = hook_migrate(&c, input, size, &out);
    } else {
        _cleanup_(domain_clear) struct domain d = {0};
        e = domain_parse(input, size, "domain", &d);
        if (e) {
            out.log = mem_asprintf("left alone a domain csdpdk cannot read: %s", e->message);
            err_free(e);
            e = NULL;
        } else {
            e = action == HOOK_BIND ? hook_bind(&c, &d, &out) : hook_release(&c, &d, &out);
            /* A run for a DPDK VM is always in the log, even one with nothing to do. */
            if (!e && !out.log && d.n_ifaces) {
                out.log = mem_asprintf("nothing to %s: %zu vhost-user interface%s, no port of csdpdk's to change",
                                       action == HOOK_BIND ? "bind" : "remove", d.n_ifaces,
                                       d.n_ifaces == 1 ? "" : "s");
            }
        }
    }
    if (e && out.refusal) {
        /* Refused, and the ports made for it could not be removed. */
        _cleanup_free_ char *text = mem_asprintf("refused the incoming migration: %s; its ports could not be removed: %s%s%s",
                                                 out.refusal, e->message, out.log ? "; " : "",
                                                 out.log ? out.log : "");
        log_line(context, text);
        say("csdpdk refused the incoming migration: %s (the ports made for it could not be removed: %s)\n",
            out.refusal, e->message);
        err_free(e);
        return EXIT_REFUSED;
    }
    if (e) {
        _cleanup_free_ char *text = mem_asprintf("%s%s%s%s", out.log ? out.log : "", out.log ? "; then " : "",
                                                 e->message, migrate ? ": the incoming migration is refused" : "");
        log_line(context, text);
        if (migrate) {
            say("csdpdk: cannot check this host for the incoming VM: %s\n", e->message);
        }
        err_free(e);
        return migrate ? EXIT_REFUSED : 0;
    }
    if (out.refusal) {
        _cleanup_free_ char *text = mem_asprintf("refused the incoming migration: %s%s%s", out.refusal,
                                                 out.log ? "; " : "", out.log ? out.log : "");
        log_line(context, text);
        say("csdpdk refused the incoming migration: %s\n", out.refusal);
        return EXIT_REFUSED;
    }
    log_line(context, out.log);
    if (migrate && give_domain(out.xml ? out.xml : input, out.xml ? out.xml_size : size)) {
        log_line(context, "could not write the domain to libvirt");
        return EXIT_REFUSED;
    }
    return 0;
}
