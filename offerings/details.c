#include "offerings/details.h"

#include <strings.h>

#include "helper/mem.h"
#include "offerings/snippet.h"
#include "helper/text.h"

#define DPDK_KEY_FAMILY "extraconfig-dpdk-"
#define INTERFACE_SUFFIX_MAX_LEN 64

static const char *const source_names[] = {
    [DETAIL_SOURCE_DEFAULT] = "default",
    [DETAIL_SOURCE_OFFERING] = "offering",
    [DETAIL_SOURCE_VM] = "vm",
};

const char *detail_source_name(enum detail_source source)
{
    return source_names[source];
}

void dpdk_details_free(struct dpdk_details *d)
{
    if (!d) {
        return;
    }
    free(d->numa);
    free(d->hugepages);
    for (size_t i = 0; i < d->n_extras; i++) {
        free(d->extras[i].key);
        free(d->extras[i].xml);
    }
    free(d->extras);
    for (size_t i = 0; i < d->n_ignored; i++) {
        free(d->ignored[i]);
    }
    free(d->ignored);
    for (size_t i = 0; i < d->n_elements; i++) {
        free(d->elements[i]);
    }
    free(d->elements);
    for (size_t i = 0; i < d->n_warnings; i++) {
        free(d->warnings[i]);
    }
    free(d->warnings);
    free(d);
}

enum key_kind {
    KEY_OTHER,
    KEY_MODE,
    KEY_NUMA,
    KEY_HUGEPAGES,
    KEY_INTERFACE,
};

/* One DPDK detail as given on one side. */
struct entry {
    const struct detail *detail;
    enum key_kind kind;
    enum detail_source source;
};

struct builder {
    const char *prefix;
    struct entry *entries;
    size_t n_entries, n_alloc;
    const char **ignored;
    size_t n_ignored, n_ignored_alloc;
    struct dpdk_details *out;
    size_t n_extras_alloc, n_warnings_alloc, n_elements_alloc;
};

static char *field_name(const char *prefix, enum detail_source source, const char *key)
{
    return mem_asprintf("%s%s%s.%s", prefix, *prefix ? "." : "", detail_source_name(source), key);
}

static void add_warning(struct builder *b, char *warning)
{
    struct dpdk_details *d = b->out;
    mem_grow((void **) &d->warnings, &b->n_warnings_alloc, d->n_warnings + 1, sizeof *d->warnings);
    d->warnings[d->n_warnings++] = warning;
}

static bool is_interface_suffix(const char *s)
{
    size_t len = strlen(s);
    return len >= 1 && len <= INTERFACE_SUFFIX_MAX_LEN &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

static struct err *classify_key(const char *key, const char *field, enum key_kind *kind)
{
    size_t len = strlen(key);
    if (len == 0 || len > DETAIL_KEY_MAX_LEN) {
        return err_new(ERR_INVALID_REQUEST, field, "a detail key must be 1 to %d bytes long",
                       DETAIL_KEY_MAX_LEN);
    }
    struct err *e = text_check(key, len, field);
    if (e) {
        e->code = ERR_INVALID_REQUEST;
        return err_prefix(e, "detail key");
    }

    if (streq(key, DETAIL_MODE)) {
        *kind = KEY_MODE;
    } else if (streq(key, DETAIL_NUMA)) {
        *kind = KEY_NUMA;
    } else if (streq(key, DETAIL_HUGEPAGES)) {
        *kind = KEY_HUGEPAGES;
    } else if (str_has_prefix(key, DETAIL_INTERFACE_PREFIX) &&
               is_interface_suffix(key + strlen(DETAIL_INTERFACE_PREFIX))) {
        *kind = KEY_INTERFACE;
    } else if (!strcasecmp(key, DETAIL_MODE) || !strncasecmp(key, DPDK_KEY_FAMILY,
                                                            strlen(DPDK_KEY_FAMILY))) {
        _cleanup_free_ char *shown = text_quote_for_message(key, 64);
        return err_new(ERR_INVALID_REQUEST, field,
                       "unknown DPDK detail key %s; the keys are " DETAIL_MODE ", " DETAIL_NUMA
                       ", " DETAIL_HUGEPAGES " and " DETAIL_INTERFACE_PREFIX
                       "<name> (<name>: 1 to 64 of A-Z a-z 0-9 _ . -), spelled in this case",
                       shown);
    } else {
        *kind = KEY_OTHER;
    }
    return NULL;
}

static struct err *collect(struct builder *b, const struct detail *details, size_t n,
                           enum detail_source source)
{
    if (n > DETAILS_MAX_KEYS) {
        _cleanup_free_ char *field = mem_asprintf("%s%s%s", b->prefix, *b->prefix ? "." : "",
                                                  detail_source_name(source));
        return err_new(ERR_INVALID_REQUEST, field, "%zu details given; at most %d are allowed", n,
                       DETAILS_MAX_KEYS);
    }
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *field = field_name(b->prefix, source, details[i].key);
        enum key_kind kind;
        struct err *e = classify_key(details[i].key, field, &kind);
        if (e) {
            return e;
        }
        if (kind == KEY_OTHER) {
            mem_grow((void **) &b->ignored, &b->n_ignored_alloc, b->n_ignored + 1,
                     sizeof *b->ignored);
            b->ignored[b->n_ignored++] = details[i].key;
            continue;
        }
        mem_grow((void **) &b->entries, &b->n_alloc, b->n_entries + 1, sizeof *b->entries);
        b->entries[b->n_entries++] = (struct entry){&details[i], kind, source};
    }
    return NULL;
}

