#include "helper/numa.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <strings.h>

#include "helper/domxml.h"
#include "helper/mem.h"
#include "helper/xml.h"

/* ---- sets ---- */

void cpuset_clear(struct cpuset *s)
{
    free(s->w);
    *s = (struct cpuset){0};
}

void cpuset_add(struct cpuset *s, unsigned i)
{
    size_t word = i / 64;
    if (word >= s->n) {
        s->w = mem_realloc(s->w, (word + 1) * sizeof *s->w);
        memset(s->w + s->n, 0, (word + 1 - s->n) * sizeof *s->w);
        s->n = word + 1;
    }
    s->w[word] |= UINT64_C(1) << (i % 64);
}

static void cpuset_remove(struct cpuset *s, unsigned i)
{
    if (i / 64 < s->n) {
        s->w[i / 64] &= ~(UINT64_C(1) << (i % 64));
    }
}

bool cpuset_has(const struct cpuset *s, unsigned i)
{
    return i / 64 < s->n && (s->w[i / 64] >> (i % 64)) & 1;
}

size_t cpuset_count(const struct cpuset *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        n += (size_t) __builtin_popcountll(s->w[i]);
    }
    return n;
}

void cpuset_union(struct cpuset *to, const struct cpuset *from)
{
    for (int i = cpuset_next(from, 0); i >= 0; i = cpuset_next(from, (unsigned) i + 1)) {
        cpuset_add(to, (unsigned) i);
    }
}

int cpuset_next(const struct cpuset *s, unsigned from)
{
    for (size_t word = from / 64; word < s->n; word++) {
        uint64_t bits = s->w[word];
        if (word == from / 64) {
            bits &= ~UINT64_C(0) << (from % 64);
        }
        if (bits) {
            return (int) (word * 64 + (size_t) __builtin_ctzll(bits));
        }
    }
    return -1;
}

/* CPU numbers above this are not a list but a typo. */
#define CPUSET_MAX 65535

static bool parse_uint(const char **p, unsigned *v)
{
    if (!isdigit((unsigned char) **p)) {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long n = strtoul(*p, &end, 10);
    if (errno || n > CPUSET_MAX) {
        return false;
    }
    *v = (unsigned) n;
    *p = end;
    return true;
}

/* White space where libvirt's virBitmapParse skips it. */
static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t') {
        (*p)++;
    }
}

bool cpuset_parse_list(const char *s, struct cpuset *out)
{
    struct cpuset set = {0};
    const char *p = s;
    skip_spaces(&p);
    if (p != s && (!*p || *p == '\n')) {
        goto bad; /* white space alone is no list (an empty one is sysfs's) */
    }
    while (*p && *p != '\n') {
        bool exclude = *p == '^';
        p += exclude;
        unsigned lo, hi;
        if (!parse_uint(&p, &lo)) {
            goto bad;
        }
        hi = lo;
        skip_spaces(&p);
        if (*p == '-') {
            p++;
            skip_spaces(&p);
            if (exclude || !parse_uint(&p, &hi) || hi < lo) {
                goto bad;
            }
            skip_spaces(&p);
        }
        /* In order, as libvirt applies them: "^1,0-1" is 0-1. */
        for (unsigned i = lo; i <= hi; i++) {
            if (exclude) {
                cpuset_remove(&set, i);
            } else {
                cpuset_add(&set, i);
            }
        }
        if (*p == ',') {
            p++; /* a trailing one too, as libvirt takes it */
            skip_spaces(&p);
        } else if (*p && *p != '\n') {
            goto bad;
        }
    }
    *out = set;
    return true;
bad:
    cpuset_clear(&set);
    *out = (struct cpuset){0};
    return false;
}

bool cpuset_parse_mask(const char *s, struct cpuset *out)
{
    struct cpuset set = {0};
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    size_t len = strlen(s);
    if (len > CPUSET_MAX / 4) {
        len = 0;
    }
    if (!len) {
        *out = set;
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        char c = s[len - 1 - i];
        if (!isxdigit((unsigned char) c)) {
            ok = false; /* read as 0, as OVS does (ovs_numa_dump_cores_with_cmask) */
            continue;
        }
        unsigned v = (unsigned) (isdigit((unsigned char) c) ? c - '0' : tolower((unsigned char) c) - 'a' + 10);
        for (unsigned b = 0; b < 4; b++) {
            if (v >> b & 1) {
                cpuset_add(&set, (unsigned) (i * 4 + b));
            }
        }
    }
    *out = set;
    return ok;
}

char *cpuset_text(const struct cpuset *s)
{
    char *text = mem_strdup("");
    for (int i = cpuset_next(s, 0); i >= 0;) {
        int j = i;
        while (cpuset_has(s, (unsigned) j + 1)) {
            j++;
        }
        char *more = j == i ? mem_asprintf("%s%s%d", text, *text ? "," : "", i)
                            : mem_asprintf("%s%s%d-%d", text, *text ? "," : "", i, j);
        free(text);
        text = more;
        i = cpuset_next(s, (unsigned) j + 1);
    }
    return text;
}

json_t *cpuset_json(const struct cpuset *s)
{
    json_t *a = json_array();
    for (int i = cpuset_next(s, 0); i >= 0; i = cpuset_next(s, (unsigned) i + 1)) {
        json_array_append_new(a, json_integer(i));
    }
    return a;
}

/* ---- pmd-rxq-show ---- */

void pmd_show_clear(struct pmd_show *s)
{
    for (size_t i = 0; i < s->n_rxqs; i++) {
        free(s->rxqs[i].port);
    }
    free(s->rxqs);
    free(s->pmds);
    *s = (struct pmd_show){0};
}

/* OVS 3.1 (lib/dpif-netdev.c pmd_info_show_rxq):
 *   pmd thread numa_id 0 core_id 1:
 *     isolated : false
 *     port: vhu1              queue-id:  0 (enabled)   pmd usage:  0 %
 *     overhead:  0 %
 * with a first line "Displaying last 60 seconds pmd usage %". */
