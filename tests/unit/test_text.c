#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/mem.h"
#include "helper/output.h"
#include "helper/text.h"
#include "helper/verb.h"

static void decodes_like_java_urldecoder(void **state)
{
    (void) state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"plain", "plain"},
        {"a+b", "a b"},
        {"a%20b", "a b"},
        {"%2B", "+"},
        {"%2b", "+"},
        {"%3Cx%2F%3E", "<x/>"},
        {"%3cx%2f%3e", "<x/>"},
        {"caf%C3%A9", "caf\xc3\xa9"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},       /* literal UTF-8 stands for itself */
        {"%F0%9F%98%80", "\xf0\x9f\x98\x80"}, /* 4-byte sequence */
        {"%0A%0D%09", "\n\r\t"},              /* LF, CR and tab are allowed */
        {"%7F", "\x7f"},
        {"%25", "%"},                         /* decoded once only */
        {"%253C", "%3C"},
        {"++", "  "},
        {"a=b&c", "a=b&c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        size_t size = 99;
        assert_ok(text_url_decode(cases[i].in, strlen(cases[i].in), "f", &out, &size));
        assert_string_equal(out, cases[i].out);
        assert_int_equal(size, strlen(cases[i].out));
        free(out);
    }
}

static void refuses_every_encoding_trap(void **state)
{
    (void) state;
    static const struct {
        const char *in, *part;
    } cases[] = {
        {"%", "incomplete escape"},
        {"abc%", "incomplete escape"},
        {"%4", "incomplete escape"},
        {"%zz", "bad escape"},
        {"%G0", "bad escape"},
        {"%-1", "bad escape"},
        {"%+1", "bad escape"},  /* Java's parseInt would take this one */
        {"% 1", "bad escape"},
        {"%00", "NUL"},
        {"a%00b", "NUL"},
        {"%01", "control character \\x01"},
        {"%1B", "control character \\x1b"},
        {"%C0%BC", "invalid UTF-8"},      /* overlong '<' */
        {"%C1%BF", "invalid UTF-8"},      /* overlong */
        {"%E0%80%BC", "invalid UTF-8"},   /* overlong, 3 bytes */
        {"%F0%80%80%BC", "invalid UTF-8"},/* overlong, 4 bytes */
        {"%ED%A0%80", "invalid UTF-8"},   /* UTF-16 surrogate */
        {"%ED%BF%BF", "invalid UTF-8"},
        {"%F4%90%80%80", "invalid UTF-8"},/* above U+10FFFF */
        {"%F5%80%80%80", "invalid UTF-8"},
        {"%FF", "invalid UTF-8"},
        {"%80", "invalid UTF-8"},         /* lone continuation byte */
        {"%C3", "invalid UTF-8"},         /* truncated sequence */
        {"%E2%82", "invalid UTF-8"},
        {"\xc3(", "invalid UTF-8"},       /* raw invalid byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        size_t size;
        assert_err(text_url_decode(cases[i].in, strlen(cases[i].in), "vm.k", &out, &size),
                   ERR_INVALID_ENCODING, "vm.k", cases[i].part);
        assert_null(out);
    }
}

static void check_names_the_offset(void **state)
{
    (void) state;
    assert_ok(text_check("ok\ttext\r\n", strlen("ok\ttext\r\n"), "f"));
    assert_err(text_check("ab\x02", 3, "f"), ERR_INVALID_ENCODING, "f", "at byte 2");
    assert_err(text_check("a\0b", 3, "f"), ERR_INVALID_ENCODING, "f", "NUL");
}

static void utf8_sequence_sizes(void **state)
{
    (void) state;
    assert_int_equal(text_utf8_sequence_size((const unsigned char *) "a", 1), 1);
    assert_int_equal(text_utf8_sequence_size((const unsigned char *) "\xc3\xa9", 2), 2);
    assert_int_equal(text_utf8_sequence_size((const unsigned char *) "\xe2\x82\xac", 3), 3);
    assert_int_equal(text_utf8_sequence_size((const unsigned char *) "\xf4\x8f\xbf\xbf", 4), 4);
    assert_int_equal(text_utf8_sequence_size((const unsigned char *) "\xe2\x82\xac", 2), 0);
    assert_int_equal(text_utf8_sequence_size((const unsigned char *) "", 0), 0);
}

static void quoting_for_messages(void **state)
{
    (void) state;
    char *q = text_quote_for_message("plain", 64);
    assert_string_equal(q, "'plain'");
    free(q);
    q = text_quote_for_message("a\x01\xff" "caf\xc3\xa9", 64);
    assert_string_equal(q, "'a\\x01\\xffcaf\xc3\xa9'");
    free(q);
    q = text_quote_for_message("abcdefgh", 3);
    assert_string_equal(q, "'abc...'");
    free(q);
}

static void sorts_and_drops_repeats(void **state)
{
    (void) state;
    char *strings[] = {strdup("numa"), strdup("cell"), strdup("numa"), strdup("Cell"),
                       strdup("cell")};
    size_t n = 5;
    text_sort_unique(strings, &n);
    assert_int_equal(n, 3);
    assert_string_equal(strings[0], "Cell");
    assert_string_equal(strings[1], "cell");
    assert_string_equal(strings[2], "numa");
    for (size_t i = 0; i < n; i++) {
        free(strings[i]);
    }
    n = 0;
    text_sort_unique(NULL, &n);
    assert_int_equal(n, 0);
}

static void seconds_above_zero_up_to_a_bound(void **state)
{
    (void) state;
    double t = 0;
    assert_true(text_seconds("30", 3600, &t));
    assert_true(t == 30);
    assert_true(text_seconds("0.5", 3600, &t));
    assert_true(t == 0.5);
    assert_true(text_seconds("3600", 3600, &t));
    static const char *const bad[] = {"", "0", "-1", "3600.5", "1e400", "nan", "inf", "5s", "5 ", "x",
                                       ".5", "5.", "+5", "1e1", "0x10", " 5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = -7;
        assert_false(text_seconds(bad[i], 3600, &t));
        assert_true(t == -7);
    }
}

/* A table within its columns: a cell wider than its cap ends the line and
 * the row goes on under the next column. */
static void table_rows_keep_their_columns(void **state)
{
    (void) state;
    static const char *const head[] = {"PORT", "VM", "POLL"};
    static const char *const row[] = {"a-port-of-twenty-chars", "vm-1", "local"};
    static const int cap[] = {8, 0, 0};
    int width[3] = {0};
    output_widen(width, head, cap, 3);
    output_widen(width, row, cap, 3);
    assert_int_equal(width[0], 8);
    assert_int_equal(width[1], 4);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    output_row(f, head, width, 3);
    output_row(f, row, width, 3);
    output_row(f, (const char *const[]){"short", "vm-2", "CROSS"}, width, 3);
    fclose(f);
    assert_string_equal(text, "PORT      VM    POLL\n"
                              "a-port-of-twenty-chars\n"
                              "          vm-1  local\n"
                              "short     vm-2  CROSS\n");
    free(text);

    /* A reason under its row, broken at spaces within 100 columns. */
    f = open_memstream(&text, &size);
    assert_non_null(f);
    char words[200] = "";
    for (int i = 0; i < 19; i++) {
        strcat(words, "word-nine ");
    }
    output_wrapped(f, NULL, 4, words);
    output_wrapped(f, NULL, 4, "short");
    output_wrapped(f, "warning: ", 4, words);
    fclose(f);
    assert_string_equal(text, "    word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine\n"
                              "    word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine\n"
                              "    word-nine\n"
                              "    short\n"
                              "warning: word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine\n"
                              "    word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine word-nine\n"
                              "    word-nine\n");
    free(text);
}

/* status --format text --verbose of a port with 8 queues, a long socket
 * path, a long PMD error and counters near 2^63: every line within 100
 * columns; a VM tag and an op id with a newline (another tool's) each
 * stay on their line. */
static void status_details_wrap(void **state)
{
    (void) state;
    json_t *rxqs = json_array();
    for (int q = 0; q < 8; q++) {
        json_array_append_new(rxqs, json_pack("{s:i, s:i, s:i, s:b}", "queue", q, "pmd_core", 10 + q, "pmd_numa",
                                              q % 2, "enabled", 1));
    }
    json_t *result = json_pack(
        "{s:[{s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:o, s:s, s:s, s:s, s:b, s:b, s:{s:I, s:I, s:I, s:I}, s:s, s:s}], s:s}",
        "ports", "port", "csdpdk-12", "owner", "5a1e3c2d\nwith-a-newline\xc2\x9b", "mac", "02:00:4c:5f:00:01",
        "mode", "client", "owned_by", "vm", "connected", 1, "queues", 8, "rxqs", rxqs, "bridge", "cloudbr0",
        /* One word longer than a line, a two-byte character where it is cut
         * (the line's 100th column falls on the second byte of an 'é'). */
        "socket", "/var/run/openvswitch/a-rather-long-directory-for-sockets-of-this-hôst/and-xxxxxxxxxxxxxxxxxxééé/csdpdk-12345",
        "numa", "0", "cross_numa", 1, "unpolled", 0,
        "counters", "rx_packets", (json_int_t) 1234567890123456789, "rx_dropped", (json_int_t) 1234567890123456789,
        "tx_packets", (json_int_t) 9223372036854775807, "tx_dropped", (json_int_t) 1234567890123456789,
        "op_id", "op\n42",
        "error", "could not open vhost-user socket /run/openvswitch/another-rather-long-directory-for-sockets-of-this-host/"
                 "csdpdk-12345: Address already in use",
        "pmd_error", "ovs-vswitchd did not answer dpif-netdev/pmd-rxq-show within the time left: "
                     "it is busy or stopped, and the PMD threads of this host are therefore not known here");
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    verb_status_text(f, result, true);
    fclose(f);
    /* The port's row one line; the op id on its own. */
    assert_non_null(strstr(text, "\ncsdpdk-12  5a1e3c2d?with-a-newline?  02:00:4c:5f:00:01"));
    assert_non_null(strstr(text, "\n    migration op?42 in flight\n"));
    /* The socket path, cut at the line's end, is all there. */
    char *joined = mem_strdup(text), *to = joined;
    for (const char *from = joined; *from; from++) {
        if (*from == '\n') {
            from += strspn(from + 1, " ");
        } else {
            *to++ = *from;
        }
    }
    *to = '\0';
    assert_non_null(strstr(joined, "/var/run/openvswitch/a-rather-long-directory-for-sockets-of-this-hôst/and-xxxxxxxxxxxxxxxxxxééé/csdpdk-12345"));
    free(joined);
    /* Each line whole UTF-8: a cut never splits a character. */
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        _cleanup_free_ char *copy = mem_strndup(line, len);
        struct err *e = text_check(copy, len, NULL);
        if (e) {
            fail_msg("a line that is not UTF-8 (%s): %s", e->message, copy);
        }
        line += len + (line[len] == '\n');
    }
    /* Each queue's entry whole on its line, never broken. */
    for (int q = 0; q < 8; q++) {
        char entry[64];
        snprintf(entry, sizeof entry, "%d on core %d (node %d)", q, 10 + q, q % 2);
        if (!strstr(text, entry)) {
            fail_msg("no '%s' in:\n%s", entry, text);
        }
    }
    size_t lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        if (strlen(line) > 100) {
            fail_msg("a line of %zu columns: %s", strlen(line), line);
        }
    }
    assert_true(lines >= 7);
    free(text);
    json_decref(result);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_like_java_urldecoder),
        cmocka_unit_test(refuses_every_encoding_trap),
        cmocka_unit_test(check_names_the_offset),
        cmocka_unit_test(utf8_sequence_sizes),
        cmocka_unit_test(quoting_for_messages),
        cmocka_unit_test(sorts_and_drops_repeats),
        cmocka_unit_test(seconds_above_zero_up_to_a_bound),
        cmocka_unit_test(table_rows_keep_their_columns),
        cmocka_unit_test(status_details_wrap),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
