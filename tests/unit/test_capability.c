#include "tests/unit/unit.h"

#include <stdlib.h>

#include "helper/capability.h"
#include "helper/libvirt.h"

/* A host where everything holds; each test breaks one thing. */
struct host {
    struct agent_config agent;
    struct ovs_switch ovs;
    struct hugepage_pool pools[2];
    struct host_memory memory;
    struct sockdir_facts sockdir;
    struct libvirt_host libvirt;
    struct capability_facts facts;
};

static char *types[] = {"dpdk", "dpdkvhostuser", "dpdkvhostuserclient", "system"};
static char *bridges[] = {"cloudbr0"};

static void healthy(struct host *h)
{
    *h = (struct host){0};
    h->agent = (struct agent_config){.found = true, .bridge_type = "openvswitch",
                                     .dpdk_enabled = "true", .socket_dir = "/var/run/openvswitch"};
    h->ovs = (struct ovs_switch){.ovs_version = "3.1.0", .dpdk_initialized = true,
                                 .dpdk_version = "DPDK 22.11.11", .iface_types = types,
                                 .n_iface_types = 4, .netdev_bridges = bridges,
                                 .n_netdev_bridges = 1};
    h->pools[0] = (struct hugepage_pool){0, 2048, 512, 512};
    h->pools[1] = (struct hugepage_pool){0, 1048576, 0, 0};
    h->memory = (struct host_memory){.numa_nodes = 1, .per_node = true, .pools = h->pools,
                                     .n_pools = 2, .mounts_read = true, .n_mounts = 1};
    h->sockdir = (struct sockdir_facts){.path = "/var/run/openvswitch", .kind = SOCKDIR_DIRECTORY,
                                        .owner = "root", .group = "libvirt-qemu", .mode = 0775,
                                        .ovs = {"root", true, true},
                                        .qemu = {"libvirt-qemu", true, true}};
    h->libvirt = (struct libvirt_host){.hypervisor = "QEMU 7.2.0", .daemon = "9.0.0", .numa_cells = 1};
    h->facts = (struct capability_facts){
        .agent_path = "/etc/cloudstack/agent/agent.properties", .agent = &h->agent,
        .ovsdb_url = "unix:/var/run/openvswitch/db.sock", .ovs = &h->ovs,
        .ovs_rundir = "/var/run/openvswitch", .vswitchd_pid = 4242, .vswitchd_alive = true,
        .memory = &h->memory, .sockdir = &h->sockdir,
        .libvirt_uri = "qemu:///system", .libvirt = &h->libvirt};
}

/* Judges 'h' and checks the reasons are exactly 'codes' (NULL-terminated). */
static void expect(struct host *h, const char *const *codes)
{
    struct capability c;
    capability_judge(&h->facts, &c);
    size_t n = 0;
    for (size_t i = 0; i < c.n_checks; i++) {
        if (c.checks[i].status == CHECK_FAILED) {
            if (!codes[n] || strcmp(codes[n], c.checks[i].code)) {
                fail_msg("reason %zu is %s, expected %s", n, c.checks[i].code,
                         codes[n] ? codes[n] : "none");
            }
            assert_non_null(c.checks[i].fix);
            assert_non_null(c.checks[i].detail);
            n++;
        }
    }
    if (codes[n]) {
        fail_msg("missing reason %s", codes[n]);
    }
    assert_int_equal(c.dpdk, n == 0);
    capability_clear(&c);
}

#define EXPECT(h, ...) expect((h), (const char *const[]){__VA_ARGS__, NULL})

static void a_healthy_host_is_capable(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    expect(&h, (const char *const[]){NULL});
}

static void agent_reasons(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.agent.bridge_type = "native";
    EXPECT(&h, "agent_not_openvswitch");
    healthy(&h);
    h.agent.dpdk_enabled = NULL;
    EXPECT(&h, "agent_dpdk_disabled");
    healthy(&h);
    h.agent.dpdk_enabled = "TRUE"; /* Java's parseBoolean */
    expect(&h, (const char *const[]){NULL});
    healthy(&h);
    h.agent.found = false;
    EXPECT(&h, "agent_properties_missing");
    healthy(&h);
    h.facts.agent = NULL;
    h.facts.agent_error = "cannot read the agent properties: Permission denied";
    h.facts.sockdir = NULL;
    EXPECT(&h, "agent_properties_unreadable");
}