bool pmd_show_parse(const char *text, struct pmd_show *out)
{
    struct pmd_show s = {0};
    size_t n_pmds_alloc = 0, n_rxqs_alloc = 0;
    const char *line = text;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t) (eol - line) : strlen(line);
        _cleanup_free_ char *l = mem_strndup(line, len);
        line = eol ? eol + 1 : NULL;

        int node, core, queue, used = 0;
        char port[256], state[16];
        const char *t = l;
        while (*t == ' ') {
            t++;
        }
        if (sscanf(t, "pmd thread numa_id %d core_id %d:%n", &node, &core, &used) == 2 && used &&
            node >= 0 && node <= CPUSET_MAX && core >= 0 && core <= CPUSET_MAX) {
            mem_grow((void **) &s.pmds, &n_pmds_alloc, s.n_pmds + 1, sizeof *s.pmds);
            s.pmds[s.n_pmds++] = (struct pmd_thread){.core = core, .node = node};
        } else if (str_has_prefix(t, "isolated :") && s.n_pmds) {
            s.pmds[s.n_pmds - 1].isolated = strstr(t, "true") != NULL;
        } else if (sscanf(t, "port: %255s queue-id: %d (%15[a-z])", port, &queue, state) == 3 &&
                   s.n_pmds) {
            mem_grow((void **) &s.rxqs, &n_rxqs_alloc, s.n_rxqs + 1, sizeof *s.rxqs);
            s.rxqs[s.n_rxqs++] = (struct pmd_rxq){
                .port = mem_strdup(port),
                .queue = queue,
                .enabled = streq(state, "enabled"),
                .core = s.pmds[s.n_pmds - 1].core,
                .node = s.pmds[s.n_pmds - 1].node,
            };
        } else if (*t && !str_has_prefix(t, "Displaying ") && !str_has_prefix(t, "overhead:")) {
            pmd_show_clear(&s);
            *out = s;
            return false;
        }
    }
    *out = s;
    return true;
}

json_t *numa_port_polling(const struct pmd_show *live, const char *name, const char *numa,
                          int queues, int *cross, int *unpolled)
{
    json_t *rxqs = json_array();
    char *end = NULL;
    long node = numa ? strtol(numa, &end, 10) : -1;
    bool node_known = numa && end != numa && !*end && node >= 0;
    int n_queues = queues > 0 ? queues : 1;
    *cross = -1;
    *unpolled = -1;
    if (!live) {
        return rxqs;
    }
    for (size_t i = 0; queues <= 0 && i < live->n_rxqs; i++) {
        /* Not connected yet: the queues OVS has for it. */
        if (streq(live->rxqs[i].port, name) && live->rxqs[i].queue >= n_queues) {
            n_queues = live->rxqs[i].queue + 1;
        }
    }
    *unpolled = 0;
    for (int q = 0; q < n_queues; q++) {
        const struct pmd_rxq *r = NULL;
        for (size_t i = 0; i < live->n_rxqs && !r; i++) {
            r = streq(live->rxqs[i].port, name) && live->rxqs[i].queue == q ? &live->rxqs[i] : NULL;
        }
        if (!r) {
            *unpolled = 1;
            json_array_append_new(rxqs, json_pack("{s:i, s:n, s:n, s:n}", "queue", q, "enabled",
                                                  "pmd_core", "pmd_numa"));
            continue;
        }
        if (node_known) {
            *cross = *cross == 1 || r->node != node;
        }
        json_array_append_new(rxqs, json_pack("{s:i, s:b, s:i, s:i}", "queue", q, "enabled",
                                              r->enabled, "pmd_core", r->core, "pmd_numa", r->node));
    }
    return rxqs;
}

/* ---- the host ---- */

void numa_host_clear(struct numa_host *h)
{
    for (size_t i = 0; i < h->n; i++) {
        struct numa_node *n = &h->nodes[i];
        cpuset_clear(&n->cpus);
        cpuset_clear(&n->ovs_cpus);
        cpuset_clear(&n->pmds);
        cpuset_clear(&n->isolated);
        for (size_t k = 0; k < n->n_phys; k++) {
            free(n->phys[k]);
        }
        free(n->phys);
    }
    free(h->nodes);
    free(h->pmd_cpu_mask);
    free(h->socket_mem);
    free(h->socket_limit);
    *h = (struct numa_host){0};
}

static struct numa_node *node_get(struct numa_host *h, int id)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->nodes[i].id == id) {
            return &h->nodes[i];
        }
    }
    if (id < 0 || id > CPUSET_MAX) {
        return NULL;
    }
    size_t at = 0;
    while (at < h->n && h->nodes[at].id < id) {
        at++;
    }
    h->nodes = mem_realloc(h->nodes, (h->n + 1) * sizeof *h->nodes);
    memmove(h->nodes + at + 1, h->nodes + at, (h->n - at) * sizeof *h->nodes);
    h->nodes[at] = (struct numa_node){.id = id, .socket_mem_mb = -1, .socket_limit_mb = -1, .first_cpu = -1};
    h->n++;
    return &h->nodes[at];
}

static const struct numa_node *node_find(const struct numa_host *h, int id)
{
    for (size_t i = 0; i < h->n; i++) {
        if (h->nodes[i].id == id) {
            return &h->nodes[i];
        }
    }
    return NULL;
}

/* The node of 'cpu' by the nodes' CPU lists, or -1. */
static int cpu_node(const struct numa_host *h, unsigned cpu)
{
    for (size_t i = 0; i < h->n; i++) {
        if (cpuset_has(&h->nodes[i].cpus, cpu)) {
            return h->nodes[i].id;
        }
    }
    return -1;
}

/* Entry 'index' of a comma list of MiB ("1024,0"): a missing entry is 0,
 * as OVS reads it (vswitchd/vswitch.xml); -1 if 'list' is NULL or not a
 * list of numbers. */
static int64_t list_entry(const char *list, size_t index)
{
    if (!list) {
        return -1;
    }
    const char *p = list;
    for (size_t i = 0;; i++) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 0 || (*end && *end != ',')) {
            return -1;
        }
        if (i == index) {
            return v;
        }
        if (!*end) {
            return 0;
        }
        p = end + 1;
    }
}

/* A whole token as OVS's str_to_int() reads it: strtol in any base it
 * knows, nothing left over, within an int. */