/* By key, and on the same key the offering's before the VM's. */
static int entry_compare(const void *a_, const void *b_)
{
    const struct entry *a = a_, *b = b_;
    int c = strcmp(a->detail->key, b->detail->key);
    return c ? c : (int) a->source - (int) b->source;
}

static int string_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Decodes the value of 'e' once (or only checks it) and parses it against
 * 'grammar'. */
static struct err *decode_snippet(struct builder *b, const struct details_request *request,
                                  const struct entry *e, const struct grammar *grammar,
                                  struct snippet **out)
{
    _cleanup_free_ char *field = field_name(b->prefix, e->source, e->detail->key);
    _cleanup_free_ char *decoded = NULL;
    size_t size;
    struct err *error;

    if (request->url_encoded) {
        error = text_url_decode(e->detail->value, e->detail->size, field, &decoded, &size);
    } else {
        size = e->detail->size;
        error = text_check(e->detail->value, size, field);
        decoded = error ? NULL : mem_strndup(e->detail->value, size);
    }
    if (!error) {
        error = snippet_parse(grammar, decoded, size, field, out);
    }
    return err_prefix(error, "%s", e->detail->key);
}

/* Adds the element names of 's' to the details' (sorted and made unique
 * once every snippet is in). */
static void add_elements(struct builder *b, const struct snippet *s)
{
    struct dpdk_details *d = b->out;
    for (size_t i = 0; i < s->n_elements; i++) {
        mem_grow((void **) &d->elements, &b->n_elements_alloc, d->n_elements + 1,
                 sizeof *d->elements);
        d->elements[d->n_elements++] = mem_strdup(s->elements[i]);
    }
}

/* Two interface extras must not both set the same element: libvirt would
 * refuse the second, or worse, keep one silently. */
static struct err *check_extra_roots(struct builder *b, const struct entry *e,
                                     const struct snippet *s, struct snippet **seen,
                                     const struct entry **seen_entries, size_t n_seen)
{
    for (size_t r = 0; r < s->n_roots; r++) {
        for (size_t i = 0; i < n_seen; i++) {
            for (size_t j = 0; j < seen[i]->n_roots; j++) {
                if (streq(s->roots[r], seen[i]->roots[j])) {
                    _cleanup_free_ char *field = field_name(b->prefix, e->source, e->detail->key);
                    return err_new(ERR_INVALID_XML, field,
                                   "%s: <%s> is already set by %s; each element may be set by one interface detail only",
                                   e->detail->key, s->roots[r], seen_entries[i]->detail->key);
                }
            }
        }
    }
    return NULL;
}

static struct err *decode_merged(struct builder *b, const struct details_request *request,
                                 const struct entry **winners, size_t n_winners)
{
    struct dpdk_details *d = b->out;
    _cleanup_free_ struct snippet **extras = mem_new0(struct snippet *, n_winners + 1);
    _cleanup_free_ const struct entry **extra_entries = mem_new0(const struct entry *, n_winners + 1);
    size_t n_extras = 0;
    struct err *error = NULL;

    d->mode = VHOST_MODE_DEFAULT;
    for (size_t i = 0; i < n_winners && !error; i++) {
        const struct entry *e = winners[i];
        _cleanup_(snippet_freep) struct snippet *s = NULL;

        switch (e->kind) {
        case KEY_MODE: {
            _cleanup_free_ char *field = field_name(b->prefix, e->source, e->detail->key);
            if (strlen(e->detail->value) != e->detail->size) {
                error = err_new(ERR_INVALID_MODE, field,
                                "DPDK-VHOSTUSER must be 'client' or 'server', not a value with NUL");
                break;
            }
            error = vhost_mode_parse(e->detail->value, field, &d->mode);
            d->mode_source = e->source;
            break;
        }
        case KEY_NUMA:
            error = decode_snippet(b, request, e, &grammar_numa, &s);
            if (!error) {
                add_elements(b, s);
                d->numa = TAKE_PTR(s->xml);
                d->numa_source = e->source;
            }
            break;
        case KEY_HUGEPAGES:
            error = decode_snippet(b, request, e, &grammar_hugepages, &s);
            if (!error) {
                add_elements(b, s);
                d->hugepages = TAKE_PTR(s->xml);
                d->hugepages_source = e->source;
            }
            break;
        case KEY_INTERFACE:
            error = decode_snippet(b, request, e, &grammar_interface, &s);
            if (!error) {
                error = check_extra_roots(b, e, s, extras, extra_entries, n_extras);
            }
            if (!error) {
                add_elements(b, s);
                extra_entries[n_extras] = e;
                extras[n_extras++] = TAKE_PTR(s);
            }
            break;
        case KEY_OTHER:
            break;
        }
    }

    if (!error) {
        d->extras = mem_new0(struct dpdk_extra, n_extras);
        for (size_t i = 0; i < n_extras; i++) {
            d->extras[i].key = mem_strdup(extra_entries[i]->detail->key);
            d->extras[i].xml = TAKE_PTR(extras[i]->xml);
            d->extras[i].source = extra_entries[i]->source;
        }
        d->n_extras = n_extras;
    }
    for (size_t i = 0; i < n_extras; i++) {
        snippet_free(extras[i]);
    }
    return error;
}

