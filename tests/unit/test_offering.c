#include "tests/unit/unit.h"

#include <stdlib.h>
#include <string.h>

#include "offerings/offering.h"

static void url_encode_as_java(void **state)
{
    (void) state;
    /* Java's URLEncoder.encode(s, UTF_8) for each (tests/integration/
     * offering.sh compares with Java itself over many more). */
    static const char *const cases[][2] = {
        {"", ""},
        {"azAZ09.-*_", "azAZ09.-*_"},
        {"a b", "a+b"},
        {"~!'()", "%7E%21%27%28%29"},
        {"<cell id=\"0\"/>", "%3Ccell+id%3D%220%22%2F%3E"},
        {"+%&=/?#", "%2B%25%26%3D%2F%3F%23"},
        {"\xc3\xa9\xe2\x80\x94", "%C3%A9%E2%80%94"},
        {"\t\n", "%09%0A"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = offering_url_encode(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static void shell_words(void **state)
{
    (void) state;
    static const char *const cases[][2] = {
        {"cpunumber=4", "cpunumber=4"},
        {"value=%3Ccpu%3E+x", "value=%3Ccpu%3E+x"},
        {"name=a b", "'name=a b'"},
        {"k[0].key=x", "'k[0].key=x'"},
        {"it's", "'it'\\''s'"},
        {"", "''"},
        {"*", "'*'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = offering_shell_word(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

static void command_lines(void **state)
{
    (void) state;
    struct offering_command c = {0};
    assert_ok(offering_command_parse(
        "cmk create serviceoffering 'name=a b' \"displaytext=x \\\"y\\\"\" it\\'s=1 "
        "'serviceofferingdetails[0].key=k' serviceofferingdetails[0].value=%3C+ e=",
        "cloudmonkey", &c));
    assert_int_equal(c.n_args, 6);
    assert_string_equal(c.args[0].key, "name");
    assert_string_equal(c.args[0].value, "a b");
    assert_string_equal(c.args[1].value, "x \"y\"");
    assert_string_equal(c.args[2].key, "it's");
    assert_string_equal(c.args[3].key, "serviceofferingdetails[0].key");
    assert_string_equal(c.args[4].value, "%3C+");
    assert_string_equal(c.args[5].value, "");
    offering_command_clear(&c);

    /* Pasted over several lines, as a shell reads it. */
    assert_ok(offering_command_parse("create serviceoffering \\\n  name=a\\\nb \\\n \"x=1\\\n2\"",
                                     "cloudmonkey", &c));
    assert_int_equal(c.n_args, 2);
    assert_string_equal(c.args[0].value, "ab");
    assert_string_equal(c.args[1].value, "12");
    offering_command_clear(&c);

    static const char *const bad[][2] = {
        {"", "not a 'create serviceoffering' command"},
        {"create", "not a 'create serviceoffering' command"},
        {"create diskoffering name=x", "word 2"},
        {"create serviceoffering 'name=x", "a quote is not closed"},
        {"create serviceoffering \"name=x", "a quote is not closed"},
        {"create serviceoffering name", "is not a key=value argument"},
        {"create serviceoffering =x", "is not a key=value argument"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_err(offering_command_parse(bad[i][0], "cloudmonkey", &c), ERR_INVALID_REQUEST,
                   "cloudmonkey", bad[i][1]);
        assert_int_equal(c.n_args, 0);
    }
}

static void snippets(void **state)
{
    (void) state;
    char *numa = NULL, *huge = NULL;
    struct offering_params p = {.vcpus = 2, .memory_mib = 2048, .page_size_kib = 1048576};
    assert_ok(offering_snippets(&p, &numa, &huge));
    assert_string_equal(numa, "<cpu><numa><cell id=\"0\" cpus=\"0-1\" memory=\"2097152\" unit=\"KiB\" "
                              "memAccess=\"shared\"/></numa></cpu>");
    assert_string_equal(huge, "<memoryBacking><hugepages><page size=\"1048576\" unit=\"KiB\"/>"
                              "</hugepages></memoryBacking>");
    free(numa);
    free(huge);

    struct offering_cell cells[] = {{"0", 1024}, {"1", 512}};
    p = (struct offering_params){.vcpus = 2, .memory_mib = 2048, .page_size_kib = 1048576,
                                 .cells = cells, .n_cells = 2};
    assert_err(offering_snippets(&p, &numa, &huge), ERR_INVALID_REQUEST, "cells[1].memory_mib",
               "not a whole number of 1048576 KiB pages");
    p.page_size_kib = 2048;
    p.memory_mib = 2048;
    assert_err(offering_snippets(&p, &numa, &huge), ERR_INVALID_REQUEST, "cells",
               "adds up to 1536 MiB, not memory_mib 2048");
    p.memory_mib = 1537;
    assert_err(offering_snippets(&p, &numa, &huge), ERR_INVALID_REQUEST, "memory_mib",
               "not a whole number of 2048 KiB pages");
    p.page_size_kib = 4;
    assert_err(offering_snippets(&p, &numa, &huge), ERR_INVALID_REQUEST, "page_size_kib", "not 4");
    p.page_size_kib = 2048;
    p.vcpus = 0;
    assert_err(offering_snippets(&p, &numa, &huge), ERR_INVALID_REQUEST, "vcpus", "at least 1");
}

static void management_server_commands(void **state)
{
    (void) state;
    static const char *const names[] = {"cell", "cpu", "memoryBacking"};
    char *list = offering_join(names, 3, ",");
    assert_string_equal(list, "cell,cpu,memoryBacking");
    char *got = offering_join(names, 0, ",");
    assert_string_equal(got, "");
    free(got);

    got = offering_setting_cloudmonkey(OFFERING_SETTING_KVM_ALLOW_LIST, list);
    assert_string_equal(got, "update configuration name=allow.additional.vm.configuration.list.kvm "
                             "value=cell,cpu,memoryBacking accountid=ACCOUNT_UUID");
    free(got);
    got = offering_setting_query(OFFERING_SETTING_KVM_ALLOW_LIST, list);
    assert_string_equal(got, "command=updateConfiguration&name=allow.additional.vm.configuration.list.kvm"
                             "&value=cell%2Ccpu%2CmemoryBacking&accountid=ACCOUNT_UUID");
    free(got);
    free(list);

    /* A value a shell would split is quoted; the query encodes it. */
    got = offering_setting_cloudmonkey("x", "a b");
    assert_string_equal(got, "update configuration name=x 'value=a b' accountid=ACCOUNT_UUID");
    free(got);
    got = offering_setting_query(OFFERING_SETTING_ENABLE, "true");
    assert_string_equal(got, "command=updateConfiguration&name=enable.additional.vm.configuration"
                             "&value=true&accountid=ACCOUNT_UUID");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_encode_as_java),
        cmocka_unit_test(shell_words),
        cmocka_unit_test(command_lines),
        cmocka_unit_test(snippets),
        cmocka_unit_test(management_server_commands),
    };
    return cmocka_run_group_tests_name("offering", tests, NULL, NULL);
}