static bool token_int(const char *s, size_t len, long *out)
{
    if (!len) {
        return false;
    }
    _cleanup_free_ char *buf = mem_strndup(s, len);
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 0);
    if (errno || end == buf || *end || v < INT_MIN || v > INT_MAX) {
        return false;
    }
    *out = v;
    return true;
}

/* The cores that pmd-rxq-affinity ("0:3,1:7") pins queues to, read as OVS
 * 3.1 reads it (parse_affinity_list with ofputil_parse_key_value: pairs
 * QUEUE:CORE, QUEUE=CORE or QUEUE(CORE) between commas or white space,
 * each number a whole token in any base strtol knows, none negative; a
 * queue named twice is pinned to the last core given); a list OVS refuses
 * pins nothing (OVS keeps the pins it had, which a restart of it drops),
 * nor does a pair for a queue the port does not have ('rxqs' of them; 0:
 * any), and a core past CPUSET_MAX (no such core here) isolates nothing. */
static void affinity_cores(const char *affinity, int rxqs, struct cpuset *cores)
{
    static const char delims[] = ", \t\r\n";
    struct pin {
        long queue, core;
    } *pins = NULL;
    size_t n_pins = 0;
    const char *p = affinity;
    for (;;) {
        p += strspn(p, delims);
        if (!*p) {
            break;
        }
        size_t key_len = strcspn(p, ":=(, \t\r\n");
        const char *value = p + key_len;
        size_t value_len = 0, skip = 0;
        if (*value == ':' || *value == '=') {
            value++;
            value_len = strcspn(value, delims);
        } else if (*value == '(') {
            /* Up to the matching ')', or the end (ofputil_parse_key_value
             * with parse_value's nesting). */
            value++;
            int depth = 1;
            while (value[value_len] && depth) {
                depth += value[value_len] == '(' ? 1 : value[value_len] == ')' ? -1 : 0;
                value_len += depth > 0;
            }
            skip = !depth;
        }
        long queue, core;
        if (!token_int(p, key_len, &queue) || queue < 0 || !token_int(value, value_len, &core) || core < 0) {
            goto refused;
        }
        if (rxqs <= 0 || queue < rxqs) {
            size_t k = 0;
            while (k < n_pins && pins[k].queue != queue) {
                k++;
            }
            if (k == n_pins) {
                pins = mem_realloc(pins, ++n_pins * sizeof *pins);
            }
            pins[k] = (struct pin){queue, core};
        }
        p = value + value_len + skip;
    }
    for (size_t k = 0; k < n_pins; k++) {
        if (pins[k].core <= CPUSET_MAX) {
            cpuset_add(cores, (unsigned) pins[k].core);
        }
    }
refused:
    free(pins);
}

/* Where DPDK's socket lists come from, as messages name them. */
static const struct numa_list_source
    mem_db = {"dpdk-socket-mem", "other_config:dpdk-socket-mem"},
    mem_extra = {"dpdk-extra's --socket-mem", "the --socket-mem of other_config:dpdk-extra"},
    mem_both = {"dpdk-extra's --socket-mem overridden by dpdk-socket-mem",
                "other_config:dpdk-socket-mem (or the --socket-mem of other_config:dpdk-extra, for entries past its end)"},
    limit_db = {"dpdk-socket-limit", "other_config:dpdk-socket-limit"},
    limit_extra = {"dpdk-extra's --socket-limit", "the --socket-limit of other_config:dpdk-extra"},
    limit_both = {"dpdk-extra's --socket-limit overridden by dpdk-socket-limit",
                  "other_config:dpdk-socket-limit (or the --socket-limit of other_config:dpdk-extra, for entries past its end)"};

/* A socket list from 'src': DPDK (eal_parse_socket_arg) sets the entries
 * a list has and keeps an earlier list's past its end ("1024,1024" then
 * "2048" is "2048,1024"); '*from' becomes 'src', or 'both' when the
 * earlier list came from elsewhere. */
static void set_option(char **value, const struct numa_list_source **from, const char *v,
                       const struct numa_list_source *src, const struct numa_list_source *both)
{
    size_t given = 1;
    for (const char *c = v; *c; c++) {
        given += *c == ',';
    }
    const char *rest = *value;
    for (size_t i = 0; rest && i < given; i++) {
        rest = strchr(rest, ',');
        rest = rest ? rest + 1 : NULL;
    }
    char *merged = rest ? mem_asprintf("%s,%s", v, rest) : mem_strdup(v);
    *from = rest && *from && *from != src ? both : src;
    free(*value);
    *value = merged;
}

/* DPDK's memory options as OVS 3.1 hands them to DPDK (lib/dpdk.c): the
 * words of dpdk-extra (split as svec_parse_words does: blanks, quotes,
 * backslashes), then other_config:dpdk-socket-mem (unless empty) and
 * dpdk-socket-limit, each unless dpdk-extra has that option as a word of
 * its own ("--socket-mem 1024,0": OVS then ignores the setting); a list
 * given again overrides entry by entry (set_option). Sets h's legacy_mem (a word --legacy-mem),
 * socket_mem, socket_limit and where each comes from. */
