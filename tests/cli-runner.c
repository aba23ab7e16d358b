/* Runs the csdpdk binary on recorded cases and prints TAP.
 *
 *   cli-runner [--wrap 'CMD ARGS'] [--sample K/N] BINARY golden DIR
 *     Each case is DIR/NAME.in (the request on stdin) and/or DIR/NAME.args
 *     (the arguments, split on blanks; default: the name of DIR, the verb).
 *     The expected outcome, DIR/NAME.out, is stdout followed by a line
 *     '--- exit N', compared byte for byte. CSDPDK_REGENERATE=1 rewrites it.
 *     When DIR/setup.sh exists, it runs first ('bash DIR/setup.sh TMP', its
 *     output in TMP/setup.log) with a new temporary directory TMP, where it
 *     may start daemons (a private ovsdb-server) that write TMP/NAME.pid;
 *     '@TMP@' in a case's arguments is TMP, and TMP in its stdout reads as
 *     '@TMP@'. After the directory's cases each process of a TMP/NAME.pid is
 *     stopped and TMP removed.
 *
 *   cli-runner [--wrap 'CMD ARGS'] BINARY corpus VERB DIR...
 *     Each case is DIR/CODE/NAME.json: a bad request for VERB that must give
 *     the error CODE and exit 65, with one JSON envelope on stdout.
 *
 * Every case must leave stderr empty (the agent merges it into stdout), and
 * a JSON envelope's 'ok' must agree with the exit status. --wrap runs the
 * binary under another program (valgrind). --sample K/N runs a directory's
 * cases number K, K+N, K+2N... (from 0, in name order) and no other. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CASE_TIMEOUT_S 120

static int n_run, n_failed;
static char *wrap_argv[32];
static int wrap_argc;
static int sample_k, sample_n = 1;

struct outcome {
    char *out;
    size_t out_size;
    char *err;
    size_t err_size;
    int status; /* exit status, or 128 + signal, or -1 on timeout */
};

static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, alloc = 0;
    for (;;) {
        if (n + 65536 + 1 > alloc) {
            alloc = alloc ? 2 * alloc : 65536 * 2;
            buf = realloc(buf, alloc);
        }
        size_t got = fread(buf + n, 1, alloc - n - 1, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (size) {
        *size = n;
    }
    return buf;
}

static int write_file(const char *path, const char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        return -1;
    }
    size_t done = fwrite(data, 1, size, f);
    return fclose(f) == 0 && done == size ? 0 : -1;
}

static char *slurp_fd(int fd, size_t *size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return read_file(path, size);
}

/* Runs argv with stdin from 'in_path' (or /dev/null), capturing stdout and
 * stderr, killing it after CASE_TIMEOUT_S. */
static void run(char **argv, const char *in_path, struct outcome *o)
{
    char out_tmpl[] = "/tmp/csdpdk-out-XXXXXX", err_tmpl[] = "/tmp/csdpdk-err-XXXXXX";
    int out_fd = mkstemp(out_tmpl), err_fd = mkstemp(err_tmpl);
    unlink(out_tmpl);
    unlink(err_tmpl);

    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, &old);

    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        int in_fd = open(in_path ? in_path : "/dev/null", O_RDONLY);
        dup2(in_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }

    struct timespec timeout = {CASE_TIMEOUT_S, 0};
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            break;
        }
        if (sigtimedwait(&mask, NULL, &timeout) < 0 && errno == EAGAIN) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = -1;
            break;
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);

    o->status = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o->out = slurp_fd(out_fd, &o->out_size);
    o->err = slurp_fd(err_fd, &o->err_size);
    close(out_fd);
    close(err_fd);
}

static void outcome_clear(struct outcome *o)
{
    free(o->out);
    free(o->err);
}

/* Builds the argv: wrapper, binary, then 'args' split on blanks. */
static char **make_argv(const char *binary, char *args)
{
    static char *argv[256];
    int n = 0;
    for (int i = 0; i < wrap_argc; i++) {
        argv[n++] = wrap_argv[i];
    }
    argv[n++] = (char *) binary;
    for (char *tok = strtok(args, " \t\n"); tok && n < 255; tok = strtok(NULL, " \t\n")) {
        argv[n++] = tok;
    }
    argv[n] = NULL;
    return argv;
}

