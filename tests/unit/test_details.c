#include "tests/unit/unit.h"

#include <string.h>

#include "offerings/details.h"

#define NUMA "<cpu><numa><cell id='0' cpus='0' memory='1048576' memAccess='shared'/></numa></cpu>"
#define NUMA_NORMAL "<cpu><numa><cell id=\"0\" cpus=\"0\" memory=\"1048576\" memAccess=\"shared\"/></numa></cpu>"
#define HUGEPAGES "<memoryBacking><hugepages/></memoryBacking>"

#define D(k, v) {(k), (v), sizeof(v) - 1}

static struct dpdk_details *decode_ok(const struct detail *offering, size_t n_offering,
                                      const struct detail *vm, size_t n_vm, bool url)
{
    struct details_request req = {offering, n_offering, vm, n_vm, url};
    struct dpdk_details *d = NULL;
    assert_ok(details_decode(&req, "", &d));
    assert_non_null(d);
    return d;
}

static struct err *decode_err(const struct detail *offering, size_t n_offering,
                              const struct detail *vm, size_t n_vm, bool url, const char *prefix)
{
    struct details_request req = {offering, n_offering, vm, n_vm, url};
    struct dpdk_details *d = NULL;
    struct err *e = details_decode(&req, prefix, &d);
    assert_null(d);
    return e;
}

static bool has_warning(const struct dpdk_details *d, const char *part)
{
    for (size_t i = 0; i < d->n_warnings; i++) {
        if (strstr(d->warnings[i], part)) {
            return true;
        }
    }
    return false;
}

static void the_vms_value_wins(void **state)
{
    (void) state;
    const struct detail offering[] = {D("DPDK-VHOSTUSER", "server"), D(DETAIL_NUMA, NUMA),
                                      D(DETAIL_HUGEPAGES, HUGEPAGES)};
    const struct detail vm[] = {D("DPDK-VHOSTUSER", "client")};
    struct dpdk_details *d = decode_ok(offering, 3, vm, 1, false);

    assert_true(d->dpdk);
    assert_int_equal(d->mode, VHOST_MODE_CLIENT);
    assert_int_equal(d->mode_source, DETAIL_SOURCE_VM);
    assert_int_equal(d->numa_source, DETAIL_SOURCE_OFFERING);
    assert_string_equal(d->numa, NUMA_NORMAL);
    assert_true(has_warning(d, "the VM's DPDK-VHOSTUSER overrides the offering's"));
    dpdk_details_free(d);
}

static void the_same_value_on_both_sides_warns_nothing(void **state)
{
    (void) state;
    const struct detail both[] = {D("DPDK-VHOSTUSER", "client")};
    struct dpdk_details *d = decode_ok(both, 1, both, 1, false);
    assert_int_equal(d->mode_source, DETAIL_SOURCE_VM);
    assert_false(has_warning(d, "overrides"));
    dpdk_details_free(d);
}

static void an_overridden_bad_value_does_not_matter(void **state)
{
    (void) state;
    const struct detail offering[] = {D("DPDK-VHOSTUSER", "bogus"), D(DETAIL_HUGEPAGES, "<junk")};
    const struct detail vm[] = {D("DPDK-VHOSTUSER", "server"), D(DETAIL_HUGEPAGES, HUGEPAGES)};
    struct dpdk_details *d = decode_ok(offering, 2, vm, 2, false);
    assert_int_equal(d->mode, VHOST_MODE_SERVER);
    assert_non_null(d->hugepages);
    dpdk_details_free(d);
}

static void dpdk_needs_both_numa_and_hugepages(void **state)
{
    (void) state;
    const struct detail numa[] = {D(DETAIL_NUMA, NUMA)};
    const struct detail huge[] = {D(DETAIL_HUGEPAGES, HUGEPAGES)};
    struct dpdk_details *d;

    d = decode_ok(NULL, 0, NULL, 0, true);
    assert_false(d->dpdk);
    assert_int_equal(d->mode, VHOST_MODE_SERVER);
    assert_int_equal(d->mode_source, DETAIL_SOURCE_DEFAULT);
    assert_int_equal(d->n_warnings, 0);
    dpdk_details_free(d);

    d = decode_ok(numa, 1, NULL, 0, false);
    assert_false(d->dpdk);
    assert_true(has_warning(d, "extraconfig-dpdk-numa is set but extraconfig-dpdk-hugepages is not"));
    dpdk_details_free(d);

    d = decode_ok(numa, 1, huge, 1, false); /* one from each side */
    assert_true(d->dpdk);
    assert_int_equal(d->hugepages_source, DETAIL_SOURCE_VM);
    dpdk_details_free(d);
}

