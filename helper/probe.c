/* Gathering the host's facts for capabilities and migrate-prepare: each
 * source read once, its failure kept as text beside null facts. */
#include "helper/probe.h"

#include <dirent.h>
#include <glob.h>
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "helper/mem.h"
#include "helper/output.h"

#define QEMU_USER_DEFAULT "libvirt-qemu" /* Debian's build of libvirt */

/* The 'user' of libvirt's qemu.conf: QEMU runs as it and creates the
 * client-mode sockets. */
static char *qemu_user(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024], *user = NULL;
    while (f && fgets(line, sizeof line, f)) {
        char value[256];
        if (sscanf(line, " user = \"%255[^\"]\"", value) == 1) {
            free(user);
            user = mem_strdup(value);
        }
    }
    if (f) {
        fclose(f);
    }
    return user ? user : mem_strdup(QEMU_USER_DEFAULT);
}

/* OVS's run directory and user, as the unix socket of OVSDB shows them
 * (ovsdb-server and ovs-vswitchd share both). */
static char *ovs_rundir(const char *url, uid_t *uid)
{
    *uid = 0;
    if (strncmp(url, "unix:", 5)) {
        return NULL;
    }
    struct stat st;
    if (stat(url + 5, &st) == 0) {
        *uid = st.st_uid;
    }
    _cleanup_free_ char *copy = mem_strdup(url + 5);
    return mem_strdup(dirname(copy));
}

/* The pid in <rundir>/ovs-vswitchd.pid, and whether it runs. */
static long vswitchd_pid(const char *rundir, bool *alive)
{
    *alive = false;
    if (!rundir) {
        return 0;
    }
    _cleanup_free_ char *path = mem_asprintf("%s/ovs-vswitchd.pid", rundir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
            pid = 0;
        }
        fclose(f);
    }
    *alive = pid > 0 && (kill((pid_t) pid, 0) == 0 || errno == EPERM);
    return pid;
}

/* libvirt is asked in a thread of its own, while the other sources are
 * read, and waited for until the probe's deadline: a libvirtd that accepts
 * the connection and never answers makes the libvirt facts null with a
 * reason, and hides nothing else (the whole verb would otherwise end in the
 * --timeout watchdog). A job given up on is left to its thread, which
 * frees it if the call ever returns. */
struct libvirt_job {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    bool done;
    int refs;
    pthread_t thread;
    bool threaded;
    struct timespec deadline; /* CLOCK_MONOTONIC: start + timeout */
    double timeout;
    char *uri;
    struct libvirt *lv;
    struct libvirt_host host;
    struct err *err;
};

static void libvirt_job_unref(struct libvirt_job *job)
{
    pthread_mutex_lock(&job->lock);
    bool last = --job->refs == 0;
    pthread_mutex_unlock(&job->lock);
    if (!last) {
        return;
    }
    libvirt_host_clear(&job->host);
    libvirt_close(job->lv);
    err_free(job->err);
    free(job->uri);
    pthread_cond_destroy(&job->cond);
    pthread_mutex_destroy(&job->lock);
    free(job);
}

static void libvirt_job_work(struct libvirt_job *job)
{
    struct libvirt *lv = NULL;
    struct libvirt_host host = {0};
    struct err *e = libvirt_open(job->uri, &lv);
    if (!e) {
        e = libvirt_host_read(lv, &host);
    }
    pthread_mutex_lock(&job->lock);
    job->lv = lv;
    job->host = host;
    job->err = e;
    job->done = true;
    pthread_cond_signal(&job->cond);
    pthread_mutex_unlock(&job->lock);
}

static void *libvirt_job_thread(void *arg)
{
    libvirt_job_work(arg);
    libvirt_job_unref(arg);
    return NULL;
}

static struct libvirt_job *libvirt_job_start(const char *uri, double timeout)
{
    struct libvirt_job *job = mem_new0(struct libvirt_job, 1);
    clock_gettime(CLOCK_MONOTONIC, &job->deadline);
    long long ns = job->deadline.tv_nsec + (long long) (timeout * 1e9);
    job->deadline.tv_sec += (time_t) (ns / 1000000000LL);
    job->deadline.tv_nsec = (long) (ns % 1000000000LL);
    job->timeout = timeout;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&job->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&job->lock, NULL);
    job->uri = mem_strdup(uri);
    job->refs = 2;
    if (pthread_create(&job->thread, NULL, libvirt_job_thread, job) != 0) {
        libvirt_job_work(job); /* no thread: ask here, unbounded as before */
        job->refs = 1;
        return job;
    }
    job->threaded = true;
    return job;
}

/* Moves the job's results out when it is done by its deadline; otherwise
 * gives it up ('*err' is then a timeout). */
