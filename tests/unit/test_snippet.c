#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offerings/snippet.h"

static char *ok(const struct grammar *g, const char *xml)
{
    struct snippet *s = NULL;
    assert_ok(snippet_parse(g, xml, strlen(xml), "f", &s));
    char *out = strdup(s->xml);
    snippet_free(s);
    return out;
}

#define assert_normalised(g, in, expected)                                                         \
    do {                                                                                           \
        char *out_ = ok((g), (in));                                                                \
        assert_string_equal(out_, (expected));                                                     \
        free(out_);                                                                                \
    } while (0)

#define assert_refused(g, in, code, part)                                                          \
    do {                                                                                           \
        struct snippet *s_ = NULL;                                                                 \
        const char *in_ = (in);                                                                    \
        assert_err(snippet_parse((g), in_, strlen(in_), "f", &s_), (code), "f", (part));           \
        assert_null(s_);                                                                           \
    } while (0)

static void cloudstack_documented_snippets(void **state)
{
    (void) state;
    assert_normalised(&grammar_hugepages, "<memoryBacking> <hugepages/> </memoryBacking>",
                      "<memoryBacking><hugepages/></memoryBacking>");
    assert_normalised(&grammar_numa,
                      "<cpu mode=\"host-passthrough\"> <numa> <cell id=\"0\" cpus=\"0\" "
                      "memory=\"9437184\" unit=\"KiB\" memAccess=\"shared\"/> </numa> </cpu>",
                      "<cpu mode=\"host-passthrough\"><numa><cell id=\"0\" cpus=\"0\" "
                      "memory=\"9437184\" unit=\"KiB\" memAccess=\"shared\"/></numa></cpu>");
}

static void normalises_quotes_order_whitespace_comments(void **state)
{
    (void) state;
    assert_normalised(&grammar_numa,
                      "\n<!-- two cells -->\n<cpu>\n\t<numa>\n"
                      "  <cell memAccess='shared' memory='1048576' cpus='0-1' id='0'/>\n"
                      "  <cell id='1' cpus='2,3' memory='1048576' memAccess='shared'></cell>\n"
                      "</numa></cpu>\n",
                      "<cpu><numa><cell id=\"0\" cpus=\"0-1\" memory=\"1048576\" memAccess=\"shared\"/>"
                      "<cell id=\"1\" cpus=\"2,3\" memory=\"1048576\" memAccess=\"shared\"/></numa></cpu>");
    assert_normalised(&grammar_hugepages,
                      "<memoryBacking><access mode='shared'/><hugepages><page size='2048' unit='KiB' "
                      "nodeset='0-1'/></hugepages><source type='memfd'/><locked/></memoryBacking>",
                      "<memoryBacking><access mode=\"shared\"/><hugepages><page size=\"2048\" "
                      "unit=\"KiB\" nodeset=\"0-1\"/></hugepages><source type=\"memfd\"/><locked/>"
                      "</memoryBacking>");
}

static void the_full_cpu_grammar(void **state)
{
    (void) state;
    assert_normalised(&grammar_numa,
                      "<cpu mode='custom' match='exact' check='partial' migratable='on'>"
                      "<model fallback='forbid'>Skylake-Server</model><vendor>Intel</vendor>"
                      "<topology sockets='1' dies='1' cores='2' threads='2'/>"
                      "<feature policy='disable' name='vmx'/>"
                      "<numa><cell id='0' cpus='0-3,^2' memory='4' unit='GiB' memAccess='shared' discard='yes'>"
                      "<distances><sibling id='0' value='10'/><sibling id='1' value='21'/></distances>"
                      "</cell></numa></cpu>",
                      "<cpu mode=\"custom\" match=\"exact\" check=\"partial\" migratable=\"on\">"
                      "<model fallback=\"forbid\">Skylake-Server</model><vendor>Intel</vendor>"
                      "<topology sockets=\"1\" dies=\"1\" cores=\"2\" threads=\"2\"/>"
                      "<feature policy=\"disable\" name=\"vmx\"/>"
                      "<numa><cell id=\"0\" cpus=\"0-3,^2\" memory=\"4\" unit=\"GiB\" memAccess=\"shared\" "
                      "discard=\"yes\"><distances><sibling id=\"0\" value=\"10\"/><sibling id=\"1\" "
                      "value=\"21\"/></distances></cell></numa></cpu>");
}