static void other_keys_are_ignored_and_listed(void **state)
{
    (void) state;
    const struct detail offering[] = {D("zeta", "1"), D("cpuOvercommitRatio", "2")};
    const struct detail vm[] = {D("zeta", "3"), D("rootDiskController", "scsi")};
    struct dpdk_details *d = decode_ok(offering, 2, vm, 2, true);
    assert_int_equal(d->n_ignored, 3);
    assert_string_equal(d->ignored[0], "cpuOvercommitRatio");
    assert_string_equal(d->ignored[1], "rootDiskController");
    assert_string_equal(d->ignored[2], "zeta");
    dpdk_details_free(d);
}

static void lookalike_keys_are_refused(void **state)
{
    (void) state;
    static const char *const keys[] = {"dpdk-vhostuser", "Dpdk-VhostUser", "extraconfig-dpdk-hugepage",
                                       "extraconfig-dpdk-NUMA", "EXTRACONFIG-DPDK-NUMA",
                                       "extraconfig-dpdk-interface-", "extraconfig-dpdk-interface-a b",
                                       "extraconfig-dpdk-"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct detail vm[] = {{keys[i], "x", 1}};
        char field[128];
        snprintf(field, sizeof field, "vm.%s", keys[i]);
        assert_err(decode_err(NULL, 0, vm, 1, true, ""), ERR_INVALID_REQUEST, field,
                   "unknown DPDK detail key");
    }
    const struct detail empty[] = {{"", "x", 0}};
    assert_err(decode_err(empty, 1, NULL, 0, true, ""), ERR_INVALID_REQUEST, "offering.", "1 to 256 bytes");
}

static void fields_carry_the_prefix_and_side(void **state)
{
    (void) state;
    const struct detail vm[] = {D("DPDK-VHOSTUSER", "Server ")};
    assert_err(decode_err(NULL, 0, vm, 1, true, "details"), ERR_INVALID_MODE,
               "details.vm.DPDK-VHOSTUSER", "not 'Server '");
    const struct detail offering[] = {D(DETAIL_HUGEPAGES, "%3CmemoryBacking%3E%3ChugePages%2F%3E%3C%2FmemoryBacking%3E")};
    assert_err(decode_err(offering, 1, NULL, 0, true, ""), ERR_FORBIDDEN_XML,
               "offering.extraconfig-dpdk-hugepages", "extraconfig-dpdk-hugepages: /memoryBacking: element <hugePages>");
}

static void the_mode_is_never_url_decoded(void **state)
{
    (void) state;
    const struct detail vm[] = {D("DPDK-VHOSTUSER", "%63lient")};
    assert_err(decode_err(NULL, 0, vm, 1, true, ""), ERR_INVALID_MODE, "vm.DPDK-VHOSTUSER", NULL);
}

static void encoding_url_and_none(void **state)
{
    (void) state;
    const struct detail encoded[] = {
        D(DETAIL_HUGEPAGES, "%3CmemoryBacking%3E+%3Chugepages%2F%3E+%3C%2FmemoryBacking%3E")};
    struct dpdk_details *d = decode_ok(encoded, 1, NULL, 0, true);
    assert_string_equal(d->hugepages, HUGEPAGES);
    dpdk_details_free(d);

    /* Encoded, but said not to be. */
    assert_err(decode_err(encoded, 1, NULL, 0, false, ""), ERR_INVALID_ENCODING,
               "offering.extraconfig-dpdk-hugepages", "still URL-encoded");

    /* Encoded twice. */
    const struct detail twice[] = {
        D(DETAIL_HUGEPAGES, "%253CmemoryBacking%253E%253Chugepages%252F%253E%253C%252FmemoryBacking%253E")};
    assert_err(decode_err(twice, 1, NULL, 0, true, ""), ERR_INVALID_ENCODING, NULL, "encoded twice");

    /* 'none' still refuses control characters. */
    const struct detail ctl[] = {D(DETAIL_HUGEPAGES, "<memoryBacking>\x01<hugepages/></memoryBacking>")};
    assert_err(decode_err(ctl, 1, NULL, 0, false, ""), ERR_INVALID_ENCODING, NULL, "control character");
}