static void dpdk_memory_options(const char *extra, const char *socket_mem, const char *socket_limit,
                                struct numa_host *h)
{
    bool mem_word = false, limit_word = false;
    const char *p = extra ? extra : "";
    char *prev = NULL;
    for (;;) {
        while (isspace((unsigned char) *p)) {
            p++;
        }
        if (!*p) {
            break;
        }
        char *word = mem_new0(char, strlen(p) + 1), *w = word;
        int quote = 0;
        for (; *p; p++) {
            if (*p == quote) {
                quote = 0;
            } else if (*p == '\'' || *p == '"') { /* as OVS: even inside the other quotes */
                quote = *p;
            } else if (*p == '\\' && quote != '\'') {
                if (!*++p) {
                    break;
                }
                *w++ = *p;
            } else if (!quote && isspace((unsigned char) *p)) {
                break;
            } else {
                *w++ = *p;
            }
        }
        if (streq(word, "--legacy-mem")) {
            h->legacy_mem = true;
        } else if (streq(word, "--socket-mem")) {
            mem_word = true;
        } else if (streq(word, "--socket-limit")) {
            limit_word = true;
        } else if (str_has_prefix(word, "--socket-mem=")) {
            set_option(&h->socket_mem, &h->socket_mem_from, word + strlen("--socket-mem="), &mem_extra, &mem_both);
        } else if (str_has_prefix(word, "--socket-limit=")) {
            set_option(&h->socket_limit, &h->socket_limit_from, word + strlen("--socket-limit="), &limit_extra,
                       &limit_both);
        } else if (prev && streq(prev, "--socket-mem")) {
            set_option(&h->socket_mem, &h->socket_mem_from, word, &mem_extra, &mem_both);
        } else if (prev && streq(prev, "--socket-limit")) {
            set_option(&h->socket_limit, &h->socket_limit_from, word, &limit_extra, &limit_both);
        }
        free(prev);
        prev = word;
    }
    free(prev);
    if (!mem_word && socket_mem && *socket_mem) {
        set_option(&h->socket_mem, &h->socket_mem_from, socket_mem, &mem_db, &mem_both);
    }
    if (!limit_word && socket_limit) {
        set_option(&h->socket_limit, &h->socket_limit_from, socket_limit, &limit_db, &limit_both);
    }
}

static bool known_cpus(const struct numa_host *h)
{
    for (size_t i = 0; i < h->n; i++) {
        if (cpuset_count(&h->nodes[i].cpus)) {
            return true;
        }
    }
    return false;
}

/* A setting as messages show it. */
static const char *shown(const char *setting)
{
    return setting && *setting ? setting : "unset";
}

/* As OVS reads a boolean of other_config with false as the default
 * (smap_get_bool): "true" in any case. */
static bool is_true(const char *s)
{
    return s && !strcasecmp(s, "true");
}

void numa_host_build(const struct numa_sysfs_node *sys, size_t n_sys,
                     const struct numa_ovs_config *ovs, const struct pmd_show *live,
                     struct numa_host *out)
{
    struct numa_host h = {0};
    for (size_t i = 0; i < n_sys; i++) {
        struct numa_node *n = node_get(&h, sys[i].id);
        if (!n) {
            continue;
        }
        if (sys[i].cpulist && !cpuset_parse_list(sys[i].cpulist, &n->cpus)) {
            cpuset_clear(&n->cpus);
        }
        n->ovs_cpus_known = sys[i].ovs_cpulist && cpuset_parse_list(sys[i].ovs_cpulist, &n->ovs_cpus);
        if (!n->ovs_cpus_known) {
            cpuset_clear(&n->ovs_cpus);
        }
        if (sys[i].first_cpu_known && cpuset_has(&n->cpus, sys[i].first_cpu)) {
            n->first_cpu = (int) sys[i].first_cpu;
        }
        n->hugepages_known = sys[i].hugepages_known;
        n->hugepages_free_kib = sys[i].hugepages_free_kib;
    }
    if (live && live->n_pmds) {
        h.pmd_source = "ovs-vswitchd";
        for (size_t i = 0; i < live->n_pmds; i++) {
            struct numa_node *n = node_get(&h, live->pmds[i].node);
            if (n) {
                cpuset_add(live->pmds[i].isolated ? &n->isolated : &n->pmds,
                           (unsigned) live->pmds[i].core);
            }
        }
    }
    if (ovs) {
        h.ovs_known = true;
        h.pmd_cpu_mask = ovs->pmd_cpu_mask ? mem_strdup(ovs->pmd_cpu_mask) : NULL;
        dpdk_memory_options(ovs->dpdk_extra, ovs->socket_mem, ovs->socket_limit, &h);
        h.per_port_memory = is_true(ovs->per_port_memory);
        for (size_t i = 0; i < ovs->n_phys; i++) {
            struct numa_node *n = node_get(&h, ovs->phys_nodes[i] >= 0 ? ovs->phys_nodes[i] : 0);
            if (n) {
                n->phys = mem_realloc(n->phys, (n->n_phys + 1) * sizeof *n->phys);
                n->phys[n->n_phys++] = mem_strdup(ovs->phys_ports[i]);
            }
        }
        for (size_t i = 0; i < h.n; i++) {
            struct numa_node *n = &h.nodes[i];
            n->socket_mem_mb = list_entry(h.socket_mem, (size_t) n->id);
            n->socket_limit_mb = list_entry(h.socket_limit, (size_t) n->id);
            /* Legacy mode cannot grow: only what socket-mem preallocated. */
            n->no_dpdk_memory = h.legacy_mem && h.socket_mem && n->socket_mem_mb <= 0;
        }
        /* A PMD a queue is pinned to (pmd-rxq-affinity) polls nothing else,
         * unless pmd-rxq-isolate=false (any case, as OVS reads a boolean),
         * which OVS honours only with pmd-rxq-assign=group. */
        struct cpuset pinned = {0};
        bool isolate = !(ovs->pmd_rxq_isolate && !strcasecmp(ovs->pmd_rxq_isolate, "false") &&
                         ovs->pmd_rxq_assign && streq(ovs->pmd_rxq_assign, "group"));
        for (size_t i = 0; i < ovs->n_affinities; i++) {
            affinity_cores(ovs->affinities[i], ovs->affinity_rxqs ? ovs->affinity_rxqs[i] : 0, &pinned);
        }
        if (!h.pmd_source && (!ovs->pmd_cpu_mask || !*ovs->pmd_cpu_mask)) {
            /* OVS starts one PMD on each node, on the first CPU it lists
             * for the node (sysfs's order; the lowest when not known; none
             * when it counts no CPU there). */
            h.pmd_source = "default";
            for (size_t i = 0; i < h.n; i++) {
                const struct numa_node *n = &h.nodes[i];
                int first = n->first_cpu >= 0 ? n->first_cpu
                                              : n->ovs_cpus_known ? cpuset_next(&n->ovs_cpus, 0)
                                                                  : cpuset_next(&n->cpus, 0);
                if (first >= 0) {
                    cpuset_add(isolate && cpuset_has(&pinned, (unsigned) first) ? &h.nodes[i].isolated
                                                                                 : &h.nodes[i].pmds,
                               (unsigned) first);
                }
            }
        } else if (!h.pmd_source && known_cpus(&h)) {
            /* Without the nodes' CPUs (sysfs unread) the mask says nothing
             * of nodes: PMDs unknown. */
            struct cpuset mask = {0};
            h.pmd_source = "pmd-cpu-mask";
            (void) cpuset_parse_mask(ovs->pmd_cpu_mask, &mask); /* a bad digit is 0, as for OVS */
            for (int c = cpuset_next(&mask, 0); c >= 0; c = cpuset_next(&mask, (unsigned) c + 1)) {
                int node = cpu_node(&h, (unsigned) c);
                struct numa_node *n = node >= 0 ? node_get(&h, node) : NULL;
                /* A CPU OVS does not count (offline: no topology) gets no
                 * PMD (ovs_numa_dump_cores_with_cmask skips it). */
                if (n && (!n->ovs_cpus_known || cpuset_has(&n->ovs_cpus, (unsigned) c))) {
                    cpuset_add(isolate && cpuset_has(&pinned, (unsigned) c) ? &n->isolated : &n->pmds,
                               (unsigned) c);
                }
            }
            cpuset_clear(&mask);
        }
        cpuset_clear(&pinned);
    }
    *out = h;
}

