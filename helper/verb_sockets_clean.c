/* sockets-clean: remove the stale sockets of server-mode ports, so that an
 * ovs-vswitchd started after a crash can create them again. A switch
 * killed with -9 leaves the socket files of its dpdkvhostuser ports behind;
 * DPDK's vhost library does not unlink a file it finds, so the next switch
 * cannot bind ("Address already in use"), the port stays down and its VM,
 * whose QEMU reconnects, never finds a listener.
 *
 * Run before every start of the switch (the systemd drop-in in packaging/)
 * and safe at any time: a file of OVS's socket directory (its run
 * directory plus other_config:vhost-sock-dir) is removed only if it is a
 * socket (lstat: a symbolic link is never followed), its name is an
 * Interface of type dpdkvhostuser in OVSDB, and nobody holds it. While an
 * ovs-vswitchd runs, "nobody" is read from its own network namespace's
 * /proc/PID/net/unix, never by connecting: a connection that closes makes
 * OVS tear the port's vhost device down (netdev-dpdk's destroy_connection
 * resets its queues). Without a switch, connect() must be refused and no
 * socket of this network namespace may be bound to the path. Everything
 * else is kept, with the reason. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper/capability.h"
#include "helper/failpoint.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/probe.h"
#include "helper/sockdir.h"
#include "helper/verb.h"
#include "helper/text.h"

static const char *file_kind(mode_t mode)
{
    return S_ISREG(mode) ? "a regular file" : S_ISLNK(mode) ? "a symbolic link"
         : S_ISDIR(mode) ? "a directory" : "not a socket";
}

/* The type of the vhost-user Interface named 'name', or NULL. */
static const char *port_type(const struct ovs_port_list *ports, const char *name)
{
    const struct ovs_port *p = ovs_port_list_find(ports, name);
    return p ? (p->type ? p->type : "") : NULL;
}

/* Judges one entry of the directory; removes it when stale (and not
 * 'dry_run'). Appends its name to 'removed' or {name, reason} to 'kept';
 * entries that are neither sockets nor ports are not listed. */
static void clean_one(int dir_fd, const char *dir, const char *name, const struct ovs_port_list *ports,
                      long switch_pid, bool dry_run, json_t *removed, json_t *kept)
{
    struct stat st;
    const char *type = port_type(ports, name);
    bool port = type && streq(type, "dpdkvhostuser");
    _cleanup_free_ char *why = NULL;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        why = mem_asprintf("lstat(): %s", strerror(errno));
    } else if (!S_ISSOCK(st.st_mode)) {
        why = port ? mem_asprintf("%s, not a socket", file_kind(st.st_mode)) : NULL;
        if (!why) {
            return;
        }
    } else if (!port) {
        why = type ? mem_asprintf("the socket of a %s port: QEMU's, not OVS's", type)
                   : mem_strdup("no port of that name in OVSDB");
    } else {
        _cleanup_free_ char *path = mem_asprintf("%s/%s", dir, name);
        why = sockdir_holder(path, switch_pid);
    }
    if (!why && !dry_run) {
        /* Still the file judged, then gone: a switch that bound a new
         * socket meanwhile has another inode. */
        struct stat again;
        if (fstatat(dir_fd, name, &again, AT_SYMLINK_NOFOLLOW) != 0 || again.st_ino != st.st_ino ||
            again.st_dev != st.st_dev) {
            why = mem_strdup("replaced while it was checked");
        } else if (FAILPOINT("sockets-clean.before-unlink"), unlinkat(dir_fd, name, 0) != 0) {
            why = mem_asprintf("unlink(): %s", strerror(errno));
        }
    }
    /* A name that is not UTF-8 (no port's) is shown escaped. */
    json_t *shown = json_string(name);
    if (!shown) {
        _cleanup_free_ char *escaped = text_quote_for_message(name, 256);
        shown = json_string(escaped);
    }
    if (why) {
        json_array_append_new(kept, json_pack("{s:o, s:s}", "name", shown, "reason", why));
    } else {
        json_array_append_new(removed, shown);
    }
}

struct err *verb_sockets_clean_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    const struct ovs_select query = {OVS_SELECT_VHOST, NULL};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_switch_clear) struct ovs_switch sw = {0};
    _cleanup_(ovs_port_list_clear) struct ovs_port_list ports = {0};

    _cleanup_free_ char *rundir = host_ovs_rundir(o->ovsdb);
    if (!rundir) {
        return err_new(ERR_USAGE, NULL,
                       "--ovsdb must be a unix: socket in OVS's run directory (where its server-mode sockets are), not '%s'",
                       o->ovsdb);
    }
    struct err *e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    if (!e) {
        e = ovsdb_switch_read(db, &sw);
    }
    if (!e) {
        e = ovsdb_ports_select(db, &query, 1, 0, &ports);
    }
    if (e) {
        return e;
    }
    _cleanup_free_ char *dir = capability_ovs_socket_dir(rundir, sw.vhost_sock_dir);
    bool running = false;
    long pid = host_vswitchd_pid(o->ovsdb, &running);
    if (!running) {
        host_vswitchd_wait_dead(pid, (long) (o->timeout * 1000 / 2));
    }
    json_t *removed = json_array();
    json_t *kept = json_array();
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, NULL, alphasort);
    int dir_fd = n >= 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (n < 0 || dir_fd < 0) {
        json_array_append_new(ctx->warnings, json_sprintf("cannot read the socket directory '%s': %s",
                                                          dir, strerror(errno)));
    }
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (dir_fd >= 0 && strcmp(name, ".") && strcmp(name, "..")) {
            clean_one(dir_fd, dir, name, &ports, running ? pid : 0, o->dry_run, removed, kept);
        }
        free(entries[i]);
    }
    free(entries);
    if (dir_fd >= 0) {
        close(dir_fd);
    }
    if (o->dry_run && json_array_size(removed)) {
        json_array_append_new(ctx->warnings, json_string("dry run: nothing was removed"));
    }
    *result = json_pack("{s:s, s:o, s:o}", "socket_dir", dir, "removed", removed, "kept", kept);
    return NULL;
}