static void report(bool ok, const char *name, const char *why)
{
    n_run++;
    if (ok) {
        printf("ok %d - %s\n", n_run, name);
    } else {
        n_failed++;
        printf("not ok %d - %s\n", n_run, name);
        for (const char *line = why; line && *line;) {
            const char *end = strchr(line, '\n');
            int len = end ? (int) (end - line) : (int) strlen(line);
            printf("#   %.*s\n", len, line);
            line = end ? end + 1 : "";
        }
    }
    fflush(stdout);
}

/* Checks what every case must hold: stderr empty, a JSON envelope that
 * agrees with the exit status. Returns NULL or a reason (static). */
static const char *check_invariants(const struct outcome *o, bool json_expected, json_t **env_out)
{
    static char why[1024];

    if (o->status < 0) {
        return "timed out";
    }
    if (o->status >= 128) {
        snprintf(why, sizeof why, "killed by signal %d\nstderr:\n%.900s", o->status - 128, o->err);
        return why;
    }
    if (o->err_size) {
        snprintf(why, sizeof why, "stderr is not empty:\n%.900s", o->err);
        return why;
    }
    if (!json_expected) {
        return NULL;
    }
    json_error_t jerr;
    json_t *env = json_loadb(o->out, o->out_size, 0, &jerr);
    if (!env) {
        snprintf(why, sizeof why, "stdout is not one JSON document: %s", jerr.text);
        return why;
    }
    json_t *ok = json_object_get(env, "ok");
    bool exit_ok = o->status == 0 || o->status == 1;
    if (!json_is_boolean(ok) || json_is_true(ok) != exit_ok) {
        json_decref(env);
        snprintf(why, sizeof why, "'ok' disagrees with exit status %d", o->status);
        return why;
    }
    if (env_out) {
        *env_out = env;
    } else {
        json_decref(env);
    }
    return NULL;
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* 's' with every 'from' replaced by 'to' (a new string). */
static char *replace_all(const char *s, size_t size, const char *from, const char *to, size_t *out_size)
{
    size_t nf = strlen(from), nt = strlen(to), n = 0;
    char *out = malloc(size / (nf ? nf : 1) * (nt + 1) + size + 1), *w = out;
    for (size_t i = 0; i < size;) {
        if (nf && i + nf <= size && !memcmp(s + i, from, nf)) {
            memcpy(w, to, nt);
            w += nt;
            i += nf;
        } else {
            *w++ = s[i++];
        }
    }
    *w = '\0';
    n = (size_t) (w - out);
    if (out_size) {
        *out_size = n;
    }
    return out;
}

/* The state letter of /proc/PID/stat, or 0 when the process is gone. */
static char process_state(long pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    const char *close = f && fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
    if (f) {
        fclose(f);
    }
    return close && close[1] == ' ' ? close[2] : 0;
}

/* DIR/setup.sh, when there is one, with a new temporary directory: its path
 * in 'tmp' (empty without setup). False, with a report, if it failed. */
static bool fixture_start(const char *dir, char *tmp, size_t size)
{
    char setup[4096];
    tmp[0] = '\0';
    snprintf(setup, sizeof setup, "%s/setup.sh", dir);
    if (access(setup, F_OK) != 0) {
        return true;
    }
    snprintf(tmp, size, "/tmp/csdpdk-golden-XXXXXX");
    if (!mkdtemp(tmp)) {
        report(false, setup, strerror(errno));
        tmp[0] = '\0';
        return false;
    }
    char log[4096];
    snprintf(log, sizeof log, "%s/setup.log", tmp);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execlp("bash", "bash", setup, tmp, (char *) NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *text = read_file(log, NULL), why[4096];
        snprintf(why, sizeof why, "failed, exit status %d:\n%.3000s", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                 text ? text : "");
        report(false, setup, why);
        free(text);
        return false;
    }
    return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    remove(path);
    return 0;
}

/* Stops the process of each TMP/NAME.pid (TERM, KILL after 5 s), removes TMP. */
static void fixture_stop(const char *tmp)
{
    if (!*tmp) {
        return;
    }
    char pattern[4096];
    glob_t g = {0};
    snprintf(pattern, sizeof pattern, "%s/*.pid", tmp);
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            char *text = read_file(g.gl_pathv[i], NULL);
            long pid = text ? strtol(text, NULL, 10) : 0;
            free(text);
            if (pid <= 0 || kill((pid_t) pid, SIGTERM) != 0) {
                continue;
            }
            for (int waited = 0; waited < 5000; waited += 20) {
                char state = process_state(pid);
                if (!state || state == 'Z') {
                    break;
                }
                usleep(20000);
            }
            char state = process_state(pid);
            if (state && state != 'Z') {
                kill((pid_t) pid, SIGKILL);
            }
        }
    }
    globfree(&g);
    nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void golden_case(const char *binary, const char *dir, const char *name, const char *tmp)
{
    char in_path[4096], args_path[4096], out_path[4096], label[4096];
    snprintf(in_path, sizeof in_path, "%s/%s.in", dir, name);
    snprintf(args_path, sizeof args_path, "%s/%s.args", dir, name);
    snprintf(out_path, sizeof out_path, "%s/%s.out", dir, name);
    snprintf(label, sizeof label, "%s/%s", dir, name);

    char *args = read_file(args_path, NULL);
    if (!args) {
        const char *base = strrchr(dir, '/');
        args = strdup(base ? base + 1 : dir);
    }
    if (*tmp) {
        char *with_tmp = replace_all(args, strlen(args), "@TMP@", tmp, NULL);
        free(args);
        args = with_tmp;
    }
    bool text = strstr(args, "--format text") || strstr(args, "--format prometheus") ||
                strstr(args, "--help");
    bool json_help = strstr(args, "--help") && strstr(args, "--format json");

    struct outcome o;
    run(make_argv(binary, args), access(in_path, R_OK) == 0 ? in_path : NULL, &o);
    if (*tmp && o.out) {
        char *without_tmp = replace_all(o.out, o.out_size, tmp, "@TMP@", &o.out_size);
        free(o.out);
        o.out = without_tmp;
    }

    size_t got_size = o.out_size + 32;
    char *got = malloc(got_size);
    got_size = (size_t) snprintf(got, got_size, "%s--- exit %d\n", o.out ? o.out : "", o.status);

    const char *why = check_invariants(&o, !text || json_help, NULL);
    if (!why && getenv("CSDPDK_REGENERATE")) {
        write_file(out_path, got, got_size);
    }
    size_t want_size = 0;
    char *want = read_file(out_path, &want_size);
    if (!why && !want) {
        why = "no .out file (CSDPDK_REGENERATE=1 writes it)";
    } else if (!why && (want_size != got_size || memcmp(want, got, got_size))) {
        static char diff[16384];
        size_t i = 0, line = 1;
        while (i < want_size && i < got_size && want[i] == got[i]) {
            line += want[i++] == '\n';
        }
        size_t ws = i, gs = i;
        while (ws > 0 && want[ws - 1] != '\n') {
            ws--;
        }
        gs = ws;
        snprintf(diff, sizeof diff, "differs from %s at line %zu:\nwant: %.*s\ngot:  %.*s", out_path,
                 line, (int) strcspn(want + ws, "\n"), want + ws, (int) strcspn(got + gs, "\n"),
                 got + gs);
        why = diff;
    }
    report(!why, label, why);
    free(want);
    free(got);
    free(args);
    outcome_clear(&o);
}

