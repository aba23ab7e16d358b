/* NUMA locality (helper/numa.c) on fabricated facts: CPU lists and masks,
 * pmd-rxq-show as OVS 3.1 prints it, other_config values, domain XML.
 * The same rules against a real switch: tests/integration/numa.sh. */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "helper/mem.h"
#include "helper/numa.h"

static char *set_text(const char *list)
{
    struct cpuset s = {0};
    assert_true(cpuset_parse_list(list, &s));
    char *t = cpuset_text(&s);
    cpuset_clear(&s);
    return t;
}

static void cpu_lists(void **state)
{
    (void) state;
    static const char *const good[][2] = {
        {"0-3,8-11\n", "0-3,8-11"}, {"5", "5"}, {"", ""}, {"0-7,^3", "0-2,4-7"},
        {"2,0,1", "0-2"}, {" 0 - 2 , 4", "0-2,4"} /* white space where libvirt skips it */,
        {"^1,0-1", "0-1"} /* in order, as libvirt */, {"0-3,^1,1", "0-3"}, {"0,", "0"},
        {"0-1,^0-1", "0-1"} /* "^0-1" is not libvirt's */,
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        struct cpuset s = {0};
        bool ok = cpuset_parse_list(good[i][0], &s);
        if (i == ARRAY_SIZE(good) - 1) {
            assert_false(ok);
            continue;
        }
        assert_true(ok);
        char *t = cpuset_text(&s);
        assert_string_equal(t, good[i][1]);
        free(t);
        cpuset_clear(&s);
    }
    static const char *const bad[] = {"a", "1-", "3-1", "1,,2", "-1", "70000", "1 2", " ", ","};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct cpuset s = {0};
        assert_false(cpuset_parse_list(bad[i], &s));
        assert_int_equal(cpuset_count(&s), 0);
    }
    char *t = set_text("100-130");
    assert_string_equal(t, "100-130");
    free(t);
}

static void masks_wider_than_64_bits(void **state)
{
    (void) state;
    struct cpuset s = {0};
    assert_true(cpuset_parse_mask("0x1000000000000000001", &s));
    assert_int_equal(cpuset_count(&s), 2);
    assert_true(cpuset_has(&s, 0));
    assert_true(cpuset_has(&s, 72));
    assert_false(cpuset_has(&s, 64));
    cpuset_clear(&s);
    assert_true(cpuset_parse_mask("F0", &s));
    char *t = cpuset_text(&s);
    assert_string_equal(t, "4-7");
    free(t);
    cpuset_clear(&s);
    assert_false(cpuset_parse_mask("0x", &s));
    assert_int_equal(cpuset_count(&s), 0);
    /* A bad digit counts as 0, as OVS reads it (with a warning in its log). */
    assert_false(cpuset_parse_mask("0xg1", &s));
    assert_int_equal(cpuset_count(&s), 1);
    assert_true(cpuset_has(&s, 0));
    cpuset_clear(&s);
}

/* Recorded from ovs-vswitchd 3.1 (--dummy-numa=0,1, pmd-cpu-mask=0x3),
 * a second port's queues enabled and disabled. */
static const char rxq_show[] =
    "Displaying last 60 seconds pmd usage %\n"
    "pmd thread numa_id 0 core_id 0:\n"
    "  isolated : true\n"
    "  port: csdpdk-1          queue-id:  0 (enabled)   pmd usage:  0 %\n"
    "  overhead:  0 %\n"
    "pmd thread numa_id 1 core_id 1:\n"
    "  isolated : false\n"
    "  port: csdpdk-2          queue-id:  0 (enabled)   pmd usage: NOT AVAIL\n"
    "  port: csdpdk-2          queue-id:  1 (disabled)  pmd usage: NOT AVAIL\n"
    "  overhead: NOT AVAIL\n";