static void add_summary_warnings(struct builder *b)
{
    struct dpdk_details *d = b->out;

    if (!d->numa != !d->hugepages) {
        add_warning(b, mem_asprintf("%s is set but %s is not, so the VM is not DPDK-enabled",
                                    d->numa ? DETAIL_NUMA : DETAIL_HUGEPAGES,
                                    d->numa ? DETAIL_HUGEPAGES : DETAIL_NUMA));
    }
    if (!d->dpdk && (d->mode_source != DETAIL_SOURCE_DEFAULT || d->n_extras)) {
        add_warning(b, mem_strdup("DPDK-VHOSTUSER and the interface details have no effect: the VM is not DPDK-enabled"));
    }
    for (size_t i = 0; i < d->n_extras; i++) {
        if (strstr(d->extras[i].xml, "<boot ")) {
            add_warning(b, mem_asprintf("%s sets <boot order>, which libvirt refuses in a domain that boots by <os><boot dev>, as every domain CloudStack's agent writes does (<boot dev='cdrom'/><boot dev='hd'/>)",
                                        d->extras[i].key));
        }
    }
}

struct err *details_decode(const struct details_request *request, const char *prefix,
                           struct dpdk_details **out)
{
    _cleanup_(dpdk_details_freep) struct dpdk_details *d = mem_new0(struct dpdk_details, 1);
    struct builder b = {.prefix = prefix, .out = d};
    _cleanup_free_ struct entry *entries = NULL;
    _cleanup_free_ const char **ignored = NULL;
    _cleanup_free_ const struct entry **winners = NULL;

    struct err *error = collect(&b, request->offering, request->n_offering, DETAIL_SOURCE_OFFERING);
    if (!error) {
        error = collect(&b, request->vm, request->n_vm, DETAIL_SOURCE_VM);
    }
    entries = b.entries;
    ignored = b.ignored;
    if (error) {
        return error;
    }

    /* The VM's value wins: after sorting, the last entry of a key is the
     * VM's when both sides have it. */
    if (b.n_entries) { /* qsort(NULL, 0, ...) is undefined */
        qsort(entries, b.n_entries, sizeof *entries, entry_compare);
    }
    winners = mem_new0(const struct entry *, b.n_entries + 1);
    size_t n_winners = 0;
    for (size_t i = 0; i < b.n_entries; i++) {
        const struct entry *e = &entries[i];
        if (i + 1 < b.n_entries && streq(e->detail->key, entries[i + 1].detail->key)) {
            const struct entry *vm = &entries[i + 1];
            if (vm->detail->size != e->detail->size ||
                memcmp(vm->detail->value, e->detail->value, e->detail->size)) {
                add_warning(&b, mem_asprintf("the VM's %s overrides the offering's", e->detail->key));
            }
            continue;
        }
        winners[n_winners++] = e;
    }

    error = decode_merged(&b, request, winners, n_winners);
    if (error) {
        return error;
    }
    d->dpdk = d->numa && d->hugepages;
    add_summary_warnings(&b);
    text_sort_unique(d->elements, &d->n_elements);

    if (b.n_ignored) {
        qsort(ignored, b.n_ignored, sizeof *ignored, string_compare);
    }
    d->ignored = mem_new0(char *, b.n_ignored);
    for (size_t i = 0; i < b.n_ignored; i++) {
        if (i == 0 || !streq(ignored[i], ignored[i - 1])) {
            d->ignored[d->n_ignored++] = mem_strdup(ignored[i]);
        }
    }

    *out = TAKE_PTR(d);
    return NULL;
}