static void libvirt_job_finish(struct libvirt_job *job, struct libvirt **lv,
                               struct libvirt_host *host, struct err **err)
{
    pthread_mutex_lock(&job->lock);
    while (!job->done && pthread_cond_timedwait(&job->cond, &job->lock, &job->deadline) == 0) {
    }
    bool done = job->done;
    if (done) {
        *lv = TAKE_PTR(job->lv);
        *host = job->host;
        job->host = (struct libvirt_host){0};
        *err = TAKE_PTR(job->err);
    } else {
        *err = err_new(ERR_TIMEOUT, NULL, "libvirt at '%s' did not answer within %g s", job->uri,
                       job->timeout);
    }
    pthread_mutex_unlock(&job->lock);
    /* A thread that is done is waited for, so that its thread-local state
     * (libxml2's, libvirt's) is gone before the process goes on. */
    if (job->threaded) {
        if (done) {
            pthread_join(job->thread, NULL);
        } else {
            pthread_detach(job->thread);
        }
    }
    libvirt_job_unref(job);
}

struct err *host_libvirt_read(const char *uri, double timeout, struct libvirt **lv,
                              struct libvirt_host *host)
{
    struct err *e = NULL;
    libvirt_job_finish(libvirt_job_start(uri, timeout), lv, host, &e);
    return e;
}

char *host_ovs_rundir(const char *ovsdb_url)
{
    uid_t uid;
    return ovs_rundir(ovsdb_url, &uid);
}

/* From /proc/PID/stat, "PID (COMM) STATE ...": the state letter ('R',
 * 'S', 'Z' ...), with COMM in 'comm' when asked; 0 if it cannot be read. */
static char process_state(long pid, char *comm, size_t size)
{
    _cleanup_free_ char *path = mem_asprintf("/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    char stat[512] = "";
    const char *open = f && fgets(stat, sizeof stat, f) ? strchr(stat, '(') : NULL;
    const char *close = open ? strrchr(open, ')') : NULL;
    if (f) {
        fclose(f);
    }
    if (!close || close[1] != ' ') {
        return 0;
    }
    if (comm) {
        snprintf(comm, size, "%.*s", (int) (close - open - 1), open + 1);
    }
    return close[2];
}

long host_vswitchd_pid(const char *ovsdb_url, bool *running)
{
    _cleanup_free_ char *rundir = host_ovs_rundir(ovsdb_url);
    long pid = vswitchd_pid(rundir, running);
    /* An ovs-vswitchd, and not a zombie that a kill -9 left for its parent
     * to reap. */
    char comm[32] = "";
    char state = *running ? process_state(pid, comm, sizeof comm) : 0;
    if (state) {
        *running = !strncmp(comm, "ovs-vswitchd", 12) && state != 'Z' && state != 'X';
    }
    return pid;
}

/* The threads of 'pid' still there: 0 once it is gone. */
static int threads_left(long pid)
{
    _cleanup_free_ char *path = mem_asprintf("/proc/%ld/task", pid);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        n += e->d_name[0] != '.';
    }
    if (d) {
        closedir(d);
    }
    return n;
}

void host_vswitchd_wait_dead(long pid, long ms)
{
    for (long waited = 0; pid > 0 && waited < ms && process_state(pid, NULL, 0) == 'Z' &&
                          threads_left(pid) > 1;
         waited += 20) {
        sleep_ms(20);
    }
}

struct err *host_pmd_show(const char *ovsdb_url, double timeout, struct pmd_show *out)
{
    bool running = false;
    long pid = host_vswitchd_pid(ovsdb_url, &running);
    _cleanup_free_ char *rundir = host_ovs_rundir(ovsdb_url);
    if (!rundir || !running) {
        return err_new(ERR_OVSDB_UNAVAILABLE, NULL, "no ovs-vswitchd runs beside OVSDB at '%s'",
                       ovsdb_url);
    }
    /* OVS names it after the program: ovs-vswitchd.PID.ctl for the
     * alternatives' /usr/sbin/ovs-vswitchd, ovs-vswitchd-dpdk.PID.ctl when
     * the DPDK build is run by its own name. */
    _cleanup_free_ char *pattern = mem_asprintf("%s/ovs-vswitchd*.%ld.ctl", rundir, pid);
    glob_t found = {0};
    int g = glob(pattern, GLOB_NOSORT, NULL, &found);
    _cleanup_free_ char *ctl = mem_strdup(g == 0 && found.gl_pathc ? found.gl_pathv[0]
                                                                   : pattern);
    globfree(&found);
    /* A live switch answers in milliseconds; a stopped one must not eat
     * the deadline the caller's own waits and roll-backs need: at most a
     * quarter of it, and a second. */
    timeout = timeout / 4 < 1.0 ? timeout / 4 : 1.0;
    _cleanup_free_ char *text = NULL;
    struct err *e = ovs_unixctl(ctl, "dpif-netdev/pmd-rxq-show", timeout, &text);
    if (!e && !pmd_show_parse(text, out)) {
        e = err_new(ERR_OVSDB_ERROR, NULL, "cannot read ovs-vswitchd's dpif-netdev/pmd-rxq-show");
    }
    return e;
}