static void pmd_rxq_show(void **state)
{
    (void) state;
    struct pmd_show s;
    assert_true(pmd_show_parse(rxq_show, &s));
    assert_int_equal(s.n_pmds, 2);
    assert_true(s.pmds[0].isolated);
    assert_false(s.pmds[1].isolated);
    assert_int_equal(s.pmds[1].node, 1);
    assert_int_equal(s.n_rxqs, 3);
    assert_string_equal(s.rxqs[2].port, "csdpdk-2");
    assert_int_equal(s.rxqs[2].queue, 1);
    assert_false(s.rxqs[2].enabled);
    assert_int_equal(s.rxqs[2].core, 1);

    /* csdpdk-2 on node 0, polled from node 1; csdpdk-1 local. */
    int cross, unpolled;
    json_t *q = numa_port_polling(&s, "csdpdk-2", "0", 2, &cross, &unpolled);
    assert_int_equal(cross, 1);
    assert_int_equal(unpolled, 0);
    assert_int_equal(json_array_size(q), 2);
    json_decref(q);
    q = numa_port_polling(&s, "csdpdk-1", "0", 1, &cross, &unpolled);
    assert_int_equal(cross, 0);
    assert_int_equal(unpolled, 0);
    json_decref(q);
    /* A second queue no PMD polls. */
    q = numa_port_polling(&s, "csdpdk-1", "0", 2, &cross, &unpolled);
    assert_int_equal(unpolled, 1);
    assert_true(json_is_null(json_object_get(json_array_get(q, 1), "pmd_core")));
    json_decref(q);
    /* The port's node not known yet: cross-NUMA not known either. */
    q = numa_port_polling(&s, "csdpdk-2", NULL, 2, &cross, &unpolled);
    assert_int_equal(cross, -1);
    json_decref(q);
    /* No switch: nothing known. */
    q = numa_port_polling(NULL, "csdpdk-2", "0", 2, &cross, &unpolled);
    assert_int_equal(cross, -1);
    assert_int_equal(unpolled, -1);
    json_decref(q);
    pmd_show_clear(&s);

    assert_true(pmd_show_parse("", &s));
    assert_int_equal(s.n_pmds, 0);
    assert_false(pmd_show_parse("there is no netdev datapath\n", &s));
}

static const char *verdict(const json_t *locality)
{
    return json_string_value(json_object_get(locality, "verdict"));
}

