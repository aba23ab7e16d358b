/* The libvirt hook's decisions without daemons: its settings, which
 * operation does what, and how a port and a domain's interface are matched
 * (helper/binding.c, helper/domain.c). tests/integration/hook.sh shows each
 * against real libvirtd, OVSDB and switches. */
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "helper/binding.h"
#include "helper/domain.h"
#include "helper/mem.h"
#include "helper/text.h"
#include "hook/hook.h"
#include "migration/checks.h"

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/csdpdk-hook-conf.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
    return path;
}

static struct err *load(const char *text, struct hook_config *c)
{
    char *path = write_temp(text);
    struct err *e = hook_config_load(path, c);
    unlink(path);
    free(path);
    return e;
}

static void settings(void **state)
{
    (void) state;
    struct hook_config c;
    assert_ok(hook_config_load("/nonexistent/libvirt-hook.conf", &c));
    assert_string_equal(c.ovsdb, "unix:/var/run/openvswitch/db.sock");
    assert_string_equal(c.agent_properties, "/etc/cloudstack/agent/agent.properties");
    assert_string_equal(c.log, HOOK_LOG_DEFAULT);
    assert_true(c.timeout == HOOK_TIMEOUT_DEFAULT);
    hook_config_clear(&c);

    assert_ok(load("# a host\n\novsdb = unix:/run/ovs/db.sock\n  timeout=2.5  \nlog =\n"
                   "agent-properties = /etc/a.properties\r\n",
                   &c));
    assert_string_equal(c.ovsdb, "unix:/run/ovs/db.sock");
    assert_string_equal(c.agent_properties, "/etc/a.properties");
    assert_string_equal(c.log, "");
    assert_true(c.timeout == 2.5);
    hook_config_clear(&c);

    assert_err(load("ovsdb = x\nsocket = /tmp\n", &c), ERR_INVALID_REQUEST, "socket", ":2: unknown key");
    hook_config_clear(&c);
    assert_err(load("timeout = 0\n", &c), ERR_INVALID_REQUEST, "timeout", "above 0");
    hook_config_clear(&c);
    assert_err(load("timeout = 61\n", &c), ERR_INVALID_REQUEST, "timeout", "at most 60");
    hook_config_clear(&c);
    assert_err(load("timeout = 1s\n", &c), ERR_INVALID_REQUEST, "timeout", NULL);
    hook_config_clear(&c);
    assert_err(load("sysfs = sys\n", &c), ERR_INVALID_REQUEST, "sysfs", "absolute");
    hook_config_clear(&c);
    assert_err(load("just words\n", &c), ERR_INVALID_REQUEST, NULL, ":1: not 'key = value'");
    hook_config_clear(&c);
    /* A settings path that opens and cannot be read (a directory) is an
     * error, not the defaults. */
    assert_err(hook_config_load("/", &c), ERR_USAGE, NULL, "cannot read '/'");
    hook_config_clear(&c);
}