static void shared_memory_is_required(void **state)
{
    (void) state;
    assert_refused(&grammar_numa, "<cpu><numa><cell id='0' cpus='0' memory='1'/></numa></cpu>",
                   ERR_INVALID_XML, "/cpu/numa/cell[1]: missing attribute 'memAccess'");
    assert_refused(&grammar_numa,
                   "<cpu><numa><cell id='0' cpus='0' memory='1' memAccess='shared'/>"
                   "<cell id='1' cpus='1' memory='1' memAccess='private'/></numa></cpu>",
                   ERR_INVALID_XML, "/cpu/numa/cell[2]: memAccess='private' is not allowed");
    assert_refused(&grammar_numa,
                   "<cpu><numa><cell id='0' cpus='0' memory='1' memAccess='Shared'/></numa></cpu>",
                   ERR_INVALID_XML, "memAccess='Shared'");
    assert_refused(&grammar_hugepages,
                   "<memoryBacking><hugepages/><access mode='private'/></memoryBacking>",
                   ERR_INVALID_XML, "/memoryBacking/access: mode='private' is not allowed");
}

static void names_are_case_sensitive(void **state)
{
    (void) state;
    assert_refused(&grammar_hugepages, "<memoryBacking><hugePages/></memoryBacking>",
                   ERR_FORBIDDEN_XML, "element <hugePages> is not allowed");
    assert_refused(&grammar_hugepages, "<MemoryBacking><hugepages/></MemoryBacking>",
                   ERR_FORBIDDEN_XML, "element <MemoryBacking> is not allowed");
    assert_refused(&grammar_numa,
                   "<cpu><numa><cell id='0' cpus='0' memory='1' memaccess='shared'/></numa></cpu>",
                   ERR_FORBIDDEN_XML, "attribute 'memaccess' is not allowed on <cell>");
}

static void refuses_what_is_outside_the_grammar(void **state)
{
    (void) state;
    const char *cell = "<cell id='0' cpus='0' memory='1' memAccess='shared'/>";
    char buf[512];

    assert_refused(&grammar_hugepages, "<devices/>", ERR_FORBIDDEN_XML,
                   "element <devices> is not allowed: this detail holds one <memoryBacking>");
    assert_refused(&grammar_hugepages,
                   "<memoryBacking><hugepages/><hostdev mode='subsystem'/></memoryBacking>",
                   ERR_FORBIDDEN_XML, "/memoryBacking: element <hostdev> is not allowed here; allowed: <hugepages>");
    assert_refused(&grammar_hugepages, "<memoryBacking><hugepages/></memoryBacking><disk/>",
                   ERR_FORBIDDEN_XML, "element <disk> is not allowed");
    assert_refused(&grammar_hugepages, "<memoryBacking><hugepages/></memoryBacking><qemu:commandline/>",
                   ERR_FORBIDDEN_XML, "element <qemu:commandline> is not allowed");
    assert_refused(&grammar_hugepages,
                   "<memoryBacking xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><hugepages/></memoryBacking>",
                   ERR_FORBIDDEN_XML, "namespace declarations");
    assert_refused(&grammar_hugepages,
                   "<memoryBacking xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><hugepages/>"
                   "<qemu:commandline><qemu:arg value='-x'/></qemu:commandline></memoryBacking>",
                   ERR_FORBIDDEN_XML, "/memoryBacking: element <qemu:commandline> is not allowed");
    assert_refused(&grammar_hugepages,
                   "<memoryBacking xmlns:xi='http://www.w3.org/2001/XInclude'><hugepages/>"
                   "<xi:include href='/etc/passwd' parse='text'/></memoryBacking>",
                   ERR_FORBIDDEN_XML, "/memoryBacking: element <xi:include> is not allowed");
    assert_refused(&grammar_hugepages, "<memoryBacking><hugepages/>text</memoryBacking>",
                   ERR_FORBIDDEN_XML, "text 'text' is not allowed");
    assert_refused(&grammar_hugepages, "<memoryBacking><?php x?><hugepages/></memoryBacking>",
                   ERR_FORBIDDEN_XML, "processing instruction <?php?>");
    snprintf(buf, sizeof buf, "<cpu><numa>%s</numa><devices/></cpu>", cell);
    assert_refused(&grammar_numa, buf, ERR_FORBIDDEN_XML, "/cpu: element <devices> is not allowed");
    snprintf(buf, sizeof buf, "<cpu><numa>%s</numa></cpu><cpu><numa>%s</numa></cpu>", cell, cell);
    assert_refused(&grammar_numa, buf, ERR_INVALID_XML, "at most 1 <cpu>");
    assert_refused(&grammar_numa, "<memoryBacking><hugepages/></memoryBacking>", ERR_FORBIDDEN_XML,
                   "this detail holds one <cpu>");
    assert_refused(&grammar_numa, "<cpu><numa/></cpu>", ERR_INVALID_XML, "/cpu/numa: missing <cell>");
    assert_refused(&grammar_numa, "<cpu mode='host-passthrough'/>", ERR_INVALID_XML, "/cpu: missing <numa>");
    assert_refused(&grammar_hugepages, "<memoryBacking/>", ERR_INVALID_XML, "missing <hugepages>");
}

