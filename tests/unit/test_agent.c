#include "tests/unit/unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/agent.h"

static void get_n(const char *text, size_t size, const char *key, const char *want)
{
    char *got = NULL;
    assert_ok(agent_properties_get(text, size, key, &got, NULL));
    if (want) {
        assert_non_null(got);
        assert_string_equal(got, want);
    } else {
        assert_null(got);
    }
    free(got);
}

static void get(const char *text, const char *key, const char *want)
{
    get_n(text, strlen(text), key, want);
}

static void java_properties_syntax(void **state)
{
    (void) state;
    get("a=1\n", "a", "1");
    get("a = 1\n", "a", "1");
    get("a:1\n", "a", "1");
    get("a 1\n", "a", "1");
    get("a    =   1   \n", "a", "1   "); /* Java keeps trailing blanks */
    get("  a=1", "a", "1");
    get("# a=1\n! a=2\na=3\n", "a", "3");
    get("a=1\na=2\n", "a", "2"); /* the last one wins */
    get("a=\n", "a", "");
    get("a\n", "a", "");
    get("ab=1\n", "a", NULL);
    get("a=x\\\n    y\n", "a", "xy"); /* a continued line */
    get("a\\=b=c\n", "a=b", "c");     /* an escaped separator */
    get("a=\\u00e9\n", "a", "\xc3\xa9");
    get("a=1\r\nb=2\r\n", "b", "2");
    get("openvswitch.dpdk.ovs.path=/var/run/openvswitch/\n", "openvswitch.dpdk.ovs.path",
        "/var/run/openvswitch/");
    /* CR-only line ends: a comment or a blank line ends at the CR too. */
    get("# comment\ra=1\r", "a", "1");
    get("a=1\r\rb=2\r", "b", "2");
    get("a=x\\\r  y\rb=2", "a", "xy");
    get("a=x\\\r\n  y\r\nb=2", "a", "xy");
    get("a=\\\\\n", "a", "\\");     /* an escaped '\' does not continue */
    get("a=x\\", "a", "x");          /* a final lone '\' goes */
    get("a = = 1\n", "a", "= 1");     /* one separator only */
    get("a=\xe9\n", "a", "\xc3\xa9"); /* ISO-8859-1 bytes */
    get("a=\\ud83d\\ude00\n", "a", "\xf0\x9f\x98\x80");
    get("a=\\ud83d\n", "a", "?");  /* a lone surrogate, as String.getBytes */
    get("a=x\\\n# not a comment\n", "a", "x# not a comment");
    get_n("a=1\0x\nb=2\n", 10, "b", "2"); /* a NUL byte does not end the text */
}

static void malformed_unicode_escape(void **state)
{
    (void) state;
    static const char *const texts[] = {"a=1\nb=\\u12G4\n", "a=\\u12", "\\u00=1\na=2"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *got = NULL;
        assert_err(agent_properties_get(texts[i], strlen(texts[i]), "a", &got, NULL), ERR_INVALID_REQUEST,
                   "agent.properties", "malformed \\uXXXX");
        assert_null(got);
    }
}

static void normalises_directories(void **state)
{
    (void) state;
    static const char *const cases[][2] = {
        {"/var/run/openvswitch/", "/var/run/openvswitch"},
        {"/var/run//openvswitch//", "/var/run/openvswitch"},
        {"/var/run/openvswitch", "/var/run/openvswitch"},
        {"//", "/"},
        {"/", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = agent_normalise_dir(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static void loads_a_file(void **state)
{
    (void) state;
    char path[] = "/tmp/csdpdk-agent-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "network.bridge.type=openvswitch\nopenvswitch.dpdk.enabled=true\n"
                        "openvswitch.dpdk.ovs.path=/run//ovs/\n";
    assert_true(write(fd, text, sizeof text - 1) == (ssize_t) (sizeof text - 1));
    close(fd);

    struct agent_config cfg;
    assert_ok(agent_config_load(path, &cfg));
    assert_true(cfg.found);
    assert_string_equal(cfg.bridge_type, "openvswitch");
    assert_string_equal(cfg.dpdk_enabled, "true");
    assert_string_equal(cfg.socket_dir, "/run/ovs");
    agent_config_clear(&cfg);

    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(write(fd, "openvswitch.dpdk.ovs.path=run/ovs\n", 34) == 34);
    close(fd);
    assert_err(agent_config_load(path, &cfg), ERR_INVALID_REQUEST,
               "agent.properties:openvswitch.dpdk.ovs.path", "must be an absolute path");
    unlink(path);

    assert_ok(agent_config_load("/nonexistent/agent.properties", &cfg));
    assert_false(cfg.found);
    assert_string_equal(cfg.socket_dir, "/var/run/openvswitch");
    agent_config_clear(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(java_properties_syntax),
        cmocka_unit_test(malformed_unicode_escape),
        cmocka_unit_test(normalises_directories),
        cmocka_unit_test(loads_a_file),
    };
    return cmocka_run_group_tests_name("agent", tests, NULL, NULL);
}