static void interface_extras_merge_and_clash(void **state)
{
    (void) state;
    const struct detail offering[] = {D("extraconfig-dpdk-interface-mtu", "<mtu size='1500'/>"),
                                      D("extraconfig-dpdk-interface-driver", "<driver queues='2'/>")};
    const struct detail vm[] = {D("extraconfig-dpdk-interface-mtu", "<mtu size='9000'/>")};
    struct dpdk_details *d = decode_ok(offering, 2, vm, 1, false);
    assert_int_equal(d->n_extras, 2);
    assert_string_equal(d->extras[0].key, "extraconfig-dpdk-interface-driver");
    assert_int_equal(d->extras[0].source, DETAIL_SOURCE_OFFERING);
    assert_string_equal(d->extras[1].key, "extraconfig-dpdk-interface-mtu");
    assert_string_equal(d->extras[1].xml, "<mtu size=\"9000\"/>");
    assert_int_equal(d->extras[1].source, DETAIL_SOURCE_VM);
    assert_true(has_warning(d, "have no effect"));
    dpdk_details_free(d);

    const struct detail clash[] = {D("extraconfig-dpdk-interface-a", "<mtu size='1500'/>"),
                                   D("extraconfig-dpdk-interface-b", "<link state='up'/><mtu size='9000'/>")};
    assert_err(decode_err(clash, 2, NULL, 0, false, ""), ERR_INVALID_XML,
               "offering.extraconfig-dpdk-interface-b", "<mtu> is already set by extraconfig-dpdk-interface-a");
}

static void too_many_details(void **state)
{
    (void) state;
    static struct detail many[DETAILS_MAX_KEYS + 1];
    static char keys[DETAILS_MAX_KEYS + 1][16];
    for (size_t i = 0; i <= DETAILS_MAX_KEYS; i++) {
        snprintf(keys[i], sizeof keys[i], "k%zu", i);
        many[i] = (struct detail){keys[i], "v", 1};
    }
    assert_err(decode_err(NULL, 0, many, DETAILS_MAX_KEYS + 1, true, ""), ERR_INVALID_REQUEST, "vm",
               "at most 1024");
}

/* The element names of every snippet that won, each once; none without
 * snippets, and none from a value the VM's detail replaced. */
static void element_names_of_the_winning_snippets(void **state)
{
    (void) state;
    const struct detail offering[] = {
        D(DETAIL_NUMA, NUMA),
        D(DETAIL_HUGEPAGES, "<memoryBacking><hugepages><page size='2048'/></hugepages></memoryBacking>"),
        D(DETAIL_INTERFACE_PREFIX "a", "<driver queues='2'/><mtu size='9000'/>"),
    };
    const struct detail vm[] = {
        D(DETAIL_HUGEPAGES, HUGEPAGES),
        D(DETAIL_INTERFACE_PREFIX "b", "<link state='up'/>"),
    };
    struct dpdk_details *d = decode_ok(offering, 3, vm, 2, false);
    static const char *const names[] = {"cell", "cpu", "driver", "hugepages", "link",
                                        "memoryBacking", "mtu", "numa"};
    assert_int_equal(d->n_elements, 8); /* no "page": the VM's hugepages won */
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(d->elements[i], names[i]);
    }
    dpdk_details_free(d);

    const struct detail mode_only[] = {D("DPDK-VHOSTUSER", "client")};
    d = decode_ok(mode_only, 1, NULL, 0, false);
    assert_int_equal(d->n_elements, 0);
    dpdk_details_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_vms_value_wins),
        cmocka_unit_test(the_same_value_on_both_sides_warns_nothing),
        cmocka_unit_test(an_overridden_bad_value_does_not_matter),
        cmocka_unit_test(dpdk_needs_both_numa_and_hugepages),
        cmocka_unit_test(other_keys_are_ignored_and_listed),
        cmocka_unit_test(lookalike_keys_are_refused),
        cmocka_unit_test(fields_carry_the_prefix_and_side),
        cmocka_unit_test(the_mode_is_never_url_decoded),
        cmocka_unit_test(encoding_url_and_none),
        cmocka_unit_test(interface_extras_merge_and_clash),
        cmocka_unit_test(too_many_details),
        cmocka_unit_test(element_names_of_the_winning_snippets),
    };
    return cmocka_run_group_tests_name("details", tests, NULL, NULL);
}
