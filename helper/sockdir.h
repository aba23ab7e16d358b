/* The vhost-user socket directory: is it there, and can the users who
 * create sockets in it do so? OVS creates them for csdpdk's server mode,
 * QEMU for its client mode. */
#ifndef CSDPDK_SOCKDIR_H
#define CSDPDK_SOCKDIR_H

#include <stdbool.h>
#include <sys/types.h>

enum sockdir_kind {
    SOCKDIR_MISSING,
    SOCKDIR_DIRECTORY,
    SOCKDIR_SYMLINK, /* refused even if it points to a directory */
    SOCKDIR_OTHER,   /* a file, a socket... */
};

struct sockdir_user {
    char *name;    /* NULL when unknown */
    bool known;    /* the user exists on this host */
    bool writable; /* may create entries in the directory */
};

struct sockdir_facts {
    char *path;
    enum sockdir_kind kind;
    char *owner, *group; /* names, or numbers when they have none */
    unsigned mode;       /* permission bits */
    bool read_only;      /* on a read-only file system */
    struct sockdir_user ovs, qemu;
};

void sockdir_facts_clear(struct sockdir_facts *f);

const char *sockdir_kind_name(enum sockdir_kind kind);

/* Looks at 'dir' (never following a final symlink) on behalf of the OVS
 * user 'ovs_uid' and the QEMU user named 'qemu_user' (looked up in the
 * passwd database; unknown users are reported, not guessed). */
void sockdir_probe(const char *dir, uid_t ovs_uid, const char *qemu_user, struct sockdir_facts *out);

/* Why the unix socket at 'path' must be kept, or NULL when nobody holds
 * it. 'switch_pid', a running ovs-vswitchd's (or 0), is asked through its
 * own network namespace's /proc/PID/net/unix, never by connecting (a
 * connection that closes makes OVS tear a port's vhost device down);
 * without it a socket of this namespace bound to 'path' holds it, and so
 * does a listener that accepts a connection. */
char *sockdir_holder(const char *path, long switch_pid);

/* Whether directories 'a' and 'b' are one: the same path, or the same
 * directory by another path (/var/run is /run on Debian). */
bool sockdir_same(const char *a, const char *b);

/* Whether paths 'a' and 'b' name one socket: the same path, or the same
 * name in one directory (sockdir_same()); the socket need not exist. */
bool sockdir_same_socket(const char *a, const char *b);

#endif