void host_numa_build(const struct host_memory *memory, const struct ovs_switch *sw,
                     const struct pmd_show *live, struct numa_host *out)
{
    size_t n = memory ? memory->n_cpus : 0;
    _cleanup_free_ struct numa_sysfs_node *nodes = mem_new0(struct numa_sysfs_node, n + 1);
    for (size_t i = 0; i < n; i++) {
        nodes[i] = (struct numa_sysfs_node){.id = memory->cpus[i].node,
                                            .cpulist = memory->cpus[i].cpulist,
                                            .ovs_cpulist = memory->cpus[i].ovs_cpulist,
                                            .first_cpu_known = memory->cpus[i].first_cpu >= 0,
                                            .first_cpu = memory->cpus[i].first_cpu >= 0 ? (unsigned) memory->cpus[i].first_cpu : 0,
                                            .hugepages_known = memory->per_node};
        for (size_t k = 0; k < memory->n_pools; k++) {
            const struct hugepage_pool *pool = &memory->pools[k];
            nodes[i].hugepages_free_kib += pool->node == nodes[i].id ? pool->free * pool->size_kib : 0;
        }
    }
    struct numa_ovs_config config;
    if (sw) {
        config = (struct numa_ovs_config){
            .pmd_cpu_mask = sw->pmd_cpu_mask,
            .pmd_rxq_isolate = sw->pmd_rxq_isolate,
            .pmd_rxq_assign = sw->pmd_rxq_assign,
            .socket_mem = sw->socket_mem,
            .socket_limit = sw->socket_limit,
            .dpdk_extra = sw->dpdk_extra,
            .per_port_memory = sw->per_port_memory,
            .affinities = (const char *const *) sw->affinities,
            .affinity_rxqs = sw->affinity_rxqs,
            .n_affinities = sw->n_affinities,
            .phys_ports = (const char *const *) sw->phys_ports,
            .phys_nodes = sw->phys_nodes,
            .n_phys = sw->n_phys,
        };
    }
    numa_host_build(nodes, n, sw ? &config : NULL, live, out);
}

void host_numa_read(const struct options *o, struct ovsdb *db, double pmd_show_max, struct numa_host *out)
{
    _cleanup_(host_memory_clear) struct host_memory memory = {0};
    _cleanup_(ovs_switch_clear) struct ovs_switch sw = {0};
    _cleanup_(pmd_show_clear) struct pmd_show live = {0};
    struct err *memory_err = sysfs_read_memory(o->sysfs, o->proc, &memory);
    double left = ovsdb_time_left_ms(db) / 1000.0;
    struct err *live_err = host_pmd_show(o->ovsdb, pmd_show_max > 0 && pmd_show_max < left ? pmd_show_max : left,
                                         &live);
    /* The switch's own PMDs say which are isolated: then the Interface
     * table need not be scanned for pmd-rxq-affinity. */
    bool live_pmds = !live_err && live.n_pmds;
    struct err *sw_err = ovsdb_switch_read_some(db, live_pmds ? 0 : OVS_SWITCH_AFFINITY, &sw);
    host_numa_build(memory_err ? NULL : &memory, sw_err ? NULL : &sw, live_err ? NULL : &live, out);
    err_free(memory_err);
    err_free(sw_err);
    err_free(live_err);
}

struct err *host_locality(const struct numa_host *h, const char *domain_xml, size_t size,
                          const unsigned *nic_queues, size_t n_nics, json_t *warnings,
                          json_t **locality)
{
    _cleanup_(numa_placement_clear) struct numa_placement placement = {0};
    struct err *e = numa_placement_read(domain_xml, size, "domain_xml", h, &placement);
    if (e) {
        return e;
    }
    if (!placement.n_ports && n_nics) {
        placement.port_queues = mem_new0(unsigned, n_nics);
        memcpy(placement.port_queues, nic_queues, n_nics * sizeof *nic_queues);
        placement.n_ports = n_nics;
    }
    return numa_judge(h, &placement, warnings, locality);
}