json_t *numa_host_json(const struct numa_host *h)
{
    json_t *a = json_array();
    for (size_t i = 0; i < h->n; i++) {
        const struct numa_node *n = &h->nodes[i];
        json_t *phys = json_array();
        for (size_t k = 0; k < n->n_phys; k++) {
            json_array_append_new(phys, json_string(n->phys[k]));
        }
        /* Not known without OVS's configuration: null, as pmd_cores. */
        json_t *memory = h->ovs_known
                             ? json_pack("{s:o, s:o, s:b}", "socket_mem_mb",
                                         n->socket_mem_mb >= 0 ? json_integer(n->socket_mem_mb) : json_null(),
                                         "socket_limit_mb",
                                         n->socket_limit_mb > 0 ? json_integer(n->socket_limit_mb) : json_null(),
                                         "allocatable", !n->no_dpdk_memory)
                             : json_null();
        json_array_append_new(
            a, json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o}",
                         "node", n->id,
                         "cpus", cpuset_json(&n->cpus),
                         "hugepages_free_kib", n->hugepages_known
                                                   ? json_integer((json_int_t) n->hugepages_free_kib)
                                                   : json_null(),
                         "pmd_cores", h->pmd_source ? cpuset_json(&n->pmds) : json_null(),
                         "isolated_pmd_cores", h->pmd_source ? cpuset_json(&n->isolated) : json_null(),
                         "dpdk_memory", memory,
                         "physical_ports", phys));
    }
    return a;
}

static bool int_array(const json_t *a, struct cpuset *out)
{
    size_t i;
    const json_t *v;
    if (!json_is_array(a)) {
        return json_is_null(a);
    }
    json_array_foreach(a, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > CPUSET_MAX) {
            return false;
        }
        cpuset_add(out, (unsigned) json_integer_value(v));
    }
    return true;
}

static char *config_string(const json_t *other_config, const char *key)
{
    const char *v = json_string_value(json_object_get(other_config, key));
    return v ? mem_strdup(v) : NULL;
}

struct err *numa_host_from_json(const json_t *j, const json_t *other_config, const char *field,
                                struct numa_host *out)
{
    if (!json_is_array(j)) {
        return err_new(ERR_INVALID_REQUEST, field, "%s must be an array of NUMA nodes", field);
    }
    struct numa_host h = {
        .pmd_cpu_mask = config_string(other_config, "pmd-cpu-mask"),
        .per_port_memory = is_true(json_string_value(json_object_get(other_config, "per-port-memory"))),
    };
    dpdk_memory_options(json_string_value(json_object_get(other_config, "dpdk-extra")),
                        json_string_value(json_object_get(other_config, "dpdk-socket-mem")),
                        json_string_value(json_object_get(other_config, "dpdk-socket-limit")), &h);
    size_t i;
    const json_t *o;
    json_array_foreach(j, i, o) {
        const json_t *id = json_object_get(o, "node");
        const json_t *mem = json_object_get(o, "dpdk_memory");
        const json_t *free_kib = json_object_get(o, "hugepages_free_kib");
        const json_t *pmds = json_object_get(o, "pmd_cores");
        struct numa_node *n = json_is_integer(id) ? node_get(&h, (int) json_integer_value(id)) : NULL;
        if (!n || !int_array(json_object_get(o, "cpus"), &n->cpus) ||
            !int_array(pmds, &n->pmds) ||
            !int_array(json_object_get(o, "isolated_pmd_cores"), &n->isolated)) {
            numa_host_clear(&h);
            return err_new(ERR_INVALID_REQUEST, field, "%s[%zu] is not a NUMA node as capabilities reports it",
                           field, i);
        }
        if (json_is_array(pmds)) {
            h.pmd_source = "report";
        }
        if (json_is_integer(free_kib)) {
            n->hugepages_known = true;
            n->hugepages_free_kib = (uint64_t) json_integer_value(free_kib);
        }
        if (json_is_object(mem)) {
            h.ovs_known = true;
            const json_t *limit = json_object_get(mem, "socket_limit_mb");
            n->socket_limit_mb = json_is_integer(limit) ? json_integer_value(limit) : -1;
            const json_t *socket_mem = json_object_get(mem, "socket_mem_mb");
            n->socket_mem_mb = json_is_integer(socket_mem) ? json_integer_value(socket_mem) : -1;
            /* False: legacy mode with nothing preallocated there. */
            n->no_dpdk_memory = json_is_false(json_object_get(mem, "allocatable"));
        }
    }
    *out = h;
    return NULL;
}

struct err *numa_host_from_report(const json_t *report, const char *field, struct numa_host *out)
{
    _cleanup_free_ char *numa = mem_asprintf("%s.numa", field);
    const json_t *config = json_object_get(json_object_get(report, "ovs"), "other_config");
    struct err *e = numa_host_from_json(json_object_get(report, "numa"), config, numa, out);
    /* OVS's default PMDs on a host whose CPUs the report does not know:
     * any node may have one, as on that host itself. */
    const char *source = json_string_value(json_object_get(report, "pmd_source"));
    if (!e && out->pmd_source && source && streq(source, "default")) {
        out->pmd_source = "default";
    }
    return e;
}

