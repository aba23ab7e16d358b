/* What a broken or hostile ovsdb-server could send back: the real OVSDB
 * client (helper/ovsdb.c, libopenvswitch's jsonrpc) against a fake server
 * that answers from the input.
 *
 * The input is a selector byte (which client operation runs, below), then
 * replies separated by 0x1e bytes. The server answers each request with the
 * next reply: a reply is the text of the "result" member, sent as
 * {"result":REPLY,"error":null,"id":ID} with the request's ID last (so that
 * the client reads it, whatever members REPLY adds); when it starts with
 * '?', the text after the '?' is the error: {"result":null,"error":REPLY,
 * "id":ID}; when it starts with '!', the bytes after the '!' are sent as
 * they are (an echo request, a wrong id, garbage), and the next reply is
 * sent too. With no reply left the server hangs up, and so it does after
 * sending what is not whole JSON. An input whose reply the client ignores
 * (say, a '!' reply with a wrong id and nothing after it) leaves both
 * waiting, until the client's deadline (WAIT_MS): such inputs are rare and
 * only slow.
 *
 * No component can stand in here: a real ovsdb-server only sends what is
 * valid. The seeds are real replies, recorded from a private ovsdb-server:
 * with CSDPDK_FUZZ_OVSDB_RECORD=PATH (its unix socket), the fake server
 * forwards each request there and writes the selector byte and the replies
 * in this format to CSDPDK_FUZZ_OVSDB_RECORD_OUT (tests/fuzz/seed.sh). */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper/error.h"
#include "helper/ovsdb.h"

#define SEPARATOR 0x1e
#define WAIT_MS 2000   /* the client's deadline, and the server's wait for a request */
#define RECORD_MS 10000 /* in record mode, the real server's wait for its answer */

enum op {
    OP_SWITCH_READ,  /* ovsdb_switch_read() */
    OP_SELECT_ALL,   /* every vhost-user port, with status (the many-port path) */
    OP_SELECT_FEW,   /* by VM, MAC, name and operation (the few-port path) */
    OP_BRIDGES,      /* ovsdb_bridges_check() */
    OP_CREATE,       /* two ports, one of them tagged for a migration */
    OP_PREDICT,      /* ovsdb_ports_predict() */
    OP_DELETE,       /* the VM's ports as selected, deleted, then untagged */
    OP_WAIT_APPLIED, /* ovsdb_wait_applied() */
    OP_COUNT
};

static char sock_path[sizeof ((struct sockaddr_un *) 0)->sun_path];
static int listen_fd = -1;

struct server {
    const uint8_t *data, *end; /* the replies left */
    const char *record;        /* a real server's socket, or NULL */
    FILE *record_out;
};

static int unix_socket(const char *path, bool listening)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    int r = listening ? bind(fd, (struct sockaddr *) &sa, sizeof sa) || listen(fd, 4)
                      : connect(fd, (struct sockaddr *) &sa, sizeof sa);
    if (r) {
        close(fd);
        return -1;
    }
    return fd;
}

static void cleanup(void)
{
    unlink(sock_path);
}

static void *server_thread(void *unused);

/* The sockets of earlier runs that died (a finding, a timeout): atexit()
 * removes a socket only on a normal exit. */
static void remove_dead_sockets(void)
{
    DIR *d = opendir("/tmp");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        int pid;
        char path[300];
        if (sscanf(de->d_name, "csdpdk-fuzz-ovsdb-%d.sock", &pid) == 1 && kill(pid, 0) != 0 &&
            errno == ESRCH) {
            snprintf(path, sizeof path, "/tmp/%s", de->d_name);
            unlink(path);
        }
    }
    if (d) {
        closedir(d);
    }
}

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    remove_dead_sockets();
    snprintf(sock_path, sizeof sock_path, "/tmp/csdpdk-fuzz-ovsdb-%d.sock", (int) getpid());
    unlink(sock_path);
    listen_fd = unix_socket(sock_path, true);
    if (listen_fd < 0) {
        perror(sock_path);
        abort();
    }
    atexit(cleanup);
    pthread_t thread;
    if (pthread_create(&thread, NULL, server_thread, NULL) || pthread_detach(thread)) {
        abort();
    }
}

static bool send_all(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        p = (const char *) p + w, n -= (size_t) w;
    }
    return true;
}

/* A connection's unread bytes. */
struct inbox {
    int fd;
    char *buf;
    size_t len, cap;
};

/* The next JSON message on the connection; NULL at its end or after
 * 'wait_ms' of silence. */