/* The locality's vm_nodes as compact JSON (until the next call). */
static const char *vm_nodes(const json_t *locality)
{
    static char text[64];
    char *dumped = json_dumps(json_object_get(locality, "vm_nodes"), JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(text, sizeof text, "%s", dumped ? dumped : "(none)");
    free(dumped);
    return text;
}

/* Two nodes as tests/data/sysfs/two-nodes has them. */
static const struct numa_sysfs_node two_nodes[] = {
    {0, "0-3,8-11", true, 400 * 1024, false, 0, NULL},
    {1, "4-7,12-15", true, 512 * 1024, false, 0, NULL},
};

static void host(const struct numa_ovs_config *ovs, struct numa_host *h)
{
    numa_host_build(two_nodes, 2, ovs, NULL, h);
}

/* The host's warnings (numa_host_warnings()): 'n' of them, the first
 * naming 'text' when given. */
static void expect_warnings(const struct numa_host *h, size_t n, const char *text)
{
    json_t *w = json_array();
    numa_host_warnings(h, w);
    assert_int_equal(json_array_size(w), n);
    if (text) {
        assert_non_null(strstr(json_string_value(json_array_get(w, 0)), text));
    }
    json_decref(w);
}

static void pmds_from_the_mask(void **state)
{
    (void) state;
    struct numa_host h;
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30"}, &h);
    assert_string_equal(h.pmd_source, "pmd-cpu-mask");
    assert_int_equal(cpuset_count(&h.nodes[0].pmds), 0);
    assert_int_equal(cpuset_count(&h.nodes[1].pmds), 2);
    expect_warnings(&h, 1, "NUMA node 0 has no PMD");
    numa_host_clear(&h);

    /* Unset: one PMD on each node. */
    host(&(struct numa_ovs_config){0}, &h);
    assert_string_equal(h.pmd_source, "default");
    expect_warnings(&h, 0, NULL);
    numa_host_clear(&h);

    /* OVS facts unknown: no PMDs, no warning, nothing judged. */
    host(NULL, &h);
    assert_null(h.pmd_source);
    expect_warnings(&h, 0, NULL);
    numa_host_clear(&h);

    /* No node known (sysfs without devices/system/node), the mask unset:
     * OVS still starts a PMD; nothing is refused. */
    numa_host_build(NULL, 0, &(struct numa_ovs_config){0}, NULL, &h);
    struct numa_placement none = {0};
    json_t *l = NULL, *w = json_array();
    assert_ok(numa_judge(&h, &none, w, &l));
    assert_string_equal(verdict(l), "unknown");
    json_decref(l);
    json_decref(w);
    numa_host_clear(&h);
    /* An empty mask is an unset one, for OVS. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = ""}, &h);
    assert_string_equal(h.pmd_source, "default");
    numa_host_clear(&h);

    /* Without the nodes' CPUs the mask says nothing of nodes. */
    const struct numa_sysfs_node blind[] = {{0, NULL, false, 0, false, 0, NULL}, {1, NULL, false, 0, false, 0, NULL}};
    numa_host_build(blind, 2, &(struct numa_ovs_config){.pmd_cpu_mask = "0x30"}, NULL, &h);
    assert_null(h.pmd_source);
    numa_host_clear(&h);

    /* CPU 0 offline (no topology: OVS does not count it): a mask of CPU 0
     * starts no PMD, and OVS's default puts node 0's on CPU 1. */
    const struct numa_sysfs_node offline[] = {{0, "0-3", true, 0, false, 0, "1-3"},
                                              {1, "4-7", true, 0, false, 0, "4-7"}};
    numa_host_build(offline, 2, &(struct numa_ovs_config){.pmd_cpu_mask = "0x11"}, NULL, &h);
    assert_int_equal(cpuset_count(&h.nodes[0].pmds), 0);
    assert_true(cpuset_has(&h.nodes[1].pmds, 4));
    numa_host_clear(&h);
    numa_host_build(offline, 2, &(struct numa_ovs_config){0}, NULL, &h);
    assert_string_equal(h.pmd_source, "default");
    assert_true(cpuset_has(&h.nodes[0].pmds, 1));
    assert_int_equal(cpuset_count(&h.nodes[0].pmds), 1);
    numa_host_clear(&h);
}

static void isolated_cores(void **state)
{
    (void) state;
    const char *const affinity[] = {"0:4,1:5"};
    struct numa_host h;
    /* Node 1's only PMD cores are both pinned: isolated. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x31", .affinities = affinity, .n_affinities = 1}, &h);
    assert_int_equal(cpuset_count(&h.nodes[1].pmds), 0);
    assert_int_equal(cpuset_count(&h.nodes[1].isolated), 2);
    expect_warnings(&h, 1, "node 1 has no non-isolated PMD");
    numa_host_clear(&h);

    /* A pair for a queue the port does not have pins nothing: a port with
     * one rx queue isolates core 4 only. */
    const int one_queue[] = {1};
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .affinities = affinity, .affinity_rxqs = one_queue,
                                   .n_affinities = 1}, &h);
    assert_true(cpuset_has(&h.nodes[1].isolated, 4));
    assert_true(cpuset_has(&h.nodes[1].pmds, 5));
    assert_int_equal(cpuset_count(&h.nodes[1].isolated), 1);
    numa_host_clear(&h);

    /* A list OVS refuses (a negative or huge core, a bad pair) pins nothing. */
    const char *const refused[] = {"0:-1", "0:4000000000", "0:4,x", "0", "0: 4", "0:4x", "0((4))", "0:0x5"};
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .affinities = &refused[i],
                                       .n_affinities = 1}, &h);
        assert_int_equal(cpuset_count(&h.nodes[1].pmds), i == ARRAY_SIZE(refused) - 1 ? 1 : 2);
        numa_host_clear(&h);
    }
    /* What OVS's key-value parser takes: '=' for ':', pairs between white
     * space, any base; a core with no CPU here pins its queue only. */
    const char *const taken[] = {"0=4", " 0:4\t", "1:70000 0:0x4", "0:04,", "0(4),1:70000", "0(4",
                                 "0:00000000000000000000000000000000004"};
    for (size_t i = 0; i < ARRAY_SIZE(taken); i++) {
        host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .affinities = &taken[i],
                                       .n_affinities = 1}, &h);
        assert_true(cpuset_has(&h.nodes[1].isolated, 4));
        assert_int_equal(cpuset_count(&h.nodes[1].isolated), 1);
        numa_host_clear(&h);
    }

    /* pmd-rxq-isolate=false counts only with pmd-rxq-assign=group. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .pmd_rxq_isolate = "false",
                                   .affinities = affinity, .n_affinities = 1}, &h);
    assert_int_equal(cpuset_count(&h.nodes[1].pmds), 0);
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .pmd_rxq_isolate = "false",
                                   .pmd_rxq_assign = "group", .affinities = affinity,
                                   .n_affinities = 1}, &h);
    assert_int_equal(cpuset_count(&h.nodes[1].pmds), 2);
    numa_host_clear(&h);
    /* In any case, as OVS reads a boolean (smap_get_bool). */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .pmd_rxq_isolate = "FALSE",
                                   .pmd_rxq_assign = "group", .affinities = affinity,
                                   .n_affinities = 1}, &h);
    assert_int_equal(cpuset_count(&h.nodes[1].pmds), 2);
    numa_host_clear(&h);

    /* The mask unset, no sysfs order given: OVS's PMD on each node's lowest
     * CPU (0 and 4); a
     * queue pinned to core 4 isolates node 1's only PMD. */
    const char *const first_of_node1[] = {"0:4"};
    host(&(struct numa_ovs_config){.affinities = first_of_node1, .n_affinities = 1}, &h);
    assert_string_equal(h.pmd_source, "default");
    assert_int_equal(cpuset_count(&h.nodes[0].pmds), 1);
    assert_int_equal(cpuset_count(&h.nodes[1].pmds), 0);
    assert_true(cpuset_has(&h.nodes[1].isolated, 4));
    expect_warnings(&h, 1, "node 1 has no non-isolated PMD");
    numa_host_clear(&h);

    /* ...on the first CPU OVS lists for the node, sysfs's order (its
     * readdir), which is not the lowest: 9 and 12 here; a pin to core 4
     * then isolates nothing, one to 12 node 1's PMD. */
    struct numa_sysfs_node listed[] = {{0, "0-3,8-11", true, 0, true, 9, NULL}, {1, "4-7,12-15", true, 0, true, 12, NULL}};
    numa_host_build(listed, 2, &(struct numa_ovs_config){.affinities = first_of_node1, .n_affinities = 1}, NULL, &h);
    assert_true(cpuset_has(&h.nodes[0].pmds, 9) && cpuset_has(&h.nodes[1].pmds, 12));
    assert_int_equal(cpuset_count(&h.nodes[0].pmds) + cpuset_count(&h.nodes[1].pmds), 2);
    assert_int_equal(cpuset_count(&h.nodes[1].isolated), 0);
    numa_host_clear(&h);
    const char *const on_12[] = {"0:12"};
    numa_host_build(listed, 2, &(struct numa_ovs_config){.affinities = on_12, .n_affinities = 1}, NULL, &h);
    assert_true(cpuset_has(&h.nodes[1].isolated, 12));
    numa_host_clear(&h);
    /* A first CPU that is not among the node's CPUs: the lowest. */
    listed[1].first_cpu = 3;
    numa_host_build(listed, 2, &(struct numa_ovs_config){0}, NULL, &h);
    assert_true(cpuset_has(&h.nodes[1].pmds, 4));
    numa_host_clear(&h);

    /* A queue pinned twice goes to the last core given (OVS's
     * parse_affinity_list): 0:4,0:5 isolates core 5 only. */
    const char *const twice[] = {"0:4,0:5"};
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .affinities = twice, .n_affinities = 1}, &h);
    assert_true(cpuset_has(&h.nodes[1].pmds, 4));
    assert_true(cpuset_has(&h.nodes[1].isolated, 5));
    assert_int_equal(cpuset_count(&h.nodes[1].isolated), 1);
    numa_host_clear(&h);

    /* per-port-memory, a boolean of OVS's too: any case. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .per_port_memory = "True"}, &h);
    assert_true(h.per_port_memory);
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x30", .per_port_memory = "yes"}, &h);
    assert_false(h.per_port_memory);
    numa_host_clear(&h);

    /* A node without CPUs (memory only) gets no PMD of OVS's default. */
    const struct numa_sysfs_node memory_only[] = {{0, "0-3", true, 0, false, 0, NULL}, {1, NULL, true, 512 * 1024, false, 0, NULL}};
    numa_host_build(memory_only, 2, &(struct numa_ovs_config){0}, NULL, &h);
    struct numa_placement on1 = {.source = "numatune", .domain = true};
    cpuset_add(&on1.nodes, 1);
    json_t *l = NULL, *w = json_array();
    assert_ok(numa_judge(&h, &on1, w, &l));
    assert_string_equal(verdict(l), "cross_numa");
    /* No core to add there: the advice is to bind the memory elsewhere. */
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "node 1 has no CPUs (memory only)"));
    assert_null(strstr(json_string_value(json_array_get(w, 0)), "add a core"));
    expect_warnings(&h, 1, "NUMA node 1 has memory but no CPUs");
    json_decref(l);
    json_decref(w);
    cpuset_clear(&on1.nodes);
    numa_host_clear(&h);
}