/* A node a DPDK VM could be placed on: it has CPUs or hugepages. */
static bool node_usable(const struct numa_node *n)
{
    return cpuset_count(&n->cpus) || (n->hugepages_known && n->hugepages_free_kib);
}

/* With pmd-cpu-mask unset OVS starts one PMD on each node that has cores
 * (on the first CPU it lists for the node); where csdpdk does not know the nodes' CPUs (sysfs
 * unread), any node may have one. */
static bool default_pmds_unknown(const struct numa_host *h)
{
    return h->pmd_source && streq(h->pmd_source, "default") && !known_cpus(h);
}

/* Does 'n' have a non-isolated PMD? */
static bool node_has_pmd(const struct numa_host *h, const struct numa_node *n)
{
    return cpuset_count(&n->pmds) || default_pmds_unknown(h);
}

/* Can any PMD poll new queues? */
static bool some_pmd(const struct numa_host *h)
{
    bool any = default_pmds_unknown(h);
    for (size_t i = 0; i < h->n && !any; i++) {
        any = node_has_pmd(h, &h->nodes[i]);
    }
    return any;
}

/* The memory settings as messages name them ("dpdk-socket-mem" also when
 * none is set), and where to change them. */
static const struct numa_list_source *mem_source(const struct numa_host *h)
{
    return h->socket_mem_from ? h->socket_mem_from : &mem_db;
}

static const struct numa_list_source *limit_source(const struct numa_host *h)
{
    return h->socket_limit_from ? h->socket_limit_from : &limit_db;
}

/* Is node 'n''s dpdk-socket-limit entry below 'need' MiB? The limit caps
 * dynamic memory only: legacy mode ignores it. */
static bool limit_below(const struct numa_host *h, const struct numa_node *n, uint64_t need)
{
    return !h->legacy_mem && n->socket_limit_mb > 0 && (uint64_t) n->socket_limit_mb < need;
}

void numa_host_warnings(const struct numa_host *h, json_t *warnings)
{
    if (!h->ovs_known) {
        return;
    }
    for (size_t i = 0; i < h->n; i++) {
        const struct numa_node *n = &h->nodes[i];
        if (!node_usable(n)) {
            continue;
        }
        if (h->pmd_source && !node_has_pmd(h, n) && known_cpus(h) && !cpuset_count(&n->cpus)) {
            /* Memory only (a CXL expander, say): no core to add. */
            json_array_append_new(
                warnings,
                json_sprintf("NUMA node %d has memory but no CPUs, so no PMD thread can run there: OVS polls the queues of a DPDK VM whose memory is there from another node; bind DPDK VMs' memory to nodes with PMD threads (<numatune>)",
                             n->id));
        } else if (h->pmd_source && !node_has_pmd(h, n)) {
            _cleanup_free_ char *cpus = cpuset_text(&n->cpus);
            json_array_append_new(
                warnings,
                json_sprintf("NUMA node %d has no %sPMD thread (pmd-cpu-mask=%s): OVS polls the queues of a DPDK VM whose memory is there from another node, or not at all; add a core of node %d (%s) to other_config:pmd-cpu-mask",
                             n->id, cpuset_count(&n->isolated) ? "non-isolated " : "",
                             shown(h->pmd_cpu_mask), n->id,
                             *cpus ? cpus : "its CPUs"));
        }
        if (n->no_dpdk_memory) {
            json_array_append_new(
                warnings,
                json_sprintf("NUMA node %d has no DPDK memory (--legacy-mem with %s=%s): a vhost-user port of a DPDK VM whose memory is there cannot get its buffers; give node %d an entry in %s, or drop --legacy-mem from other_config:dpdk-extra",
                             n->id, mem_source(h)->name, shown(h->socket_mem), n->id, mem_source(h)->where));
        }
        uint64_t need = numa_port_memory_mb(h->per_port_memory, 1);
        if (limit_below(h, n, need)) {
            json_array_append_new(
                warnings,
                json_sprintf("NUMA node %d's DPDK memory is capped at %" PRId64 " MiB (%s=%s), below the %" PRIu64 " MiB the smallest mempool OVS would make for a vhost-user port there needs: a DPDK VM whose memory is there is refused; raise node %d's entry of %s (0: no cap)",
                             n->id, n->socket_limit_mb, limit_source(h)->name, shown(h->socket_limit), need, n->id,
                             limit_source(h)->where));
        }
    }
}

/* ---- the VM ---- */

void numa_placement_clear(struct numa_placement *p)
{
    cpuset_clear(&p->nodes);
    cpuset_clear(&p->vcpu_nodes);
    cpuset_clear(&p->unbound_cells);
    free(p->port_queues);
    *p = (struct numa_placement){0};
}

/* Adds the nodes of 'node's nodeset attribute; false if it has none or a
 * bad one. */
static bool add_nodeset(const xmlNode *node, struct cpuset *nodes)
{
    _cleanup_free_ char *set = xml_attr(node, "nodeset");
    struct cpuset s = {0};
    if (!set || !cpuset_parse_list(set, &s)) {
        return false;
    }
    cpuset_union(nodes, &s);
    cpuset_clear(&s);
    return true;
}

/* The nodes of the CPUs of list 'set' (a vCPU pinning) into 'p'. */
static void add_cpu_nodes(const struct numa_host *h, const char *set, struct numa_placement *p)
{
    struct cpuset cpus = {0};
    if (set && cpuset_parse_list(set, &cpus)) {
        p->vcpus_pinned = true;
        for (int cpu = cpuset_next(&cpus, 0); cpu >= 0; cpu = cpuset_next(&cpus, (unsigned) cpu + 1)) {
            int node = cpu_node(h, (unsigned) cpu);
            if (node >= 0) {
                cpuset_add(&p->vcpu_nodes, (unsigned) node);
            }
        }
    }
    cpuset_clear(&cpus);
}