static void ovs_reasons(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.facts.ovs = NULL;
    h.facts.ovs_error = "cannot connect to OVSDB";
    EXPECT(&h, "ovsdb_unavailable"); /* and nothing more: its checks are unknown */
    healthy(&h);
    h.facts.vswitchd_alive = false; /* OVSDB still says dpdk_initialized */
    EXPECT(&h, "ovs_vswitchd_not_running");
    healthy(&h);
    h.ovs.dpdk_initialized = false;
    EXPECT(&h, "dpdk_not_initialized");
    healthy(&h);
    h.ovs.n_iface_types = 2; /* dpdk, dpdkvhostuser */
    EXPECT(&h, "no_vhostuser_iface_types");
    healthy(&h);
    h.ovs.n_netdev_bridges = 0;
    EXPECT(&h, "no_netdev_bridge");
}

static void memory_reasons(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.pools[0].total = h.pools[0].free = 0;
    EXPECT(&h, "no_hugepages");
    healthy(&h);
    h.facts.memory = NULL;
    h.facts.memory_error = "no sysfs";
    EXPECT(&h, "sysfs_unavailable");
    healthy(&h);
    h.pools[0].free = 0; /* all in use: a warning, still capable */
    struct capability c;
    capability_judge(&h.facts, &c);
    assert_true(c.dpdk);
    assert_int_equal(c.n_warnings, 1);
    assert_non_null(strstr(c.warnings[0], "in use"));
    capability_clear(&c);
}

static void socket_dir_reasons(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.sockdir.kind = SOCKDIR_MISSING;
    EXPECT(&h, "socket_dir_missing");
    healthy(&h);
    h.sockdir.kind = SOCKDIR_SYMLINK;
    EXPECT(&h, "socket_dir_symlink");
    healthy(&h);
    h.sockdir.kind = SOCKDIR_OTHER;
    EXPECT(&h, "socket_dir_not_directory");
    healthy(&h);
    h.sockdir.qemu.writable = false;
    EXPECT(&h, "socket_dir_not_writable");
    healthy(&h);
    h.sockdir.read_only = true;
    EXPECT(&h, "socket_dir_not_writable");
    healthy(&h);
    h.ovs.vhost_sock_dir = "vhost";
    EXPECT(&h, "socket_dir_mismatch");
    healthy(&h);
    h.ovs.vhost_sock_dir = "."; /* the run directory itself */
    expect(&h, (const char *const[]){NULL});
    healthy(&h);
    h.facts.ovs_rundir = NULL; /* not known (a tcp: OVSDB): not checked, said so */
    struct capability c;
    capability_judge(&h.facts, &c);
    assert_true(c.dpdk);
    assert_non_null(strstr(c.warnings[0], "not checked"));
    capability_clear(&c);
}

static void libvirt_reason(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.facts.libvirt = NULL;
    h.facts.libvirt_error = "cannot connect";
    EXPECT(&h, "libvirt_unavailable");
}

static void several_at_once(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.agent.dpdk_enabled = "false";
    h.pools[0].total = 0;
    h.sockdir.kind = SOCKDIR_MISSING;
    EXPECT(&h, "agent_dpdk_disabled", "no_hugepages", "socket_dir_missing");
}

/* How many of the judgement's warnings contain 'text'. */
static size_t warnings_with(struct host *h, const char *text)
{
    struct capability c;
    capability_judge(&h->facts, &c);
    size_t n = 0;
    for (size_t i = 0; i < c.n_warnings; i++) {
        n += strstr(c.warnings[i], text) != NULL;
    }
    capability_clear(&c);
    return n;
}

/* The hook: a warning, never a reason; an installed one under a libvirt
 * older than 6.5, which runs nothing from qemu.d/, is one too. */