static void live_pmds_win(void **state)
{
    (void) state;
    struct pmd_show live;
    struct numa_host h;
    assert_true(pmd_show_parse(rxq_show, &live));
    /* The mask says node 0; the switch says core 1 is on node 1 (as
     * --dummy-numa=0,1 makes it): the switch is believed. */
    numa_host_build(two_nodes, 2, &(struct numa_ovs_config){.pmd_cpu_mask = "0x3"}, &live, &h);
    assert_string_equal(h.pmd_source, "ovs-vswitchd");
    assert_true(cpuset_has(&h.nodes[0].isolated, 0));
    assert_true(cpuset_has(&h.nodes[1].pmds, 1));
    assert_int_equal(cpuset_count(&h.nodes[0].pmds), 0);
    numa_host_clear(&h);
    pmd_show_clear(&live);
}

static json_t *judge(const struct numa_host *h, const char *extra, json_t *warnings, struct err **e)
{
    _cleanup_free_ char *xml = mem_asprintf(
        "<domain type='kvm'><name>vm</name><memory>1048576</memory>%s<devices>"
        "<interface type='vhostuser'><driver queues='2'/></interface></devices></domain>",
        extra);
    struct numa_placement p = {0};
    json_t *locality = NULL;
    *e = numa_placement_read(xml, strlen(xml), "domain_xml", h, &p);
    if (!*e) {
        *e = numa_judge(h, &p, warnings, &locality);
    }
    numa_placement_clear(&p);
    return locality;
}