static json_t *next_message(struct inbox *in, int wait_ms)
{
    for (;;) {
        if (in->len > 0) {
            json_error_t e;
            json_t *j = json_loadb(in->buf, in->len, JSON_DISABLE_EOF_CHECK, &e);
            if (j) {
                size_t used = (size_t) e.position;
                memmove(in->buf, in->buf + used, in->len - used);
                in->len -= used;
                return j;
            }
        }
        struct pollfd p = {.fd = in->fd, .events = POLLIN};
        int ready = poll(&p, 1, wait_ms);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            return NULL;
        }
        if (in->cap - in->len < 4096) {
            in->buf = realloc(in->buf, in->cap = in->cap * 2 + 4096);
        }
        ssize_t r = recv(in->fd, in->buf + in->len, in->cap - in->len, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return NULL;
        }
        in->len += (size_t) r;
    }
}

static bool send_json(int fd, const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    bool ok = text && send_all(fd, text, strlen(text));
    free(text);
    return ok;
}

/* Record mode: the real server's reply to 'request', passed on to the
 * client and written down. */
static bool forward(struct server *s, struct inbox *upstream, int client, const json_t *request)
{
    if (!send_json(upstream->fd, request)) {
        return false;
    }
    json_t *reply;
    while ((reply = next_message(upstream, RECORD_MS)) && !json_object_get(reply, "result") &&
           !json_object_get(reply, "error")) {
        json_decref(reply); /* an echo request from the server: not the reply */
    }
    if (!reply) {
        return false;
    }
    const json_t *error = json_object_get(reply, "error");
    bool failed = error && !json_is_null(error);
    char *text = json_dumps(failed ? error : json_object_get(reply, "result"),
                            JSON_COMPACT | JSON_ENCODE_ANY);
    fprintf(s->record_out, "%c%s%s", SEPARATOR, failed ? "?" : "", text ? text : "null");
    free(text);
    bool ok = send_json(client, reply);
    json_decref(reply);
    return ok;
}

/* Is 'p' nothing but whole JSON objects and arrays? If it is not, the
 * client may wait for the rest of a value that never comes: the server
 * hangs up after sending it, so that no input waits for a deadline. */
static bool whole_json(const char *p, size_t n)
{
    for (;;) {
        while (n > 0 && strchr(" \t\r\n", *p) && *p) {
            p++, n--;
        }
        if (n == 0) {
            return true;
        }
        json_error_t e;
        json_t *j = json_loadb(p, n, JSON_DISABLE_EOF_CHECK, &e);
        if (!j) {
            return false;
        }
        json_decref(j);
        p += e.position, n -= (size_t) e.position;
    }
}

/* Answers 'id' from the input; false when the server is to hang up. */
static bool answer(struct server *s, int client, const json_t *id)
{
    while (s->data < s->end) {
        const uint8_t *sep = memchr(s->data, SEPARATOR, (size_t) (s->end - s->data));
        const char *reply = (const char *) s->data;
        size_t n = (size_t) ((sep ? sep : s->end) - s->data);
        s->data = sep ? sep + 1 : s->end;
        if (n > 0 && reply[0] == '!') {
            if (!send_all(client, reply + 1, n - 1) || !whole_json(reply + 1, n - 1)) {
                return false;
            }
            continue;
        }
        bool error = n > 0 && reply[0] == '?';
        char *id_text = json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t id_len = strlen(id_text);
        char *msg = malloc(id_len + n + 64);
        size_t len = (size_t) sprintf(msg, "{\"%s\":", error ? "error" : "result");
        memcpy(msg + len, reply + error, n - error);
        len += n - error;
        len += (size_t) sprintf(msg + len, ",\"%s\":null,\"id\":%s}", error ? "result" : "error", id_text);
        bool ok = send_all(client, msg, len) && whole_json(msg, len);
        free(msg);
        free(id_text);
        return ok;
    }
    return false;
}

/* Serves one connection: the client's, or the empty one LLVMFuzzerTestOneInput
 * makes when ovsdb_open() failed (so that none is left for the next input). */
static void serve(struct server *s)
{
    struct inbox client = {.fd = -1};
    while ((client.fd = accept(listen_fd, NULL, NULL)) < 0 && errno == EINTR) {
    }
    struct inbox upstream = {.fd = s->record ? unix_socket(s->record, false) : -1};
    if (client.fd < 0 || (s->record && upstream.fd < 0)) {
        goto out;
    }
    json_t *msg;
    while ((msg = next_message(&client, WAIT_MS))) {
        const json_t *id = json_object_get(msg, "id");
        bool is_request = json_is_string(json_object_get(msg, "method")) && id && !json_is_null(id);
        bool go_on = !is_request || (s->record ? forward(s, &upstream, client.fd, msg)
                                               : answer(s, client.fd, id));
        json_decref(msg);
        if (!go_on) {
            break;
        }
    }
out:
    if (client.fd >= 0) {
        close(client.fd);
    }
    if (upstream.fd >= 0) {
        close(upstream.fd);
    }
    free(client.buf);
    free(upstream.buf);
}

