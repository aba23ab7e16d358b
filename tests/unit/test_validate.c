#include "tests/unit/unit.h"

#include <stdlib.h>

#include "helper/ovsdb.h"
#include "helper/validate.h"

static void macs(void **state)
{
    (void) state;
    char *n = NULL;
    assert_ok(validate_mac("02:00:4C:5F:00:0A", "f", &n));
    assert_string_equal(n, "02:00:4c:5f:00:0a");
    free(n);
    static const char *const bad[] = {"", "02:00:4c:5f:00", "02-00-4c-5f-00-01", "02:00:zz:5f:00:01",
                                      "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
                                      "02:00:4c:5f:00:01 ", "02:00:4c:5f:00:1", "2:00:4c:5f:00:01:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = NULL;
        assert_err(validate_mac(bad[i], "nics[0].mac", &n), ERR_INVALID_MAC, "nics[0].mac", NULL);
        assert_null(n);
    }
}

static void uuids(void **state)
{
    (void) state;
    char *n = NULL;
    assert_ok(validate_uuid("6695EB01-F6A4-8304-79AA-97F2502E193F", "f", &n));
    assert_string_equal(n, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    free(n);
    static const char *const bad[] = {"", "i-2-10-VM", "6695eb01f6a4830479aa97f2502e193f",
                                      "{6695eb01-f6a4-8304-79aa-97f2502e193f}",
                                      "6695eb01-f6a4-8304-79aa-97f2502e193", "6695eb01-f6a4-8304-79aa-97f2502e193g"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_err(validate_uuid(bad[i], "vm.uuid", &n), ERR_INVALID_REQUEST, "vm.uuid", "not a UUID");
    }
}

static void bridges(void **state)
{
    (void) state;
    assert_ok(validate_bridge("cloudbr0", "f"));
    assert_ok(validate_bridge("breth1-100", "f"));
    assert_ok(validate_bridge("a23456789012345", "f"));
    static const char *const bad[] = {"", "a234567890123456", "br 0", "br0;x", "-br", ".", "..", "br/0", "$(id)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_err(validate_bridge(bad[i], "b"), ERR_INVALID_REQUEST, "b", "not a bridge name");
    }
}

static void socket_paths(void **state)
{
    (void) state;
    char path[200];
    memset(path, 'a', sizeof path);
    path[107] = '\0';
    assert_ok(validate_socket_path(path, "f"));
    path[107] = 'a';
    path[108] = '\0';
    assert_err(validate_socket_path(path, "f"), ERR_PATH_TOO_LONG, "f", "108 bytes");
}

static void port_names(void **state)
{
    (void) state;
    assert_true(ovsdb_is_port_name("csdpdk-1"));
    assert_true(ovsdb_is_port_name("csdpdk-4294967295"));
    assert_true(ovsdb_is_port_name("csdpdk-0"));
    static const char *const bad[] = {"csdpdk-", "csdpdk-1a", "csdpdk-01234567890", "csdpdk--1", "CSDPDK-1",
                                      " csdpdk-1", "csdpdk-1 ", "vhu1", "csdpdk_1", ";touch X", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(ovsdb_is_port_name(bad[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(macs),      cmocka_unit_test(uuids),      cmocka_unit_test(bridges),
        cmocka_unit_test(socket_paths), cmocka_unit_test(port_names),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