static void values_are_checked(void **state)
{
    (void) state;
    static const struct {
        const char *cell_attrs, *part;
    } cases[] = {
        {"id='0' cpus='' memory='1'", "cpus=''"},
        {"id='0' cpus='a' memory='1'", "cpus='a'"},
        {"id='0' cpus='3-1' memory='1'", "cpus='3-1'"},
        {"id='0' cpus='0,,1' memory='1'", "cpus='0,,1'"},
        {"id='0' cpus='^1' memory='1'", "cpus='^1'"},
        {"id='0' cpus='4096' memory='1'", "cpus='4096'"},
        {"id='0' cpus='0 ' memory='1'", "cpus='0 '"},
        {"id='0' cpus='0' memory='0'", "memory='0'"},
        {"id='0' cpus='0' memory='-1'", "memory='-1'"},
        {"id='0' cpus='0' memory='1e9'", "memory='1e9'"},
        {"id='0' cpus='0' memory='99999999999999999999999'", "memory="},
        {"id='0' cpus='0' memory='1' unit='kib'", "unit='kib'"},
        {"id='128' cpus='0' memory='1'", "id='128'"},
        {"id='x' cpus='0' memory='1'", "id='x'"},
        {"cpus='0' memory='1'", "missing attribute 'id'"},
        {"id='0' memory='1'", "missing attribute 'cpus'"},
        {"id='0' cpus='0'", "missing attribute 'memory'"},
    };
    char buf[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(buf, sizeof buf, "<cpu><numa><cell %s memAccess='shared'/></numa></cpu>",
                 cases[i].cell_attrs);
        assert_refused(&grammar_numa, buf, ERR_INVALID_XML, cases[i].part);
    }
    assert_refused(&grammar_numa,
                   "<cpu><numa><cell id='0' cpus='0' memory='1' memAccess='shared'/>"
                   "<cell id='0' cpus='1' memory='1' memAccess='shared'/></numa></cpu>",
                   ERR_INVALID_XML, "two <cell> elements have id='0'");
    assert_refused(&grammar_numa,
                   "<cpu><model>Skylake Server</model><numa><cell id='0' cpus='0' memory='1' memAccess='shared'/></numa></cpu>",
                   ERR_INVALID_XML, "/cpu/model: the text 'Skylake Server'");
    assert_refused(&grammar_hugepages,
                   "<memoryBacking><hugepages><page size='2048' nodeset='200'/></hugepages></memoryBacking>",
                   ERR_INVALID_XML, "nodeset='200'");
}

static void interface_extras(void **state)
{
    (void) state;
    struct snippet *s = NULL;
    const char *xml = "<mtu size='9000'/> <driver queues='4' rx_queue_size='1024'><host csum='off'/></driver>";
    assert_ok(snippet_parse(&grammar_interface, xml, strlen(xml), "f", &s));
    assert_string_equal(s->xml, "<mtu size=\"9000\"/><driver queues=\"4\" rx_queue_size=\"1024\">"
                                "<host csum=\"off\"/></driver>");
    assert_int_equal(s->n_roots, 2);
    assert_string_equal(s->roots[0], "mtu");
    assert_string_equal(s->roots[1], "driver");
    snippet_free(s);

    assert_normalised(&grammar_interface, "<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>",
                      "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x05\" function=\"0x0\"/>");
    assert_refused(&grammar_interface, "<mtu size='9000'/><mtu size='1500'/>", ERR_INVALID_XML, "at most 1 <mtu>");
    assert_refused(&grammar_interface, "<mtu size='10'/>", ERR_INVALID_XML, "size='10'");
    assert_refused(&grammar_interface, "<source type='unix' path='/tmp/x' mode='server'/>",
                   ERR_FORBIDDEN_XML, "element <source> is not allowed");
    assert_refused(&grammar_interface, "<model type='e1000'/>", ERR_FORBIDDEN_XML, "element <model>");
    assert_refused(&grammar_interface, "<address type='pci' slot='0x20'/>", ERR_INVALID_XML, "slot='0x20'");
    assert_refused(&grammar_interface, "<address type='drive'/>", ERR_INVALID_XML, "type='drive'");
    assert_refused(&grammar_interface, "<!-- nothing -->", ERR_INVALID_XML, "holds no element");
}