/* A mask wider than 64 bits on a host with CPUs past 63: CPU 64 (bit 64)
 * is node 1's PMD. */
static void wide_mask(void **state)
{
    (void) state;
    static const struct numa_sysfs_node big[] = {
        {0, "0-63", true, 1024 * 1024, false, 0, NULL},
        {1, "64-127", true, 1024 * 1024, false, 0, NULL},
    };
    struct numa_host h;
    struct err *e;
    json_t *w = json_array(), *l;
    numa_host_build(big, 2, &(struct numa_ovs_config){.pmd_cpu_mask = "0x10000000000000000"}, NULL, &h);
    assert_int_equal(cpuset_count(&h.nodes[0].pmds), 0);
    assert_true(cpuset_has(&h.nodes[1].pmds, 64));
    l = judge(&h, "<numatune><memory mode='strict' nodeset='1'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "local");
    json_decref(l);
    l = judge(&h, "<numatune><memory mode='strict' nodeset='0'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "cross_numa");
    json_decref(l);
    json_decref(w);
    numa_host_clear(&h);
}

static void vm_placement(void **state)
{
    (void) state;
    struct numa_host h;
    struct err *e;
    json_t *w = json_array(), *l;
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x10"}, &h); /* a PMD on node 1 only */

    l = judge(&h, "<numatune><memory mode='strict' nodeset='1'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "local");
    assert_int_equal(json_array_size(w), 0);
    json_decref(l);

    l = judge(&h, "<numatune><memory mode='strict' nodeset='0'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "cross_numa");
    assert_int_equal(json_array_size(w), 1);
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "OVS will poll cross-NUMA: node 0"));
    json_array_clear(w);
    json_decref(l);

    /* Guest cells: each where its <memnode> puts it, else where <memory>
     * does; a <memnode> without cells binds nothing (libvirt refuses it); a
     * hugepage <page nodeset> names guest cells, not host nodes. */
    static const char cells[] = "<cpu><numa><cell id='0' cpus='0' memory='524288' memAccess='shared'/>"
                                "<cell id='1' cpus='1' memory='524288' memAccess='shared'/></numa></cpu>";
    static const struct {
        const char *extra, *verdict, *nodes, *note;
        bool with_cells;
    } cases[] = {
        {"<numatune><memnode cellid='0' mode='strict' nodeset='0'/><memnode cellid='1' mode='strict' nodeset='1'/></numatune>",
         "cross_numa", "[0,1]", NULL, true},
        {"<numatune><memory mode='strict' nodeset='0'/><memnode cellid='0' mode='strict' nodeset='1'/>"
         "<memnode cellid='1' mode='preferred' nodeset='1'/></numatune>",
         "local", "[1]", NULL, true},
        {"<numatune><memory mode='interleave' nodeset='0'/><memnode cellid='1' mode='strict' nodeset='1'/></numatune>",
         "cross_numa", "[0,1]", NULL, true},
        {"<numatune><memnode cellid='1' mode='strict' nodeset='1'/></numatune>", "local", "[1]",
         "guest cell(s) 0 have no <memnode>", true},
        {"<numatune><memnode cellid='0' mode='strict' nodeset='0'/></numatune>", "unknown", "null", NULL, false},
        {"<memoryBacking><hugepages><page size='2048' unit='KiB' nodeset='0'/></hugepages></memoryBacking>"
         "<numatune><memory mode='strict' nodeset='1'/></numatune>",
         "local", "[1]", NULL, true},
        /* Restrictive: the emulator's cgroup (<memory>'s nodes) holds all of it, whatever the <memnode>s say. */
        {"<numatune><memory mode='restrictive' nodeset='1'/><memnode cellid='0' mode='restrictive' nodeset='0'/>"
         "<memnode cellid='1' mode='restrictive' nodeset='0'/></numatune>",
         "local", "[1]", NULL, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        _cleanup_free_ char *x = mem_asprintf("%s%s", cases[i].extra, cases[i].with_cells ? cells : "");
        l = judge(&h, x, w, &e);
        assert_ok(e);
        assert_string_equal(verdict(l), cases[i].verdict);
        assert_string_equal(vm_nodes(l), cases[i].nodes);
        assert_int_equal(json_array_size(w), streq(cases[i].verdict, "cross_numa"));
        if (cases[i].note) {
            assert_non_null(strstr(json_string_value(json_array_get(json_object_get(l, "notes"), 0)), cases[i].note));
        }
        json_array_clear(w);
        json_decref(l);
    }

    /* A cell id that is no cell number is an error naming the field. */
    static const char *const bad_ids[] = {"4000000000", "-1", "x", "1x"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        _cleanup_free_ char *x = mem_asprintf("<numatune><memory nodeset='0'/></numatune>"
                                              "<cpu><numa><cell id='%s' cpus='0' memory='524288' memAccess='shared'/></numa></cpu>",
                                              bad_ids[i]);
        l = judge(&h, x, w, &e);
        assert_null(l);
        assert_err(e, ERR_INVALID_XML, "domain_xml", "is not a guest NUMA cell number");
    }

    /* vCPUs pinned to node 0 with no numatune: QEMU's main thread
     * preallocates the memory, which nothing binds to their node: unknown,
     * a note that says so. */
    l = judge(&h, "<cputune><vcpupin vcpu='0' cpuset='0-1'/></cputune>", w, &e);
    assert_ok(e);
    assert_true(json_is_null(json_object_get(l, "source")));
    assert_string_equal(verdict(l), "unknown");
    assert_int_equal(json_array_size(w), 0);
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(l, "notes"), 0)),
                           "vCPUs are pinned to node(s) 0 but its memory is not bound"));
    json_decref(l);

    /* A node this host does not have: a note, and not judged. */
    l = judge(&h, "<numatune><memory nodeset='7'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "unknown");
    assert_int_equal(json_array_size(w), 0);
    json_decref(l);

    /* No domain at all. */
    struct numa_placement none = {0};
    assert_ok(numa_placement_read(NULL, 0, "domain_xml", &h, &none));
    assert_ok(numa_judge(&h, &none, w, &l));
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(l, "notes"), 0)),
                           "no domain XML was given"));
    json_decref(l);

    /* Pinned vCPUs on node 0, memory on node 1: a warning of its own. */
    l = judge(&h, "<numatune><memory nodeset='1'/></numatune><cputune><vcpupin vcpu='0' cpuset='0'/></cputune>",
              w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "local");
    assert_int_equal(json_array_size(w), 1);
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "vCPUs are pinned to node(s) 0"));
    json_array_clear(w);
    json_decref(l);

    /* No numatune, no pinning, numad: a note, not a warning. */
    static const char *const unknown[] = {"", "<numatune><memory placement='auto'/></numatune>"};
    for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
        l = judge(&h, unknown[i], w, &e);
        assert_ok(e);
        assert_string_equal(verdict(l), "unknown");
        assert_int_equal(json_array_size(w), 0);
        assert_int_equal(json_array_size(json_object_get(l, "notes")), 1);
        json_decref(l);
    }

    /* A bad nodeset is not a placement; bad XML is an error naming the field. */
    l = judge(&h, "<numatune><memory nodeset='x'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "unknown");
    json_decref(l);
    l = judge(&h, "<numatune>", w, &e);
    assert_err(e, ERR_INVALID_XML, "domain_xml", NULL);
    assert_null(l);
    numa_host_clear(&h);
    json_decref(w);
}

