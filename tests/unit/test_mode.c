#include "tests/unit/unit.h"

#include "offerings/mode.h"

static void parses_both_modes_in_any_case(void **state)
{
    (void) state;
    static const struct {
        const char *value;
        enum vhost_mode mode;
    } cases[] = {
        {"client", VHOST_MODE_CLIENT}, {"CLIENT", VHOST_MODE_CLIENT}, {"Client", VHOST_MODE_CLIENT},
        {"server", VHOST_MODE_SERVER}, {"SERVER", VHOST_MODE_SERVER}, {"sErVeR", VHOST_MODE_SERVER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum vhost_mode mode = 99;
        assert_ok(vhost_mode_parse(cases[i].value, "f", &mode));
        assert_int_equal(mode, cases[i].mode);
    }
}

static void absent_means_server(void **state)
{
    (void) state;
    enum vhost_mode mode = VHOST_MODE_CLIENT;
    assert_ok(vhost_mode_parse(NULL, "f", &mode));
    assert_int_equal(mode, VHOST_MODE_SERVER);
}

static void refuses_everything_else(void **state)
{
    (void) state;
    static const char *const bad[] = {
        "", " ", "client ", " server", "\tclient", "client\n", "clients", "serv", "dpdkvhostuser",
        "%63lient", "cl ient", "true", "0", "vhost-user", "clíent", "server,client", "null",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum vhost_mode mode = 99;
        assert_err(vhost_mode_parse(bad[i], "vm.DPDK-VHOSTUSER", &mode), ERR_INVALID_MODE,
                   "vm.DPDK-VHOSTUSER", "must be 'client' or 'server'");
        assert_int_equal(mode, 99);
    }
}

static void the_mode_table(void **state)
{
    (void) state;
    const struct vhost_mode_info *s = vhost_mode_info(VHOST_MODE_SERVER);
    const struct vhost_mode_info *c = vhost_mode_info(VHOST_MODE_CLIENT);

    assert_string_equal(s->name, "server");
    assert_string_equal(s->port_type, "dpdkvhostuser");
    assert_string_equal(s->guest_mode, "client");
    assert_true(s->ovs_owns_socket);
    assert_string_equal(c->name, "client");
    assert_string_equal(c->port_type, "dpdkvhostuserclient");
    assert_string_equal(c->guest_mode, "server");
    assert_false(c->ovs_owns_socket);
}

static void message_quotes_controls(void **state)
{
    (void) state;
    enum vhost_mode mode;
    assert_err(vhost_mode_parse("a\x01" "b", "f", &mode), ERR_INVALID_MODE, "f", "'a\\x01b'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_both_modes_in_any_case),
        cmocka_unit_test(absent_means_server),
        cmocka_unit_test(refuses_everything_else),
        cmocka_unit_test(the_mode_table),
        cmocka_unit_test(message_quotes_controls),
    };
    return cmocka_run_group_tests_name("mode", tests, NULL, NULL);
}