static void not_well_formed(void **state)
{
    (void) state;
    assert_refused(&grammar_hugepages, "<memoryBacking><hugepages></memoryBacking>", ERR_INVALID_XML,
                   "not well-formed XML");
    assert_refused(&grammar_hugepages, "</memoryBacking><devices/>", ERR_INVALID_XML, "not well-formed XML");
    assert_refused(&grammar_hugepages, "<!DOCTYPE m [<!ENTITY x 'y'>]><memoryBacking/>", ERR_INVALID_XML,
                   "<!DOCTYPE> and <!ENTITY> declarations are not allowed");
    assert_refused(&grammar_hugepages, "<memoryBacking>&xxe;<hugepages/></memoryBacking>", ERR_INVALID_XML,
                   "Entity 'xxe' not defined");
    assert_refused(&grammar_hugepages, "<?xml version='1.0'?><memoryBacking><hugepages/></memoryBacking>",
                   ERR_INVALID_XML, "not well-formed XML");
    assert_refused(&grammar_hugepages, "<memoryBacking a='1' a='2'><hugepages/></memoryBacking>",
                   ERR_INVALID_XML, "redefined");
    assert_refused(&grammar_hugepages, "", ERR_INVALID_XML, "empty");
    assert_refused(&grammar_hugepages, " \n\t", ERR_INVALID_XML, "empty");
}

static void bounded_size_and_depth(void **state)
{
    (void) state;
    char *big = malloc(SNIPPET_MAX_SIZE + 64);
    strcpy(big, "<memoryBacking><hugepages/>");
    size_t n = strlen(big);
    while (n < SNIPPET_MAX_SIZE) {
        big[n++] = ' ';
    }
    strcpy(big + n, "</memoryBacking>");
    assert_refused(&grammar_hugepages, big, ERR_INVALID_XML, "at most 65536 are allowed");
    free(big);

    char deep[1024] = "";
    for (int i = 0; i < 17; i++) {
        strcat(deep, "<a>");
    }
    for (int i = 0; i < 17; i++) {
        strcat(deep, "</a>");
    }
    assert_refused(&grammar_hugepages, deep, ERR_INVALID_XML, "deeper than 16");
}

static void still_url_encoded(void **state)
{
    (void) state;
    assert_refused(&grammar_hugepages, "%3CmemoryBacking%3E%3Chugepages%2F%3E%3C%2FmemoryBacking%3E",
                   ERR_INVALID_ENCODING, "still URL-encoded");
    assert_refused(&grammar_hugepages, "memoryBacking", ERR_FORBIDDEN_XML, "text 'memoryBacking'");
}

/* 'xml' parses against 'g' and its element names are 'names' ('n' of them). */
static void assert_element_names(const struct grammar *g, const char *xml,
                                 const char *const *names, size_t n)
{
    struct snippet *s = NULL;
    assert_ok(snippet_parse(g, xml, strlen(xml), "f", &s));
    assert_int_equal(s->n_elements, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s->elements[i], names[i]);
    }
    snippet_free(s);
}

/* Every element name at any depth, sorted and each once: CloudStack's KVM
 * allow-list check matches each element of the value, not only the top
 * level. */
static void element_names_for_the_allow_list(void **state)
{
    (void) state;
    static const char *const numa[] = {"cell", "cpu", "distances", "numa", "sibling"};
    assert_element_names(&grammar_numa,
                         "<!-- c --><cpu mode='host-passthrough'><numa>"
                         "<cell id='0' cpus='0' memory='1048576' memAccess='shared'/>"
                         "<cell id='1' cpus='1' memory='1048576' memAccess='shared'>"
                         "<distances><sibling id='0' value='20'/></distances></cell></numa></cpu>",
                         numa, 5);
    static const char *const interface[] = {"driver", "guest", "host", "mtu"};
    assert_element_names(&grammar_interface,
                         "<mtu size='9000'/><driver queues='4'><host csum='off'/><guest csum='off'/></driver>",
                         interface, 4);
    static const char *const backing[] = {"access", "hugepages", "memoryBacking"};
    assert_element_names(&grammar_hugepages,
                         "<memoryBacking><hugepages/><access mode='shared'/></memoryBacking>", backing,
                         3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cloudstack_documented_snippets),
        cmocka_unit_test(normalises_quotes_order_whitespace_comments),
        cmocka_unit_test(the_full_cpu_grammar),
        cmocka_unit_test(shared_memory_is_required),
        cmocka_unit_test(names_are_case_sensitive),
        cmocka_unit_test(refuses_what_is_outside_the_grammar),
        cmocka_unit_test(values_are_checked),
        cmocka_unit_test(interface_extras),
        cmocka_unit_test(not_well_formed),
        cmocka_unit_test(bounded_size_and_depth),
        cmocka_unit_test(still_url_encoded),
        cmocka_unit_test(element_names_for_the_allow_list),
    };
    return cmocka_run_group_tests_name("snippet", tests, NULL, NULL);
}