static void refusals(void **state)
{
    (void) state;
    struct numa_host h;
    struct err *e;
    json_t *w = json_array(), *l;
    const char *node1 = "<numatune><memory nodeset='1'/></numatune>";

    /* A mask that names no CPU of the host: nothing polls. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x10000"}, &h);
    l = judge(&h, "", w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "no non-isolated PMD thread");
    assert_null(l);
    numa_host_clear(&h);

    /* Every PMD core isolated. */
    const char *const affinity[] = {"0:0", "0:1"};
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x3", .affinities = affinity, .n_affinities = 2}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "isolated by an Interface's pmd-rxq-affinity");
    numa_host_clear(&h);

    /* Legacy memory with a socket-mem list shorter than the nodes: node 1 has none. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem",
                                   .socket_mem = "1024"}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "node 1 has no DPDK memory");
    l = judge(&h, "<numatune><memory nodeset='0'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "local");
    json_decref(l);
    expect_warnings(&h, 1, "NUMA node 1 has no DPDK memory");
    numa_host_clear(&h);

    /* An empty dpdk-socket-mem is none (OVS skips it): legacy memory
     * then takes every hugepage, on any node. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem", .socket_mem = ""}, &h);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    expect_warnings(&h, 0, NULL);
    numa_host_clear(&h);

    /* --socket-mem as a word of dpdk-extra: OVS ignores dpdk-socket-mem
     * then, and messages name where the list is. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem --socket-mem 1024,1024",
                                   .socket_mem = "1024"}, &h);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--no-pci '--legacy-mem' \"--socket-mem\" 1024",
                                   .socket_mem = "1024,1024"}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL,
               "node 1 has no DPDK memory (--legacy-mem with dpdk-extra's --socket-mem=1024): OVS cannot allocate the buffers of the VM's vhost-user port there; give node 1 an entry in the --socket-mem of other_config:dpdk-extra, or drop --legacy-mem");
    expect_warnings(&h, 1, "give node 1 an entry in the --socket-mem of other_config:dpdk-extra");
    numa_host_clear(&h);
    /* --socket-mem=LIST is not that word: OVS adds dpdk-socket-mem after
     * it, and DPDK sets the entries the later list has, keeping the
     * earlier's past its end: 1024,1024 then 2048 is 2048,1024. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem --socket-mem=1024",
                                   .socket_mem = "1024,1024"}, &h);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem --socket-mem=1024,1024",
                                   .socket_mem = "2048"}, &h);
    assert_string_equal(h.socket_mem, "2048,1024");
    assert_int_equal(h.nodes[0].socket_mem_mb, 2048);
    assert_int_equal(h.nodes[1].socket_mem_mb, 1024);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    numa_host_clear(&h);
    /* The refusal names both: the merged list is neither setting alone. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem --socket-mem=0,0",
                                   .socket_mem = "2048"}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL,
               "(--legacy-mem with dpdk-extra's --socket-mem overridden by dpdk-socket-mem=2048,0)");
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.dpdk_extra = "--socket-limit=1,2,3 --socket-limit='4' \"--socket-mem=\"'9'"}, &h);
    assert_string_equal(h.socket_limit, "4,2,3");
    assert_string_equal(h.socket_mem, "9");
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem --socket-mem=1024"}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "(--legacy-mem with dpdk-extra's --socket-mem=1024)");
    numa_host_clear(&h);
    /* Not --legacy-mem as a word: not legacy memory. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-memory", .socket_mem = "1024"}, &h);
    assert_false(h.legacy_mem);
    numa_host_clear(&h);
    /* The limit the same way. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--socket-limit 0,16", .socket_limit = "0,0"}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "capped at 16 MiB (dpdk-extra's --socket-limit=0,16)");
    numa_host_clear(&h);

    /* Dynamic memory (no --legacy-mem): socket-mem 0 is no cap. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .socket_mem = "1024,0"}, &h);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    numa_host_clear(&h);

    /* A socket limit below a port's buffers. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .socket_limit = "0,16"}, &h);
    l = judge(&h, node1, w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "capped at 16 MiB");
    numa_host_clear(&h);
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .socket_limit = "0,64"}, &h);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    numa_host_clear(&h);

    /* Per-port memory: each vhost-user port its own mempool, on its rings'
     * node; two ports of one queue need twice 48 MiB; a NIC that is not
     * vhost-user needs none (its queues change nothing). The guest may put
     * all of its rings on any node of its memory: each must hold them all. */
    static const char one_node[] = "<numatune><memory mode='strict' nodeset='1'/></numatune>";
    static const char two_cells[] =
        "<cpu><numa><cell id='0' cpus='0' memory='524288' memAccess='shared'/>"
        "<cell id='1' cpus='1' memory='524288' memAccess='shared'/></numa></cpu>"
        "<numatune><memnode cellid='0' mode='strict' nodeset='0'/><memnode cellid='1' mode='strict' nodeset='1'/></numatune>";
    static const char two_ports[] = "<interface type='vhostuser'/><interface type='vhostuser'/>";
    static const struct {
        const char *placement, *devices, *limit, *refusal;
    } ports[] = {
        {one_node, "<interface type='vhostuser'/>", "0,64", NULL},
        {one_node, two_ports, "0,64",
         "node 1's DPDK memory is capped at 64 MiB (dpdk-socket-limit=0,64), below the 96 MiB the smallest mempools OVS would make for the VM's 2 vhost-user ports there need"},
        {one_node, "<interface type='vhostuser'/><interface type='bridge'><driver queues='4'/></interface>", "0,40",
         "below the 48 MiB the smallest mempool OVS would make for a vhost-user port there needs"},
        {one_node, "<interface type='vhostuser'><driver queues='4'/></interface>", "0,40", NULL},
        {two_cells, two_ports, "100,100", NULL},
        {two_cells, two_ports, "100,64", "node 1's DPDK memory is capped at 64 MiB (dpdk-socket-limit=100,64), below the 96 MiB"},
        {two_cells, two_ports, "64,100", "node 0's DPDK memory is capped at 64 MiB"},
        {"<numatune><memory mode='strict' nodeset='0-1'/></numatune>", two_ports, "100,64", "node 1's DPDK memory is capped at 64 MiB"},
    };
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .per_port_memory = "true", .socket_limit = ports[i].limit},
             &h);
        _cleanup_free_ char *xml = mem_asprintf("<domain type='kvm'><name>vm</name><memory>1048576</memory>%s"
                                                "<devices>%s</devices></domain>", ports[i].placement, ports[i].devices);
        struct numa_placement p = {0};
        assert_ok(numa_placement_read(xml, strlen(xml), "domain_xml", &h, &p));
        l = NULL;
        e = numa_judge(&h, &p, w, &l);
        if (ports[i].refusal) {
            assert_err(e, ERR_NUMA_REFUSED, NULL, ports[i].refusal);
        } else {
            assert_ok(e);
        }
        json_decref(l);
        numa_placement_clear(&p);
        numa_host_clear(&h);
    }
    /* Legacy memory ignores the limit: memory preallocated on node 1 serves. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x11", .dpdk_extra = "--legacy-mem",
                                   .socket_mem = "1024,1024", .socket_limit = "0,16"}, &h);
    l = judge(&h, node1, w, &e);
    assert_ok(e);
    json_decref(l);
    numa_host_warnings(&h, w);
    assert_int_equal(json_array_size(w), 0);
    numa_host_clear(&h);
    /* 16384 mbufs shared; 20512 for one queue of its own; 32896 for 4, halved: 16448. */
    assert_int_equal(numa_port_memory_mb(false, 1), 38);
    assert_int_equal(numa_port_memory_mb(true, 1), 48);
    assert_int_equal(numa_port_memory_mb(true, 4), 39);
    json_decref(w);
}

