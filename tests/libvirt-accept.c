/* libvirt accepts what csdpdk renders: every positive golden case of
 * render (tests/golden/render/NAME.out ending in '--- exit 0') is defined
 * in libvirt's test:///default driver through the C API, once with
 * VIR_DOMAIN_DEFINE_VALIDATE (the RNG schema) and once without (libvirt's
 * own parser, which drops what it does not know), then read back with
 * virDomainGetXMLDesc: every element and attribute of each rendered
 * vhost-user interface must still be there with the same value, and the
 * NUMA cells must still share their memory. Prints TAP.
 *
 *   libvirt-accept DIR
 *
 * A case without a domain (interfaces only) is wrapped in a minimal domain
 * with the case's numa and hugepages. Control cases first: XML that libvirt
 * refuses or takes apart must fail both ways, so that the check can fail. */
#include <dirent.h>
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_run, n_failed;
static char why[4096];

static void silence(void *data, virErrorPtr error)
{
    (void) data;
    (void) error;
}

static void report(bool ok, const char *fmt, ...)
{
    va_list args;
    n_run++;
    n_failed += !ok;
    printf("%s %d - ", ok ? "ok" : "not ok", n_run);
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    printf("\n");
    if (!ok) {
        printf("#   %s\n", why);
    }
    fflush(stdout);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t) size + 1);
    size_t got = fread(buf, 1, (size_t) size, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* The value after "KEY: " on its line, or NULL. */
static char *line_value(const char *text, const char *key)
{
    size_t len = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, key, len) && p[len] == ':' && p[len + 1] == ' ') {
            const char *v = p + len + 2;
            return strndup(v, strcspn(v, "\n"));
        }
    }
    return NULL;
}

static bool is_element(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

/* Is every attribute and element of 'ours' in 'theirs' with the same
 * value? Same-named children are matched in order. */
static bool subset(const xmlNode *ours, const xmlNode *theirs, const char *path)
{
    for (const xmlAttr *a = ours->properties; a; a = a->next) {
        xmlChar *mine = xmlGetProp(ours, a->name);
        xmlChar *other = xmlGetProp(theirs, a->name);
        bool same = other && xmlStrEqual(mine, other);
        if (!same) {
            snprintf(why, sizeof why, "%s/@%s: rendered '%s', libvirt has '%s'", path,
                     (const char *) a->name, (const char *) mine,
                     other ? (const char *) other : "(nothing)");
        }
        xmlFree(mine);
        xmlFree(other);
        if (!same) {
            return false;
        }
    }
    for (const xmlNode *c = ours->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        int index = 0;
        for (const xmlNode *s = ours->children; s != c; s = s->next) {
            index += is_element(s, (const char *) c->name);
        }
        const xmlNode *match = NULL;
        for (const xmlNode *t = theirs->children; t && !match; t = t->next) {
            if (is_element(t, (const char *) c->name) && index-- == 0) {
                match = t;
            }
        }
        char sub[512];
        snprintf(sub, sizeof sub, "%s/%s", path, (const char *) c->name);
        if (!match) {
            snprintf(why, sizeof why, "%s: rendered, but libvirt dropped it", sub);
            return false;
        }
        if (!subset(c, match, sub) ) {
            return false;
        }
    }
    return true;
}

static xmlNodePtr child(const xmlNode *n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if (is_element(c, name)) {
            return c;
        }
    }
    return NULL;
}

static xmlNodePtr interface_by_mac(xmlNodePtr devices, const xmlChar *mac)
{
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        if (is_element(c, "interface")) {
            xmlChar *address = xmlGetProp(child(c, "mac"), BAD_CAST "address");
            bool same = address && !xmlStrcasecmp(address, mac);
            xmlFree(address);
            if (same) {
                return c;
            }
        }
    }
    return NULL;
}