/* One server thread for the whole run (a thread per input would grow the
 * sanitizers' thread registry): it serves 'job' and clears it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct server *job;

static void *server_thread(void *unused)
{
    (void) unused;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the fuzzer's, on its thread */
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!job) {
            pthread_cond_wait(&changed, &lock);
        }
        struct server *s = job;
        pthread_mutex_unlock(&lock);
        serve(s);
        pthread_mutex_lock(&lock);
        job = NULL;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static const struct ovs_port_spec specs[] = {
    {.bridge = "br0", .type = "dpdkvhostuserclient", .socket_dir = "/var/run/openvswitch",
     .vlan = 100, .vm_id = "0e4a8a4c-2a4b-4a39-9d2e-6a6a4b1c0001", .mac = "52:54:00:00:00:01",
     .iface_id = "nic-1"},
    {.bridge = "br0", .type = "dpdkvhostuser", .vm_id = "0e4a8a4c-2a4b-4a39-9d2e-6a6a4b1c0001",
     .mac = "52:54:00:00:00:02", .iface_id = "nic-2", .op_id = "op-1", .op_time = "1764633600"},
};

static struct err *run(struct ovsdb *db, enum op op)
{
    struct err *e = NULL;
    switch (op) {
    case OP_SWITCH_READ: {
        struct ovs_switch sw = {0};
        e = ovsdb_switch_read(db, &sw);
        ovs_switch_clear(&sw);
        break;
    }
    case OP_SELECT_ALL:
    case OP_SELECT_FEW:
    case OP_DELETE: {
        static const struct ovs_select all = {OVS_SELECT_VHOST, NULL};
        static const struct ovs_select few[] = {
            {OVS_SELECT_VM, "0e4a8a4c-2a4b-4a39-9d2e-6a6a4b1c0001"},
            {OVS_SELECT_MAC, "52:54:00:00:00:01"},
            {OVS_SELECT_NAME, "csdpdk-1"},
            {OVS_SELECT_OP, "op-1"},
        };
        struct ovs_port_list list = {0};
        e = op == OP_SELECT_ALL ? ovsdb_ports_select(db, &all, 1, OVS_SELECT_WITH_STATUS, &list)
                                : ovsdb_ports_select(db, few, op == OP_DELETE ? 1 : 4, 0, &list);
        if (!e && op == OP_DELETE) {
            e = ovsdb_ports_delete(db, list.ports, list.n, "fuzz");
            if (!e) {
                e = ovsdb_ports_untag(db, list.ports, list.n, "fuzz");
            }
        }
        ovs_port_list_clear(&list);
        break;
    }
    case OP_BRIDGES: {
        int missing = -1;
        e = ovsdb_bridges_check(db, (const char *const[]){"br0", "br1"}, 2, &missing);
        break;
    }
    case OP_CREATE:
    case OP_PREDICT: {
        char **names = NULL;
        e = op == OP_CREATE ? ovsdb_ports_create(db, specs, 2, "fuzz", &names)
                            : ovsdb_ports_predict(db, 2, &names);
        if (!e) {
            ovsdb_names_free(names, 2);
        }
        break;
    }
    case OP_WAIT_APPLIED:
        e = ovsdb_wait_applied(db, 100);
        break;
    case OP_COUNT:
        break;
    }
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (listen_fd < 0) {
        setup();
    }
    struct server s = {.data = data + 1, .end = data + size,
                       .record = getenv("CSDPDK_FUZZ_OVSDB_RECORD")};
    if (s.record) {
        const char *out = getenv("CSDPDK_FUZZ_OVSDB_RECORD_OUT");
        s.record_out = out ? fopen(out, "wb") : NULL;
        if (!s.record_out) {
            perror("CSDPDK_FUZZ_OVSDB_RECORD_OUT");
            abort();
        }
        fputc(data[0], s.record_out);
    }
    pthread_mutex_lock(&lock);
    job = &s;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    char url[sizeof sock_path + 8];
    snprintf(url, sizeof url, "unix:%s", sock_path);
    struct ovsdb *db = NULL;
    struct err *e = ovsdb_open(url, WAIT_MS / 1000.0, false, &db);
    if (!e) {
        e = run(db, (enum op) (data[0] % OP_COUNT));
    } else { /* no connection came: the server's accept() gets this one */
        close(unix_socket(sock_path, false));
    }
    err_free(e);
    ovsdb_close(db);
    pthread_mutex_lock(&lock);
    while (job) {
        pthread_cond_wait(&changed, &lock);
    }
    pthread_mutex_unlock(&lock);
    if (s.record_out) {
        fclose(s.record_out);
    }
    return 0;
}