/* OVS's server-mode socket directory, as OVS 3.1 reads vhost-sock-dir. */
static void ovs_socket_dir(void **state)
{
    (void) state;
    const char *cases[][2] = {
        {NULL, "/run/ovs"},        {"vhost", "/run/ovs/vhost"}, {"vhost/", "/run/ovs/vhost"},
        {"./vhost//", "/run/ovs/vhost"}, {".", "/run/ovs"},     {"../vhost", "/run/ovs"},
        {"a..b", "/run/ovs"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *dir = capability_ovs_socket_dir("/run/ovs", cases[i][0]);
        assert_string_equal(dir, cases[i][1]);
        free(dir);
    }
    /* Up to NAME_MAX (255) bytes it is OVS's subdirectory; longer, the run directory. */
    char longer[257];
    memset(longer, 'x', sizeof longer - 1);
    longer[256] = '\0';
    char *dir = capability_ovs_socket_dir("/run/ovs", longer);
    assert_string_equal(dir, "/run/ovs");
    free(dir);
    longer[255] = '\0';
    dir = capability_ovs_socket_dir("/run/ovs", longer);
    assert_int_equal(strlen(dir), strlen("/run/ovs/") + 255);
    free(dir);
}

static void hook_warnings(void **state)
{
    (void) state;
    struct host h;
    healthy(&h);
    h.facts.hook_path = "/etc/libvirt/hooks/qemu.d/csdpdk";
    h.facts.hook = HOOK_INSTALLED;
    assert_int_equal(warnings_with(&h, "libvirt hook"), 0);
    static const char *const old[] = {"6.0.0", "5.10.0", "6.4.99"};
    for (size_t i = 0; i < ARRAY_SIZE(old); i++) {
        h.libvirt.daemon = (char *) old[i];
        assert_int_equal(warnings_with(&h, "runs no hook from qemu.d/ (6.5.0 and later do)"), 1);
        expect(&h, (const char *const[]){NULL});
    }
    static const char *const new[] = {"6.5.0", "6.10.0", "10.0.0", "?"};
    for (size_t i = 0; i < ARRAY_SIZE(new); i++) {
        h.libvirt.daemon = (char *) new[i];
        assert_int_equal(warnings_with(&h, "qemu.d/"), 0);
    }
    h.libvirt.daemon = "9.0.0";
    h.facts.hook = HOOK_MISSING;
    assert_int_equal(warnings_with(&h, "is not installed"), 1);
    expect(&h, (const char *const[]){NULL});
}

/* libvirt's cells are NUMA nodes by number: a host whose nodes are 0 and 2
 * has cells 0 and 2 (virNodeGetFreePages is asked for each by its id). */
static void libvirt_cells_by_id(void **state)
{
    (void) state;
    static const char caps[] =
        "<capabilities><host><cpu><arch>x86_64</arch><pages unit='KiB' size='4'/>"
        "<pages unit='KiB' size='2048'/><pages unit='KiB' size='1048576'/></cpu>"
        "<topology><cells num='2'><cell id='0'><memory unit='KiB'>1048576</memory></cell>"
        "<cell id='2'><memory unit='KiB'>1048576</memory></cell><cell id='x'/></cells></topology>"
        "</host></capabilities>";
    struct libvirt_host h = {0};
    assert_ok(libvirt_capabilities_parse(caps, sizeof caps - 1, &h));
    assert_int_equal(h.numa_cells, 2);
    assert_int_equal(h.n_cell_ids, 2);
    assert_int_equal(h.cell_ids[0], 0);
    assert_int_equal(h.cell_ids[1], 2);
    assert_int_equal(h.n_page_sizes, 3);
    assert_int_equal(h.page_sizes_kib[1], 2048);
    libvirt_host_clear(&h);
    struct err *e = libvirt_capabilities_parse("<capabilities>", 14, &h);
    assert_non_null(e);
    assert_non_null(strstr(e->message, "libvirt's capabilities"));
    err_free(e);
    libvirt_host_clear(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_healthy_host_is_capable), cmocka_unit_test(agent_reasons),
        cmocka_unit_test(ovs_reasons),               cmocka_unit_test(memory_reasons),
        cmocka_unit_test(socket_dir_reasons),        cmocka_unit_test(libvirt_reason),
        cmocka_unit_test(several_at_once),        cmocka_unit_test(hook_warnings),
        cmocka_unit_test(ovs_socket_dir),            cmocka_unit_test(libvirt_cells_by_id),
    };
    return cmocka_run_group_tests_name("capability", tests, NULL, NULL);
}