/* Checks libvirt's read-back 'xml' against the rendered interfaces. */
static bool check_back(const char *xml, char **interfaces, int n_interfaces)
{
    xmlDocPtr back = xmlReadMemory(xml, (int) strlen(xml), NULL, NULL, XML_PARSE_NONET);
    xmlNodePtr devices = child(xmlDocGetRootElement(back), "devices");
    bool ok = true;

    for (int i = 0; i < n_interfaces && ok; i++) {
        xmlDocPtr mine = xmlReadMemory(interfaces[i], (int) strlen(interfaces[i]), NULL, NULL,
                                       XML_PARSE_NONET);
        xmlNodePtr iface = xmlDocGetRootElement(mine);
        xmlChar *mac = xmlGetProp(child(iface, "mac"), BAD_CAST "address");
        xmlNodePtr theirs = interface_by_mac(devices, mac);
        if (!theirs) {
            snprintf(why, sizeof why, "interface %s: libvirt dropped it", (const char *) mac);
            ok = false;
        } else {
            ok = subset(iface, theirs, "interface");
        }
        xmlFree(mac);
        xmlFreeDoc(mine);
    }

    /* The cells must still share their memory. */
    xmlNodePtr numa = child(child(xmlDocGetRootElement(back), "cpu"), "numa");
    for (xmlNodePtr c = numa ? numa->children : NULL; c && ok; c = c->next) {
        if (is_element(c, "cell")) {
            xmlChar *access = xmlGetProp(c, BAD_CAST "memAccess");
            if (!access || !xmlStrEqual(access, BAD_CAST "shared")) {
                snprintf(why, sizeof why, "a NUMA cell came back with memAccess='%s'",
                         access ? (const char *) access : "(none)");
                ok = false;
            }
            xmlFree(access);
        }
    }
    if (ok && !numa) {
        snprintf(why, sizeof why, "the domain came back without <numa>");
        ok = false;
    }
    if (ok && !child(xmlDocGetRootElement(back), "memoryBacking")) {
        snprintf(why, sizeof why, "the domain came back without <memoryBacking>");
        ok = false;
    }
    xmlFreeDoc(back);
    return ok;
}

/* Gives the domain a name and UUID of its own, so that cases never meet. */
static char *rename_domain(const char *xml, const char *name, int serial)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int) strlen(xml), NULL, NULL, XML_PARSE_NONET);
    if (!doc) {
        return NULL;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char uuid[64];
    snprintf(uuid, sizeof uuid, "22222222-3333-4444-8555-%012d", serial);
    xmlNodeSetContent(child(root, "name"), BAD_CAST name);
    if (child(root, "uuid")) {
        xmlNodeSetContent(child(root, "uuid"), BAD_CAST uuid);
    } else {
        xmlNewTextChild(root, NULL, BAD_CAST "uuid", BAD_CAST uuid);
    }
    xmlChar *out;
    int size;
    xmlDocDumpMemory(doc, &out, &size);
    char *s = strdup((const char *) out);
    xmlFree(out);
    xmlFreeDoc(doc);
    return s;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    unsigned flags;
    const char *what;
} ways[] = {{0, "libvirt's parser"}, {VIR_DOMAIN_DEFINE_VALIDATE, "the schema"}};

/* Defines 'domain' (renamed for this case and way), reads it back and
 * checks the interfaces; 'why' says what failed. */