static void golden(const char *binary, const char *dir)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, compare_names);
    if (n < 0) {
        report(false, dir, "cannot read the directory");
        return;
    }
    char tmp[64];
    if (!fixture_start(dir, tmp, sizeof tmp)) {
        fixture_stop(tmp);
        for (int i = 0; i < n; i++) {
            free(entries[i]);
        }
        free(entries);
        return;
    }
    for (int i = 0, c = 0; i < n; i++) {
        const char *f = entries[i]->d_name;
        size_t len = strlen(f);
        char in[4096];
        /* One case per name: NAME.in, or NAME.args when there is no .in. */
        size_t stem = has_suffix(f, ".in") ? len - 3 : has_suffix(f, ".args") ? len - 5 : 0;
        if (stem && has_suffix(f, ".args")) {
            snprintf(in, sizeof in, "%s/%.*s.in", dir, (int) stem, f);
            stem = access(in, F_OK) != 0 ? stem : 0;
        }
        if (stem && c++ % sample_n == sample_k) {
            char *name = strndup(f, stem);
            golden_case(binary, dir, name, tmp);
            free(name);
        }
        free(entries[i]);
    }
    free(entries);
    fixture_stop(tmp);
}

static void corpus_case(const char *binary, const char *verb, const char *path, const char *code)
{
    char *args = strdup(verb);
    struct outcome o;
    json_t *env = NULL;
    static char why[1024];
    const char *failure;

    run(make_argv(binary, args), path, &o);
    failure = check_invariants(&o, true, &env);
    if (!failure) {
        json_t *error = json_object_get(env, "error");
        const char *got = json_string_value(json_object_get(error, "code"));
        const char *message = json_string_value(json_object_get(error, "message"));
        if (o.status != 65 || !got || strcmp(got, code) || !message || !*message) {
            snprintf(why, sizeof why, "want %s and exit 65, got %s and exit %d: %.600s", code,
                     got ? got : "(no code)", o.status, message ? message : "");
            failure = why;
        }
    }
    report(!failure, path, failure);
    json_decref(env);
    free(args);
    outcome_clear(&o);
}