struct err *numa_placement_read(const char *xml, size_t size, const char *field,
                                const struct numa_host *h, struct numa_placement *out)
{
    struct numa_placement p = {0};
    if (!xml) {
        *out = p;
        return NULL;
    }
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    xmlNodePtr domain;
    struct err *e = xml_parse_domain(xml, size, field, &doc, &domain);
    if (e) {
        return e;
    }
    /* <numatune><memory> binds the memory of every guest cell that has no
     * <memnode cellid> of its own, or all of it without cells. The nodeset
     * is taken whatever the mode (with preferred the kernel may still fall
     * back to another node). */
    xmlNodePtr numatune = xml_child(domain, "numatune");
    xmlNodePtr memory = numatune ? xml_child(numatune, "memory") : NULL;
    _cleanup_free_ char *placement = memory ? xml_attr(memory, "placement") : NULL;
    bool automatic = placement && streq(placement, "auto");
    /* Mode restrictive (libvirt requires it of <memory> and every
     * <memnode> alike): no policy per cell, the emulator's cgroup
     * (<memory>'s nodeset) holds all of the memory, as read_bindings()
     * (domain.c) counts its hugepages. */
    _cleanup_free_ char *mode = memory ? xml_attr(memory, "mode") : NULL;
    bool restrictive = mode && streq(mode, "restrictive");
    _cleanup_(cpuset_clear) struct cpuset all = {0};
    bool all_set = memory && add_nodeset(memory, &all);
    xmlNodePtr guest_numa = xml_child(xml_child(domain, "cpu"), "numa");
    bool tuned = false, cells = false;
    unsigned index = 0;
    for (xmlNodePtr cell = guest_numa ? guest_numa->children : NULL; cell; cell = cell->next) {
        if (!xml_is(cell, "cell")) {
            continue;
        }
        cells = true;
        _cleanup_free_ char *id = xml_attr(cell, "id");
        unsigned cell_id = index++;
        const char *at = id;
        if (id && (!parse_uint(&at, &cell_id) || *at)) {
            numa_placement_clear(&p);
            return err_new(ERR_INVALID_XML, field, "%s: <cell id='%s'> is not a guest NUMA cell number (0 to %d)",
                           field, id, CPUSET_MAX);
        }
        xmlNodePtr memnode = restrictive ? NULL : domxml_memnode(numatune, cell_id);
        bool bound = memnode && add_nodeset(memnode, &p.nodes);
        if (!bound && all_set) {
            cpuset_union(&p.nodes, &all);
            bound = true;
        }
        if (bound) {
            tuned = true;
        } else {
            cpuset_add(&p.unbound_cells, cell_id);
        }
    }
    if (!cells && all_set) {
        cpuset_union(&p.nodes, &all);
        tuned = true;
    }
    /* Each vCPU's <vcpupin cpuset>, else <vcpu cpuset>, which pins every
     * vCPU that has no <vcpupin> of its own. */
    xmlNodePtr cputune = xml_child(domain, "cputune");
    xmlNodePtr vcpu = xml_child(domain, "vcpu");
    _cleanup_free_ char *vcpus_text = xml_text(vcpu);
    unsigned long vcpus = vcpus_text ? strtoul(vcpus_text, NULL, 10) : 0, pins = 0;
    for (xmlNodePtr c = cputune ? cputune->children : NULL; c; c = c->next) {
        if (!xml_is(c, "vcpupin")) {
            continue;
        }
        _cleanup_free_ char *set = xml_attr(c, "cpuset");
        pins++;
        add_cpu_nodes(h, set, &p);
    }
    if (vcpu && pins < vcpus) {
        _cleanup_free_ char *set = xml_attr(vcpu, "cpuset");
        add_cpu_nodes(h, set, &p);
    }
    xmlNodePtr devices = xml_child(domain, "devices");
    size_t n_alloc = 0;
    for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
        _cleanup_free_ char *type = xml_is(c, "interface") ? xml_attr(c, "type") : NULL;
        if (!type || !streq(type, "vhostuser")) {
            continue;
        }
        xmlNodePtr driver = xml_child(c, "driver");
        _cleanup_free_ char *queues = driver ? xml_attr(driver, "queues") : NULL;
        unsigned q = queues ? (unsigned) strtoul(queues, NULL, 10) : 1;
        mem_grow((void **) &p.port_queues, &n_alloc, p.n_ports + 1, sizeof *p.port_queues);
        p.port_queues[p.n_ports++] = q ? q : 1;
    }
    /* Pinned vCPUs do not bind the memory: QEMU's main thread (on
     * <emulatorpin>'s CPUs, else <vcpu cpuset>'s, else any) preallocates a
     * DPDK VM's hugepages, and the kernel takes them from another node
     * when the first toucher's has none free. */
    p.domain = true;
    if (tuned && !automatic) {
        p.source = "numatune";
    } else {
        cpuset_clear(&p.nodes);
        cpuset_clear(&p.unbound_cells);
    }
    *out = p;
    return NULL;
}

uint64_t numa_port_memory_mb(bool per_port_memory, unsigned queues)
{
    /* An mbuf for MTU 1500: 2048 bytes of data (1518 aligned to 1024), 128
     * of headroom, the 128-byte rte_mbuf and OVS's private area, cache
     * aligned: 2368 bytes, plus the mempool's own per-object header. */
    const uint64_t mbuf_bytes = 2368 + 64;
    const uint64_t min_mbufs = 4096 * 4; /* MIN_NB_MBUF */
    uint64_t q = queues ? queues : 1;
    uint64_t n = per_port_memory ? q * 2048 + q * 2048 + q * 32 + min_mbufs : 4096 * 64;
    /* Short of memory, OVS asks again for half as many, down to
     * MIN_NB_MBUF (dpdk_mp_create): the port needs the smallest of those. */
    while (n / 2 >= min_mbufs) {
        n /= 2;
    }
    return (n * mbuf_bytes + (1 << 20) - 1) >> 20;
}

uint64_t numa_ports_memory_mb(bool per_port_memory, const unsigned *queues, size_t n)
{
    if (!per_port_memory || !n) {
        return numa_port_memory_mb(per_port_memory, n ? queues[0] : 1);
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += numa_port_memory_mb(true, queues[i]);
    }
    return sum;
}