static void actions(void **state)
{
    (void) state;
    assert_int_equal(hook_action_of("prepare", "begin"), HOOK_BIND);
    assert_int_equal(hook_action_of("started", "begin"), HOOK_BIND);
    assert_int_equal(hook_action_of("migrate", "begin"), HOOK_MIGRATE);
    assert_int_equal(hook_action_of("release", "end"), HOOK_RELEASE);
    /* libvirt's other operations, and ones it may add: nothing. */
    static const char *const others[][2] = {
        {"start", "begin"}, {"stopped", "end"}, {"reconnect", "begin"}, {"attach", "begin"},
        {"restore", "begin"}, {"release", "begin"}, {"prepare", "end"}, {"migrate", "end"},
        {"", ""}, {"release", "-"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
        assert_int_equal(hook_action_of(others[i][0], others[i][1]), HOOK_NOTHING);
    }
}

static void socket_paths(void **state)
{
    (void) state;
    static const char *const cases[][2] = {
        {"/var/run/openvswitch//csdpdk-7", "/var/run/openvswitch/csdpdk-7"},
        {"//var///run/csdpdk-7", "/var/run/csdpdk-7"},
        {"/var/run/openvswitch/csdpdk-7", "/var/run/openvswitch/csdpdk-7"},
        {"", ""},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *got = text_single_slashes(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static const char domain_xml[] =
    "<domain type='kvm' id='4'><name>i-2-10-VM</name>"
    "<uuid>6695EB01-F6A4-8304-79AA-97F2502E193F</uuid><memory unit='KiB'>262144</memory>"
    "<devices>"
    "<interface type='vhostuser'><mac address='02:00:4C:5F:00:01'/>"
    "<source type='unix' path='/run/ovs//csdpdk-3' mode='server'/></interface>"
    "<interface type='vhostuser'><mac address='02:00:4c:5f:00:02'/>"
    "<source type='unix' path='/run/ovs/csdpdk-4' mode='client'>"
    "<reconnect enabled='yes' timeout='1'/></source></interface>"
    "<interface type='bridge'><mac address='02:00:4c:5f:00:03'/></interface>"
    "</devices></domain>";

static void domains(void **state)
{
    (void) state;
    struct domain d;
    assert_ok(domain_parse(domain_xml, strlen(domain_xml), "stdin", &d));
    assert_string_equal(d.uuid, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_string_equal(d.name, "i-2-10-VM");
    assert_int_equal(d.id, 4);
    assert_int_equal(d.n_ifaces, 2);
    assert_string_equal(d.ifaces[0].mac, "02:00:4c:5f:00:01");
    assert_string_equal(d.ifaces[0].port, "csdpdk-3");
    assert_false(d.ifaces[0].reconnect);
    assert_true(d.ifaces[1].reconnect);
    domain_clear(&d);
    static const char no_mac[] = "<domain><devices><interface type='vhostuser'/></devices></domain>";
    assert_err(domain_parse(no_mac, strlen(no_mac),
                            "stdin", &d),
               ERR_INVALID_XML, "stdin", "no <mac address>");
}

/* CloudStack's ports, as its agent makes them (no MAC), and csdpdk's. */
static void matching(void **state)
{
    (void) state;
    struct domain d;
    assert_ok(domain_parse(domain_xml, strlen(domain_xml), "stdin", &d));
    struct ovs_port client = {.name = "csdpdk-3", .type = "dpdkvhostuserclient",
                              .server_path = "/run/ovs/csdpdk-3"};
    struct ovs_port server = {.name = "csdpdk-4", .type = "dpdkvhostuser", .mac = "02:00:4c:5f:00:02",
                              .vm_id = "6695eb01-f6a4-8304-79aa-97f2502e193f"};
    struct ovs_port elsewhere = {.name = "csdpdk-9", .type = "dpdkvhostuser", .mac = "02:00:4c:5f:00:09"};
    struct binding_use uses[2];

    /* The '//' of CloudStack's rewrite is the same socket. */
    assert_int_equal(binding_uses(&client, "/run/ovs", &d, NULL, 1, uses, 2), 1);
    assert_true(uses[0].by_socket);
    assert_false(uses[0].by_mac);
    assert_int_equal(uses[0].iface, 0);
    assert_true(binding_mode_fits(&client, &d.ifaces[0]));
    assert_false(binding_mode_fits(&client, &d.ifaces[1]));

    /* A server-mode socket is the agent's socket directory plus the name. */
    assert_int_equal(binding_uses(&server, "/run/ovs", &d, NULL, 1, uses, 2), 1);
    assert_true(uses[0].by_socket && uses[0].by_mac);
    assert_true(binding_mode_fits(&server, &d.ifaces[1]));
    assert_int_equal(binding_uses(&server, "/var/run/openvswitch", &d, NULL, 1, uses, 2), 1);
    assert_false(uses[0].by_socket); /* by MAC only: another socket */

    /* Nothing of the domain's; and a domain that does not run uses nothing. */
    assert_int_equal(binding_uses(&elsewhere, "/run/ovs", &d, NULL, 1, uses, 2), 0);
    bool active = false;
    assert_int_equal(binding_uses(&client, "/run/ovs", &d, &active, 1, uses, 2), 0);

    assert_int_equal(ovs_port_owner(&client), OVS_OWNER_FOREIGN);
    assert_int_equal(ovs_port_owner(&server), OVS_OWNER_VM);
    struct ovs_port nic = {.name = "csdpdk-5", .mac = "02:00:4c:5f:00:05", .plug_time = "1"};
    assert_int_equal(ovs_port_owner(&nic), OVS_OWNER_NIC);
    assert_false(ovs_port_unbound_recent(&nic, 1 + OVS_PLUG_GRACE));
    assert_true(ovs_port_unbound_recent(&nic, OVS_PLUG_GRACE));
    assert_false(ovs_port_plugged_recent(&nic, 2)); /* a NIC's port: its own grace, above */
    /* A stamp it cannot read, or one from further ahead than the grace,
     * starts no grace that never ends: gc then judges the port by use. */
    static char *const unread_nic[] = {"", "?", "1x", "0", "-5"};
    for (size_t i = 0; i < ARRAY_SIZE(unread_nic); i++) {
        nic.plug_time = unread_nic[i];
        assert_false(ovs_port_unbound_recent(&nic, 1));
    }
    nic.plug_time = "100000";
    assert_true(ovs_port_unbound_recent(&nic, 100000 - OVS_PLUG_GRACE + 1));
    assert_false(ovs_port_unbound_recent(&nic, 100000 - OVS_PLUG_GRACE));
    nic.plug_time = "1";
    /* A VM's port that a plug by VM handed out (csdpdk-plug-time) is kept
     * for the grace; one without the stamp, or one it cannot read, is not;
     * nor is a stamp from further ahead than the grace (a clock set back). */
    struct ovs_port vm = {.name = "csdpdk-6", .mac = "02:00:4c:5f:00:06", .vm_id = "x",
                          .plug_time = "100000"};
    assert_int_equal(ovs_port_owner(&vm), OVS_OWNER_VM);
    assert_true(ovs_port_plugged_recent(&vm, 100000 + OVS_PLUG_GRACE - 1));
    assert_false(ovs_port_plugged_recent(&vm, 100000 + OVS_PLUG_GRACE));
    assert_true(ovs_port_plugged_recent(&vm, 100000 - OVS_PLUG_GRACE + 1));
    assert_false(ovs_port_plugged_recent(&vm, 100000 - OVS_PLUG_GRACE));
    assert_false(ovs_port_unbound_recent(&vm, 100000)); /* bound: not a NIC's */
    static char *const unread[] = {"", "?", "100000x", "0", "-5"};
    for (size_t i = 0; i < ARRAY_SIZE(unread); i++) {
        vm.plug_time = unread[i];
        assert_false(ovs_port_plugged_recent(&vm, 100000));
    }
    vm.plug_time = NULL;
    vm.instance = "plugged:100000"; /* the hook's mark is not gc's grace */
    assert_false(ovs_port_plugged_recent(&vm, 100000));
    /* Another name with a vm-id is somebody else's, unless csdpdk adopted it. */
    struct ovs_port named = {.name = "vhost0", .mac = "02:00:4c:5f:00:05", .vm_id = "x"};
    assert_int_equal(ovs_port_owner(&named), OVS_OWNER_FOREIGN);
    named.adopted = "1";
    assert_int_equal(ovs_port_owner(&named), OVS_OWNER_VM);
    assert_string_equal(ovs_port_owner_name(OVS_OWNER_NIC), "nic");
    assert_true(binding_serves(&client, &d.ifaces[0], "/run/ovs"));
    assert_false(binding_serves(&client, &d.ifaces[1], "/run/ovs"));
    domain_clear(&d);
}

/* A migration's tag protects its ports only while its time says so; a
 * plug hands a port out again with at least half the plug grace left. */
static void stamps(void **state)
{
    (void) state;
    struct ovs_port p = {.name = "csdpdk-7", .mac = "02:00:4c:5f:00:07", .vm_id = "x",
                         .op_id = "op", .op_time = "100000"};
    assert_true(ovs_port_migration_in_flight(&p, 100000 + OVS_MIGRATION_GRACE - 1));
    assert_false(ovs_port_migration_in_flight(&p, 100000 + OVS_MIGRATION_GRACE));
    assert_true(ovs_port_migration_in_flight(&p, 100000 - OVS_MIGRATION_GRACE + 1));
    /* Missing, unreadable, or further ahead than the grace: no tag that
     * protects for ever (gc judges the port by its VM, plug takes it back). */
    static char *const unread[] = {NULL, "", "garbage", "100000x", "0", "-5",
                                   "99999999999999999999999"};
    for (size_t i = 0; i < ARRAY_SIZE(unread); i++) {
        p.op_time = unread[i];
        assert_false(ovs_port_migration_in_flight(&p, 100000));
    }
    p.op_time = "100000";
    assert_false(ovs_port_migration_in_flight(&p, 100000 - OVS_MIGRATION_GRACE));
    p.op_id = NULL;
    assert_false(ovs_port_migration_in_flight(&p, 100000));

    p.plug_time = "100000";
    assert_true(ovs_port_plug_stamp_fresh(&p, 100000 + OVS_PLUG_GRACE / 2 - 1));
    assert_false(ovs_port_plug_stamp_fresh(&p, 100000 + OVS_PLUG_GRACE / 2));
    assert_true(ovs_port_plugged_recent(&p, 100000 + OVS_PLUG_GRACE / 2)); /* still kept by gc */
    p.plug_time = "?";
    assert_false(ovs_port_plug_stamp_fresh(&p, 100000));
}

/* A running domain csdpdk cannot parse is remembered (gc keeps and adopt
 * does not judge what it may use); one that does not run is not. */
static void unreadable_domains(void **state)
{
    (void) state;
    static const char no_mac[] =
        "<domain type='kvm'><name>bad</name><devices><interface type='vhostuser'>"
        "<source type='unix' path='/run/ovs/csdpdk-1' mode='server'/></interface></devices></domain>";
    struct libvirt_domain d[] = {
        {.uuid = mem_strdup("0000aaaa-0000-0000-0000-000000000001"), .active = false, .xml = mem_strdup(no_mac)},
        {.uuid = mem_strdup("0000aaaa-0000-0000-0000-000000000002"), .active = true,
         .xml = mem_strdup(domain_xml)},
        {.uuid = mem_strdup("0000aaaa-0000-0000-0000-000000000003"), .active = true, .xml = mem_strdup(no_mac)},
        {.uuid = mem_strdup("0000aaaa-0000-0000-0000-000000000004"), .active = true, .xml = mem_strdup("<x")},
    };
    struct libvirt_domain_list list = {.domains = mem_new0(struct libvirt_domain, ARRAY_SIZE(d)),
                                       .n = ARRAY_SIZE(d)};
    memcpy(list.domains, d, sizeof d);
    struct host_domains h;
    host_domains_parse(&list, &h);
    assert_int_equal(list.n, 0);
    assert_int_equal(h.list.n, 4);
    assert_int_equal(h.parsed[1].n_ifaces, 2);
    assert_non_null(h.unreadable);
    assert_non_null(strstr(h.unreadable, "0000aaaa-0000-0000-0000-000000000003 ("));
    assert_non_null(strstr(h.unreadable, "no <mac address>"));
    host_domains_clear(&h);

    /* Only readable ones, or unreadable ones that do not run: none. */
    struct libvirt_domain_list fine = {.domains = mem_new0(struct libvirt_domain, 2), .n = 2};
    fine.domains[0] = (struct libvirt_domain){.uuid = mem_strdup("1"), .active = false, .xml = mem_strdup(no_mac)};
    fine.domains[1] = (struct libvirt_domain){.uuid = mem_strdup("2"), .active = true, .xml = mem_strdup(domain_xml)};
    host_domains_parse(&fine, &h);
    assert_null(h.unreadable);
    host_domains_clear(&h);
}

/* <numatune> binds memory to host nodes: its hugepages must be free there,
 * not only somewhere on the host. */
static void bound_hugepages(void **state)
{
    (void) state;
    static const char xml[] =
        "<domain type='kvm'><name>b</name><memory unit='GiB'>2</memory>"
        "<cpu><numa><cell id='0' cpus='0' memory='1' unit='GiB' memAccess='shared'/>"
        "<cell id='1' cpus='1' memory='1048576' memAccess='shared'/></numa></cpu>"
        "<numatune><memory mode='strict' nodeset='1'/><memnode cellid='0' mode='preferred' nodeset='0'/>"
        "</numatune></domain>";
    struct domain d;
    assert_ok(domain_parse(xml, strlen(xml), "domain", &d));
    /* Cell 0 only prefers node 0 (the kernel falls back): not bound;
     * cell 1 takes <memory>'s strict node 1. */
    assert_int_equal(d.n_bindings, 1);
    assert_int_equal(d.bindings[0].kib, 1048576);
    assert_string_equal(d.bindings[0].nodeset, "1");

    struct hugepage_pool pools[] = {{.node = 0, .size_kib = 2048, .free = 1024},
                                    {.node = 1, .size_kib = 2048, .free = 511},
                                    {.node = 1, .size_kib = 1048576, .free = 4}};
    struct host_memory m = {.pools = pools, .n_pools = 3, .per_node = true};
    char *detail = NULL;
    /* 1535 pages free in all, 1024 needed: enough on the host, not on node 1. */
    assert_false(mig_hugepages_cover(&m, 2048, d.memory_kib, d.bindings, d.n_bindings, &detail));
    assert_non_null(strstr(detail, "1535 free"));
    assert_non_null(strstr(detail, "binds to node 1 needs 512 pages of 2048 KiB there, 511 free"));
    free(detail);
    pools[1].free = 512;
    assert_true(mig_hugepages_cover(&m, 2048, d.memory_kib, d.bindings, d.n_bindings, &detail));
    assert_non_null(strstr(detail, "binds to node 1 needs 512 of them there, 512 free"));
    free(detail);
    /* Nothing bound: the host's total alone, as before. */
    assert_true(mig_hugepages_cover(&m, 2048, d.memory_kib, NULL, 0, &detail));
    assert_null(strstr(detail, "binds"));
    free(detail);
    /* Pages a mapping reserved (host-wide) are free for sysfs, not for
     * this VM: 1536 free, 513 reserved, 1023 usable < 1024. */
    struct hugepage_resv resv[] = {{.size_kib = 1048576, .pages = 1}, {.size_kib = 2048, .pages = 513}};
    m.resv = resv;
    m.n_resv = 2;
    assert_false(mig_hugepages_cover(&m, 2048, d.memory_kib, NULL, 0, &detail));
    assert_non_null(strstr(detail, "1536 free (node 0: 1024, node 1: 512), 513 of them reserved by a mapping (1023 usable)"));
    free(detail);
    resv[1].pages = 512;
    assert_true(mig_hugepages_cover(&m, 2048, d.memory_kib, NULL, 0, &detail));
    free(detail);
    m.resv = NULL;
    m.n_resv = 0;
    domain_clear(&d);

    /* Two cells bound to node 0 and one to nodes 0-1: node 0 must hold the
     * two, nodes 0-1 all three. */
    static const char three[] =
        "<domain type='kvm'><name>c</name><memory unit='MiB'>3072</memory>"
        "<cpu><numa><cell id='0' memory='1024' unit='MiB'/><cell id='1' memory='1024' unit='mib'/>"
        "<cell id='2' memory='1' unit='GiB'/></numa></cpu>"
        "<numatune><memnode cellid='0' nodeset='0'/><memnode cellid='1' mode='strict' nodeset=' 0'/>"
        "<memnode cellid='2' mode='strict' nodeset='0 - 1'/></numatune></domain>";
    assert_ok(domain_parse(three, strlen(three), "domain", &d));
    assert_int_equal(d.n_bindings, 3);
    pools[0].free = 1023;
    pools[1].free = 1000;
    assert_false(mig_hugepages_bound(&m, 2048, 0, d.bindings, d.n_bindings, &detail));
    assert_string_equal(detail, "the memory <numatune> binds to node 0 needs 1024 pages of 2048 KiB there, 1023 free");
    free(detail);
    pools[0].free = 1024;
    pools[1].free = 511;
    assert_false(mig_hugepages_bound(&m, 2048, 0, d.bindings, d.n_bindings, &detail));
    assert_string_equal(detail, "the memory <numatune> binds to nodes 0-1 needs 1536 pages of 2048 KiB there, 1535 free");
    free(detail);
    pools[1].free = 512;
    assert_true(mig_hugepages_bound(&m, 2048, 0, d.bindings, d.n_bindings, &detail));
    free(detail);
    domain_clear(&d);

    /* Overlapping sets: cells on nodes 0-1 and 1-2 share node 1's pages;
     * their union must hold both (node 3's pages count for neither). */
    static const char overlap[] =
        "<domain><memory unit='MiB'>400</memory><cpu><numa><cell id='0' memory='200' unit='MiB'/>"
        "<cell id='1' memory='200' unit='MiB'/></numa></cpu>"
        "<numatune><memnode cellid='0' nodeset='0-1'/><memnode cellid='1' nodeset='1-2'/></numatune></domain>";
    assert_ok(domain_parse(overlap, strlen(overlap), "domain", &d));
    struct hugepage_pool four[] = {{.node = 0, .size_kib = 2048, .free = 0}, {.node = 1, .size_kib = 2048, .free = 100},
                                   {.node = 2, .size_kib = 2048, .free = 0}, {.node = 3, .size_kib = 2048, .free = 1000}};
    struct host_memory m4 = {.pools = four, .n_pools = 4, .per_node = true};
    assert_false(mig_hugepages_bound(&m4, 2048, 0, d.bindings, d.n_bindings, &detail));
    assert_string_equal(detail, "the memory <numatune> binds to nodes 0-2 needs 200 pages of 2048 KiB there, 100 free");
    free(detail);
    four[0].free = 100;
    assert_true(mig_hugepages_bound(&m4, 2048, 0, d.bindings, d.n_bindings, &detail));
    free(detail);
    domain_clear(&d);

    /* interleave and preferred bind nothing the kernel holds hugepages to
     * (nor a restrictive memnode under a <memory> that is not). */
    static const char loose[] =
        "<domain><memory>1048576</memory><cpu><numa><cell id='0' memory='524288'/><cell id='1' memory='524288'/>"
        "</numa></cpu><numatune><memory mode='interleave' nodeset='0-1'/>"
        "<memnode cellid='1' mode='restrictive' nodeset='1'/></numatune></domain>";
    assert_ok(domain_parse(loose, strlen(loose), "domain", &d));
    assert_int_equal(d.n_bindings, 0);
    domain_clear(&d);
    /* restrictive: the emulator thread's cpuset.mems, <memory>'s nodes, for
     * all of the memory (its memnodes no matter). */
    static const char restrictive[] =
        "<domain><memory>1048576</memory><cpu><numa><cell id='0' memory='524288'/><cell id='1' memory='524288'/>"
        "</numa></cpu><numatune><memory mode='restrictive' nodeset='1'/>"
        "<memnode cellid='1' mode='restrictive' nodeset='0'/></numatune></domain>";
    assert_ok(domain_parse(restrictive, strlen(restrictive), "domain", &d));
    assert_int_equal(d.n_bindings, 1);
    assert_int_equal(d.bindings[0].kib, 0);
    assert_string_equal(d.bindings[0].nodeset, "1");
    domain_clear(&d);

    /* More distinct sets than every union is tried for: each alone, and
     * the detail says what was counted all the same. */
    struct domain_binding many[13];
    struct hugepage_pool per_node[13];
    char names[13][12];
    for (int i = 0; i < 13; i++) {
        snprintf(names[i], sizeof names[i], "%d", i);
        many[i] = (struct domain_binding){.kib = 2048, .nodeset = names[i]};
        per_node[i] = (struct hugepage_pool){.node = i, .size_kib = 2048, .free = 1};
    }
    struct host_memory m13 = {.pools = per_node, .n_pools = 13, .per_node = true};
    assert_true(mig_hugepages_bound(&m13, 2048, 0, many, 13, &detail));
    assert_non_null(detail);
    assert_non_null(strstr(detail, "binds to node 12 needs 1 of them there, 1 free"));
    free(detail);
    per_node[12].free = 0;
    assert_false(mig_hugepages_bound(&m13, 2048, 0, many, 13, &detail));
    assert_string_equal(detail, "the memory <numatune> binds to node 12 needs 1 pages of 2048 KiB there, 0 free");
    free(detail);

    /* Without cells <memory> binds it all; numad's placement binds nothing
     * known. */
    static const char whole[] = "<domain><numatune><memory nodeset='1'/></numatune></domain>";
    assert_ok(domain_parse(whole, strlen(whole), "domain", &d));
    assert_int_equal(d.n_bindings, 1);
    assert_int_equal(d.bindings[0].kib, 0); /* all of it, however much (here: the request's) */
    pools[1].free = 511;
    assert_false(mig_hugepages_cover(&m, 2048, 1048576, d.bindings, d.n_bindings, &detail));
    assert_non_null(strstr(detail, "binds to node 1 needs 512 pages of 2048 KiB there, 511 free"));
    free(detail);
    domain_clear(&d);
    static const char automatic[] = "<domain><memory>1048576</memory><numatune><memory placement='auto'/></numatune></domain>";
    assert_ok(domain_parse(automatic, strlen(automatic), "domain", &d));
    assert_int_equal(d.n_bindings, 0);
    domain_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings),    cmocka_unit_test(actions),  cmocka_unit_test(socket_paths),
        cmocka_unit_test(domains),     cmocka_unit_test(matching), cmocka_unit_test(stamps),
        cmocka_unit_test(unreadable_domains), cmocka_unit_test(bound_hugepages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