static void capabilities_round_trip(void **state)
{
    (void) state;
    struct numa_host h, back;
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x10", .dpdk_extra = "--legacy-mem",
                                   .socket_mem = "0,1024"}, &h);
    json_t *j = numa_host_json(&h);
    json_t *config = json_pack("{s:s, s:s}", "pmd-cpu-mask", "0x10", "dpdk-socket-limit", "0,16");
    assert_ok(numa_host_from_json(j, config, "numa", &back));
    struct err *e;
    json_t *w = json_array();
    /* Node 0: no DPDK memory there (refused); node 1: local. */
    json_t *l = judge(&back, "<numatune><memory nodeset='0'/></numatune>", w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "node 0 has no DPDK memory");
    l = judge(&back, "<numatune><memory nodeset='1'/></numatune>", w, &e);
    assert_ok(e);
    assert_string_equal(verdict(l), "local");
    json_decref(l);
    json_decref(w);
    json_decref(j);
    json_decref(config);
    numa_host_clear(&h);
    numa_host_clear(&back);
    /* The destination's settings are in its messages. */
    host(&(struct numa_ovs_config){.pmd_cpu_mask = "0x10", .socket_limit = "0,16"}, &h);
    j = numa_host_json(&h);
    config = json_pack("{s:s, s:s}", "pmd-cpu-mask", "0x10", "dpdk-socket-limit", "0,16");
    assert_ok(numa_host_from_json(j, config, "numa", &back));
    w = json_array();
    l = judge(&back, "<numatune><memory nodeset='1'/></numatune>", w, &e);
    assert_err(e, ERR_NUMA_REFUSED, NULL, "capped at 16 MiB (dpdk-socket-limit=0,16)");
    l = judge(&back, "<numatune><memory nodeset='0'/></numatune>", w, &e);
    assert_ok(e);
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "(pmd-cpu-mask=0x10)"));
    json_decref(l);
    json_decref(w);
    json_decref(j);
    json_decref(config);
    numa_host_clear(&h);
    numa_host_clear(&back);
    json_t *x = json_string("x");
    assert_err(numa_host_from_json(x, NULL, "numa", &back), ERR_INVALID_REQUEST, "numa", NULL);
    json_decref(x);
    json_t *bad = json_pack("[{s:s}]", "node", "zero");
    assert_err(numa_host_from_json(bad, NULL, "numa", &back), ERR_INVALID_REQUEST, "numa", "numa[0]");
    json_decref(bad);
}

static void physical_ports(void **state)
{
    (void) state;
    const char *const names[] = {"dpdk0", "dpdk1"};
    const int nodes[] = {1, -1};
    struct numa_host h;
    host(&(struct numa_ovs_config){.phys_ports = names, .phys_nodes = nodes, .n_phys = 2}, &h);
    assert_int_equal(h.nodes[0].n_phys, 1); /* -1: socket 0, as OVS does */
    assert_string_equal(h.nodes[0].phys[0], "dpdk1");
    assert_string_equal(h.nodes[1].phys[0], "dpdk0");
    numa_host_clear(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpu_lists),          cmocka_unit_test(masks_wider_than_64_bits),
        cmocka_unit_test(pmd_rxq_show),       cmocka_unit_test(pmds_from_the_mask),
        cmocka_unit_test(isolated_cores),     cmocka_unit_test(live_pmds_win),
        cmocka_unit_test(wide_mask),          cmocka_unit_test(vm_placement),       cmocka_unit_test(refusals),
        cmocka_unit_test(capabilities_round_trip), cmocka_unit_test(physical_ports),
    };
    return cmocka_run_group_tests_name("numa", tests, NULL, NULL);
}