struct err *numa_judge(const struct numa_host *h, const struct numa_placement *p,
                       json_t *warnings, json_t **locality)
{
    json_t *notes = json_array();
    json_t *pmd_nodes = json_array();
    const char *verdict = "unknown";
    struct err *e = NULL;

    for (size_t i = 0; i < h->n; i++) {
        if (node_has_pmd(h, &h->nodes[i])) {
            json_array_append_new(pmd_nodes, json_integer(h->nodes[i].id));
        }
    }
    if (!h->ovs_known || !h->pmd_source) {
        json_array_append_new(notes, json_string("Open vSwitch's PMD configuration is not known: locality not judged"));
        goto done;
    }
    if (!some_pmd(h)) {
        size_t isolated = 0;
        for (size_t i = 0; i < h->n; i++) {
            isolated += cpuset_count(&h->nodes[i].isolated);
        }
        e = err_new(ERR_NUMA_REFUSED, NULL,
                    "no non-isolated PMD thread can poll the VM's queues (pmd-cpu-mask=%s%s): OVS would not poll them at all; set other_config:pmd-cpu-mask to cores of the VM's node%s",
                    shown(h->pmd_cpu_mask),
                    isolated ? ", every PMD core isolated by an Interface's pmd-rxq-affinity" : "",
                    isolated ? " that no pmd-rxq-affinity names" : "");
        goto done;
    }
    if (!p->source) {
        _cleanup_free_ char *vn = cpuset_text(&p->vcpu_nodes);
        json_array_append_new(notes,
                              !p->domain ? json_string("placement unknown: no domain XML was given; status tells where OVS polls the VM's queues once it runs")
                              : *vn ? json_sprintf("placement unknown: the VM's vCPUs are pinned to node(s) %s but its memory is not bound (no <numatune>): QEMU preallocates it, the kernel decides where its vrings go; bind it with <numatune> to node(s) %s", vn, vn)
                                    : json_string("placement unknown: the domain has no <numatune>, so the kernel decides where the VM's memory (and its vrings) go; OVS polls from a PMD of that node if it has one"));
        goto done;
    }
    if (p->vcpus_pinned && p->source && streq(p->source, "numatune") && cpuset_count(&p->vcpu_nodes)) {
        bool same = true;
        for (int v = cpuset_next(&p->vcpu_nodes, 0); v >= 0; v = cpuset_next(&p->vcpu_nodes, (unsigned) v + 1)) {
            same &= cpuset_has(&p->nodes, (unsigned) v);
        }
        if (!same) {
            _cleanup_free_ char *vn = cpuset_text(&p->vcpu_nodes), *mn = cpuset_text(&p->nodes);
            json_array_append_new(warnings,
                                  json_sprintf("the VM's vCPUs are pinned to node(s) %s but its memory is on node(s) %s: the guest reaches its own memory and vrings across nodes",
                                               vn, mn));
        }
    }
    if (cpuset_count(&p->unbound_cells)) {
        _cleanup_free_ char *cells = cpuset_text(&p->unbound_cells);
        json_array_append_new(notes,
                              json_sprintf("guest cell(s) %s have no <memnode> and <numatune><memory> names no nodeset: the kernel decides where their memory (and any vring in it) goes",
                                           cells));
    }
    for (int v = cpuset_next(&p->nodes, 0); v >= 0 && !e; v = cpuset_next(&p->nodes, (unsigned) v + 1)) {
        const struct numa_node *n = node_find(h, v);
        if (!n) {
            json_array_append_new(notes, json_sprintf("node %d of the VM's placement is not a node of this host", v));
            continue;
        }
        verdict = streq(verdict, "unknown") ? "local" : verdict;
        if (n->no_dpdk_memory) {
            e = err_new(ERR_NUMA_REFUSED, NULL,
                        "node %d has no DPDK memory (--legacy-mem with %s=%s): OVS cannot allocate the buffers of the VM's vhost-user port there; give node %d an entry in %s, or drop --legacy-mem",
                        v, mem_source(h)->name, shown(h->socket_mem), v, mem_source(h)->where);
            break;
        }
        /* Any node of the VM's memory may get all of its rings, and so,
         * with per-port memory, all of its ports' mempools. */
        uint64_t need = numa_ports_memory_mb(h->per_port_memory, p->port_queues, p->n_ports);
        if (limit_below(h, n, need)) {
            bool several = h->per_port_memory && p->n_ports > 1;
            _cleanup_free_ char *what = several ? mem_asprintf("the smallest mempools OVS would make for the VM's %zu vhost-user ports there need (one each: per-port-memory; the guest may put all of their rings on this node)", p->n_ports)
                                                : mem_strdup("the smallest mempool OVS would make for a vhost-user port there needs");
            e = err_new(ERR_NUMA_REFUSED, NULL,
                        "node %d's DPDK memory is capped at %" PRId64 " MiB (%s=%s), below the %" PRIu64 " MiB %s; raise node %d's entry of %s (0: no cap)",
                        v, n->socket_limit_mb, limit_source(h)->name, shown(h->socket_limit), need, what, v,
                        limit_source(h)->where);
            break;
        }
        if (!node_has_pmd(h, n)) {
            verdict = "cross_numa";
            _cleanup_free_ char *change = known_cpus(h) && !cpuset_count(&n->cpus)
                                              ? mem_asprintf("node %d has no CPUs (memory only): bind the VM's memory to a node with a PMD thread", v)
                                              : mem_asprintf("add a core of node %d to other_config:pmd-cpu-mask", v);
            json_array_append_new(warnings,
                                  json_sprintf("OVS will poll cross-NUMA: node %d, where the VM's memory is (%s), has no non-isolated PMD thread (pmd-cpu-mask=%s); up to half the packet rate is lost; %s",
                                               v, p->source, shown(h->pmd_cpu_mask), change));
        }
    }
done:
    if (e) {
        json_decref(notes);
        json_decref(pmd_nodes);
        *locality = NULL;
        return e;
    }
    *locality = json_pack("{s:o, s:o, s:o, s:s, s:o}",
                          "vm_nodes", p->source ? cpuset_json(&p->nodes) : json_null(),
                          "source", p->source ? json_string(p->source) : json_null(),
                          "pmd_nodes", pmd_nodes,
                          "verdict", verdict,
                          "notes", notes);
    return NULL;
}