static bool define_and_check(virConnectPtr conn, const char *domain, char **interfaces, int n,
                             unsigned flags, int serial, size_t way)
{
    char dom_name[256];
    snprintf(dom_name, sizeof dom_name, "accept-%d-%zu", serial, way);
    char *xml = rename_domain(domain, dom_name, serial * 2 + (int) way);
    virDomainPtr dom = xml ? virDomainDefineXMLFlags(conn, xml, flags) : NULL;
    bool ok = dom != NULL;
    if (!ok) {
        virErrorPtr e = virGetLastError();
        snprintf(why, sizeof why, "define: %s", e && e->message ? e->message : "not XML");
    } else {
        char *back = virDomainGetXMLDesc(dom, 0);
        ok = back && check_back(back, interfaces, n);
        free(back);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
    free(xml);
    return ok;
}

/* The smallest domain of the test driver around the details and the
 * interfaces (1 GiB, 16 vCPUs). */
static char *minimal_domain(const char *numa, const char *hugepages, char **interfaces, int n)
{
    size_t size = 4096 + strlen(numa) + strlen(hugepages);
    for (int i = 0; i < n; i++) {
        size += strlen(interfaces[i]);
    }
    char *domain = malloc(size);
    int len = snprintf(domain, size,
                       "<domain type='test'><name>x</name><uuid>x</uuid><memory unit='KiB'>1048576</memory>"
                       "<vcpu>16</vcpu><os><type>hvm</type></os>%s%s<devices>",
                       numa, hugepages);
    for (int i = 0; i < n; i++) {
        len += snprintf(domain + len, size - (size_t) len, "%s", interfaces[i]);
    }
    snprintf(domain + len, size - (size_t) len, "</devices></domain>");
    return domain;
}

/* Controls: XML that libvirt takes apart must fail here, both ways, or the
 * check above could not fail. */
static void controls(virConnectPtr conn)
{
    static const char cells[] =
        "<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB' memAccess='shared'/></numa></cpu>";
    static const struct {
        const char *what, *interface, *numa;
    } bad[] = {
        {"<reconnect> outside <source>",
         "<interface type='vhostuser'><mac address='02:00:4c:5f:00:09'/>"
         "<source type='unix' path='/run/x' mode='client'/><reconnect enabled='yes' timeout='1'/>"
         "<model type='virtio'/></interface>",
         cells},
        {"<target> with a misspelt attribute",
         "<interface type='vhostuser'><mac address='02:00:4c:5f:00:09'/>"
         "<source type='unix' path='/run/x' mode='client'/><target device='csdpdk-1'/>"
         "<model type='virtio'/></interface>",
         cells},
        {"a private NUMA cell",
         "<interface type='vhostuser'><mac address='02:00:4c:5f:00:09'/>"
         "<source type='unix' path='/run/x' mode='client'/><model type='virtio'/></interface>",
         "<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB' memAccess='private'/></numa></cpu>"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *interfaces[] = {(char *) bad[i].interface};
        char *domain = minimal_domain(bad[i].numa, "<memoryBacking><hugepages/></memoryBacking>",
                                      interfaces, 1);
        for (size_t w = 0; w < ARRAY_SIZE(ways); w++) {
            bool caught = !define_and_check(conn, domain, interfaces, 1, ways[w].flags,
                                            9000 + (int) i, w);
            why[strcspn(why, "\n")] = '\0'; /* libvirt's schema errors run over lines */
            report(caught, "control: %s fails through %s (%s)", bad[i].what, ways[w].what,
                   caught ? why : "not caught");
        }
        free(domain);
    }
}

static void one_case(virConnectPtr conn, const char *dir, const char *name, int serial)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.out", dir, name);
    char *text = read_file(path);
    if (!text || !strstr(text, "--- exit 0\n")) {
        free(text);
        return; /* a negative case */
    }

    char *interfaces[64];
    int n = 0;
    for (const char *p = text; (p = strstr(p, "\ninterface: ")) && n < 64; p++) {
        const char *v = p + strlen("\ninterface: ");
        interfaces[n++] = strndup(v, strcspn(v, "\n"));
    }
    char *numa = line_value(text, "numa");
    char *hugepages = line_value(text, "hugepages");
    if (!numa || !hugepages || n == 0) {
        snprintf(why, sizeof why, "no 'numa:', 'hugepages:' or 'interface:' line: not a render case");
        report(false, "render/%s: a positive case", name);
        for (int i = 0; i < n; i++) {
            free(interfaces[i]);
        }
        free(numa);
        free(hugepages);
        free(text);
        return;
    }
    char *domain = NULL;
    const char *d = strstr(text, "\ndomain:\n");
    if (d) {
        d += strlen("\ndomain:\n");
        const char *end = strstr(d, "</domain>");
        domain = strndup(d, end ? (size_t) (end - d) + strlen("</domain>") : strlen(d));
    } else {
        domain = minimal_domain(numa, hugepages, interfaces, n);
    }

    for (size_t w = 0; w < ARRAY_SIZE(ways); w++) {
        bool ok = define_and_check(conn, domain, interfaces, n, ways[w].flags, serial, w);
        report(ok, "render/%s: defined through %s, the vhost-user interfaces read back unchanged",
               name, ways[w].what);
    }

    for (int i = 0; i < n; i++) {
        free(interfaces[i]);
    }
    free(numa);
    free(hugepages);
    free(domain);
    free(text);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: libvirt-accept DIR\n");
        return 64;
    }
    virSetErrorFunc(NULL, silence);
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn) {
        printf("not ok 1 - cannot open test:///default\n1..1\n");
        return 1;
    }
    controls(conn);
    int n_controls = n_run;

    struct dirent **entries;
    int n = scandir(argv[1], &entries, NULL, by_name);
    if (n < 0) {
        snprintf(why, sizeof why, "scandir: %s", strerror(errno));
        report(false, "cannot read %s", argv[1]);
        entries = NULL;
    }
    for (int i = 0; i < n; i++) {
        const char *f = entries[i]->d_name;
        size_t len = strlen(f);
        if (len > 4 && !strcmp(f + len - 4, ".out")) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int) (len - 4), f);
            one_case(conn, argv[1], name, i);
        }
        free(entries[i]);
    }
    free(entries);
    if (n >= 0 && n_run == n_controls) {
        snprintf(why, sizeof why, "no NAME.out there ends in '--- exit 0'");
        report(false, "%s holds no positive case", argv[1]);
    }
    virConnectClose(conn);
    printf("1..%d\n", n_run);
    return n_failed ? 1 : 0;
}
