#include "helper/sockdir.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper/mem.h"

void sockdir_facts_clear(struct sockdir_facts *f)
{
    free(f->path);
    free(f->owner);
    free(f->group);
    free(f->ovs.name);
    free(f->qemu.name);
    *f = (struct sockdir_facts){0};
}

const char *sockdir_kind_name(enum sockdir_kind kind)
{
    switch (kind) {
    case SOCKDIR_MISSING:
        return "missing";
    case SOCKDIR_DIRECTORY:
        return "directory";
    case SOCKDIR_SYMLINK:
        return "symlink";
    case SOCKDIR_OTHER:
        return "not a directory";
    }
    return "?";
}

/* Can the user (uid, its groups) create an entry in a directory with 'st'?
 * It needs write and search permission; root needs neither. */
static bool can_create(const struct stat *st, uid_t uid, const char *user, gid_t gid)
{
    if (uid == 0) {
        return true;
    }
    mode_t w = S_IWOTH | S_IXOTH;
    if (st->st_uid == uid) {
        w = S_IWUSR | S_IXUSR;
    } else {
        gid_t groups[256];
        int n = ARRAY_SIZE(groups);
        bool member = st->st_gid == gid;
        if (!member && user && getgrouplist(user, gid, groups, &n) >= 0) {
            for (int i = 0; i < n && !member; i++) {
                member = groups[i] == st->st_gid;
            }
        }
        if (member) {
            w = S_IWGRP | S_IXGRP;
        }
    }
    return (st->st_mode & w) == w;
}

static char *user_name(uid_t uid)
{
    struct passwd *pw = getpwuid(uid);
    return pw ? mem_strdup(pw->pw_name) : mem_asprintf("%u", (unsigned) uid);
}

static char *group_name(gid_t gid)
{
    struct group *gr = getgrgid(gid);
    return gr ? mem_strdup(gr->gr_name) : mem_asprintf("%u", (unsigned) gid);
}

void sockdir_probe(const char *dir, uid_t ovs_uid, const char *qemu_user, struct sockdir_facts *out)
{
    struct sockdir_facts f = {.path = mem_strdup(dir)};
    struct stat st;

    f.ovs.name = user_name(ovs_uid);
    f.ovs.known = true;
    f.qemu.name = qemu_user ? mem_strdup(qemu_user) : NULL;

    if (lstat(dir, &st) < 0) {
        f.kind = SOCKDIR_MISSING;
    } else if (S_ISLNK(st.st_mode)) {
        f.kind = SOCKDIR_SYMLINK;
    } else if (!S_ISDIR(st.st_mode)) {
        f.kind = SOCKDIR_OTHER;
    } else {
        f.kind = SOCKDIR_DIRECTORY;
    }
    if (f.kind != SOCKDIR_MISSING) {
        f.owner = user_name(st.st_uid);
        f.group = group_name(st.st_gid);
        f.mode = st.st_mode & 07777;
    }
    if (f.kind == SOCKDIR_DIRECTORY) {
        struct statvfs vfs;
        f.read_only = statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
        struct passwd *ovs = getpwuid(ovs_uid);
        f.ovs.writable = !f.read_only &&
                         can_create(&st, ovs_uid, ovs ? ovs->pw_name : NULL, ovs ? ovs->pw_gid : 0);
        struct passwd *qemu = qemu_user ? getpwnam(qemu_user) : NULL;
        f.qemu.known = qemu != NULL;
        f.qemu.writable = qemu && !f.read_only &&
                          can_create(&st, qemu->pw_uid, qemu->pw_name, qemu->pw_gid);
    } else if (qemu_user) {
        f.qemu.known = getpwnam(qemu_user) != NULL;
    }
    *out = f;
}

/* Whether a socket of the network namespace whose /proc/.../net/unix is
 * 'table' is bound to 'path' and not connected: listening, or about to.
 * (A connection accepted on a listener carries its path too, in the
 * connecting side's namespace: that is no holder.) A bound path is the
 * file 'file' (NULL: not known) whatever its spelling: OVS joins its run
 * directory and vhost-sock-dir as they are ('vhost//csdpdk-1'), and its
 * /var/run is /run. */
static bool bound_in(const char *table, const char *path, const struct stat *file)
{
    FILE *f = fopen(table, "r");
    char line[4096];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f)) {
        /* Num RefCount Protocol Flags Type St Inode Path */
        unsigned st = 0;
        char *p = line;
        for (int field = 0; field < 7 && p; field++) {
            if (field == 5) {
                st = (unsigned) strtoul(p + strspn(p, " "), NULL, 16);
            }
            p = strchr(p + strspn(p, " "), ' ');
        }
        if (p && st == 1) { /* SS_UNCONNECTED */
            p += strspn(p, " ");
            p[strcspn(p, "\n")] = '\0';
            struct stat bound;
            found = streq(p, path) || (file && p[0] == '/' && stat(p, &bound) == 0 &&
                                       bound.st_dev == file->st_dev && bound.st_ino == file->st_ino);
        }
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* Whether a process listens on the unix socket 'path': NULL if not (the
 * connection is refused), else why the socket must be kept. */
static char *listener(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        return mem_strdup("its path is too long to connect to");
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return mem_asprintf("socket(): %s", strerror(errno));
    }
    int rc = connect(fd, (const struct sockaddr *) &addr, sizeof addr);
    int error = rc ? errno : 0;
    close(fd);
    if (!rc || error == EAGAIN || error == EINPROGRESS) {
        return mem_strdup("a process listens on it");
    }
    return error == ECONNREFUSED ? NULL : mem_asprintf("connect(): %s", strerror(error));
}

bool sockdir_same(const char *a, const char *b)
{
    struct stat sa, sb;
    return streq(a, b) ||
           (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

bool sockdir_same_socket(const char *a, const char *b)
{
    if (streq(a, b)) {
        return true;
    }
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    if (!sa || !sb || !streq(sa, sb)) {
        return false;
    }
    _cleanup_free_ char *dir_a = sa == a ? mem_strdup("/") : mem_strndup(a, (size_t) (sa - a));
    _cleanup_free_ char *dir_b = sb == b ? mem_strdup("/") : mem_strndup(b, (size_t) (sb - b));
    return sockdir_same(dir_a, dir_b);
}

char *sockdir_holder(const char *path, long switch_pid)
{
    struct stat file;
    const struct stat *known = lstat(path, &file) == 0 ? &file : NULL;
    if (switch_pid > 0) {
        _cleanup_free_ char *table = mem_asprintf("/proc/%ld/net/unix", switch_pid);
        if (access(table, R_OK) != 0) {
            return mem_asprintf("ovs-vswitchd (pid %ld) runs and its sockets cannot be read", switch_pid);
        }
        return bound_in(table, path, known) ? mem_asprintf("ovs-vswitchd (pid %ld) holds it", switch_pid) : NULL;
    }
    if (bound_in("/proc/net/unix", path, known)) {
        return mem_strdup("a process holds it");
    }
    return listener(path);
}