static void corpus(const char *binary, const char *verb, const char *dir)
{
    struct dirent **codes;
    int n = scandir(dir, &codes, NULL, compare_names);
    if (n < 0) {
        report(false, dir, "cannot read the directory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *code = codes[i]->d_name;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, code);
        struct dirent **files;
        int m = code[0] == '.' ? -1 : scandir(sub, &files, NULL, compare_names);
        for (int j = 0; j < m; j++) {
            if (has_suffix(files[j]->d_name, ".json")) {
                char path[8192];
                snprintf(path, sizeof path, "%s/%s", sub, files[j]->d_name);
                corpus_case(binary, verb, path, code);
            }
            free(files[j]);
        }
        if (m >= 0) {
            free(files);
        }
        free(codes[i]);
    }
    free(codes);
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "--wrap")) {
        for (char *tok = strtok(argv[i + 1], " "); tok && wrap_argc < 31; tok = strtok(NULL, " ")) {
            wrap_argv[wrap_argc++] = tok;
        }
        i += 2;
    }
    if (i + 1 < argc && !strcmp(argv[i], "--sample")) {
        char end;
        if (sscanf(argv[i + 1], "%d/%d%c", &sample_k, &sample_n, &end) != 2 || sample_n < 1 ||
            sample_k < 0 || sample_k >= sample_n) {
            fprintf(stderr, "cli-runner: --sample wants K/N with 0 <= K < N, not '%s'\n", argv[i + 1]);
            return 64;
        }
        i += 2;
    }
    if (argc - i >= 3 && !strcmp(argv[i + 1], "golden")) {
        for (int d = i + 2; d < argc; d++) {
            golden(argv[i], argv[d]);
        }
    } else if (argc - i >= 4 && !strcmp(argv[i + 1], "corpus")) {
        for (int d = i + 3; d < argc; d++) {
            corpus(argv[i], argv[i + 2], argv[d]);
        }
    } else {
        fprintf(stderr, "usage: cli-runner [--wrap CMD] [--sample K/N] BINARY golden DIR...\n"
                        "       cli-runner [--wrap CMD] BINARY corpus VERB DIR...\n");
        return 64;
    }
    printf("1..%d\n", n_run);
    return n_failed ? 1 : 0;
}