json_t *host_other_config_json(const struct ovs_switch *sw)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "dpdk-init", output_json_string_or_null(sw->dpdk_init),
                     "vhost-sock-dir", output_json_string_or_null(sw->vhost_sock_dir),
                     "pmd-cpu-mask", output_json_string_or_null(sw->pmd_cpu_mask),
                     "dpdk-socket-mem", output_json_string_or_null(sw->socket_mem),
                     "dpdk-socket-limit", output_json_string_or_null(sw->socket_limit),
                     "dpdk-extra", output_json_string_or_null(sw->dpdk_extra),
                     "per-port-memory", output_json_string_or_null(sw->per_port_memory),
                     "pmd-rxq-isolate", output_json_string_or_null(sw->pmd_rxq_isolate),
                     "pmd-rxq-assign", output_json_string_or_null(sw->pmd_rxq_assign));
}

void host_probe_run(const struct options *o, struct host_probe *p)
{
    *p = (struct host_probe){0};
    struct capability_facts *f = &p->facts;
    f->agent_path = o->agent_properties;
    f->ovsdb_url = o->ovsdb;
    f->libvirt_uri = o->libvirt;

    /* First, so that libvirt answers while the other sources are read. */
    struct libvirt_job *job = libvirt_job_start(o->libvirt, o->timeout);

    p->agent_err = agent_config_load(o->agent_properties, &p->agent);
    f->agent = p->agent_err ? NULL : &p->agent;
    f->agent_error = p->agent_err ? p->agent_err->message : NULL;
    f->agent_error_field = p->agent_err ? p->agent_err->field : NULL;

    p->ovs_err = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &p->db);
    if (!p->ovs_err) {
        p->ovs_err = ovsdb_switch_read_some(p->db, OVS_SWITCH_BRIDGES | OVS_SWITCH_AFFINITY |
                                                       OVS_SWITCH_PHYS, &p->ovs);
    }
    f->ovs = p->ovs_err ? NULL : &p->ovs;
    f->ovs_error = p->ovs_err ? p->ovs_err->message : NULL;
    uid_t ovs_uid;
    p->rundir = ovs_rundir(o->ovsdb, &ovs_uid);
    f->ovs_rundir = p->rundir;
    f->vswitchd_pid = vswitchd_pid(p->rundir, &f->vswitchd_alive);

    p->memory_err = sysfs_read_memory(o->sysfs, o->proc, &p->memory);
    f->memory = p->memory_err ? NULL : &p->memory;
    f->memory_error = p->memory_err ? p->memory_err->message : NULL;

    if (f->ovs) {
        p->pmd_err = host_pmd_show(o->ovsdb, ovsdb_time_left_ms(p->db) / 1000.0, &p->pmds);
    }
    host_numa_build(f->memory, f->ovs, &p->pmds, &p->numa);

    _cleanup_free_ char *qemu = qemu_user(o->qemu_conf);
    if (f->agent) {
        sockdir_probe(p->agent.socket_dir, ovs_uid, qemu, &p->sockdir);
        f->sockdir = &p->sockdir;
    }

    /* The hook beside qemu.conf: /etc/libvirt/hooks/qemu.d/csdpdk. */
    _cleanup_free_ char *conf_dir = mem_strdup(o->qemu_conf);
    char *slash = strrchr(conf_dir, '/');
    p->hook_path = mem_asprintf("%.*s/hooks/qemu.d/csdpdk", slash ? (int) (slash - conf_dir) : 1,
                                slash ? conf_dir : ".");
    f->hook_path = p->hook_path;
    f->hook = access(p->hook_path, F_OK) != 0 ? HOOK_MISSING
              : access(p->hook_path, X_OK) != 0 ? HOOK_NOT_EXECUTABLE : HOOK_INSTALLED;

    libvirt_job_finish(job, &p->lv, &p->libvirt, &p->libvirt_err);
    f->libvirt = p->libvirt_err ? NULL : &p->libvirt;
    f->libvirt_error = p->libvirt_err ? p->libvirt_err->message : NULL;
}

void host_probe_clear(struct host_probe *p)
{
    libvirt_host_clear(&p->libvirt);
    libvirt_close(p->lv);
    sockdir_facts_clear(&p->sockdir);
    numa_host_clear(&p->numa);
    pmd_show_clear(&p->pmds);
    err_free(p->pmd_err);
    host_memory_clear(&p->memory);
    ovs_switch_clear(&p->ovs);
    ovsdb_close(p->db);
    agent_config_clear(&p->agent);
    err_free(p->agent_err);
    err_free(p->ovs_err);
    err_free(p->memory_err);
    err_free(p->libvirt_err);
    free(p->rundir);
    free(p->hook_path);
    *p = (struct host_probe){0};
}
