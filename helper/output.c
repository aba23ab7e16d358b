#include "helper/output.h"

#include <stdint.h>

#include "helper/mem.h"
#include "helper/text.h"

json_t *output_json_string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *output_json_string(const char *s)
{
    json_t *j = json_string(s);
    if (j) {
        return j;
    }
    /* text_quote_for_message() keeps valid UTF-8 and escapes the rest;
     * strip the quotes it adds. */
    _cleanup_free_ char *quoted = text_quote_for_message(s, SIZE_MAX / 8);
    quoted[strlen(quoted) - 1] = '\0';
    return json_string(quoted + 1);
}

static json_t *error_json(const struct err *e)
{
    return json_pack("{s:s, s:o, s:o}",
                     "code", err_code_name(e->code),
                     "message", output_json_string(e->message),
                     "field", e->field ? output_json_string(e->field) : json_null());
}

struct line {
    char *key;
    char *value;
};

struct lines {
    struct line *items;
    size_t n, n_alloc;
};

static void lines_add(struct lines *l, char *key, char *value)
{
    mem_grow((void **) &l->items, &l->n_alloc, l->n + 1, sizeof *l->items);
    l->items[l->n++] = (struct line){key, value};
}

static void lines_clear(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    *l = (struct lines){0};
}

/* The keys of 'object', sorted, as in the JSON form. */
static const char **sorted_keys(const json_t *object, size_t *n)
{
    const char **keys = mem_new0(const char *, json_object_size(object) + 1);
    const char *key;
    json_t *child;
    size_t i = 0;
    json_object_foreach((json_t *) object, key, child) {
        keys[i++] = key;
    }
    for (size_t a = 1; a < i; a++) {
        for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
            const char *t = keys[b];
            keys[b] = keys[b - 1];
            keys[b - 1] = t;
        }
    }
    *n = i;
    return keys;
}

/* A scalar as a person reads it; NULL for objects and arrays. */
static char *scalar_text(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return mem_strdup(json_string_value(v));
    case JSON_INTEGER:
        return mem_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return mem_asprintf("%g", json_real_value(v));
    case JSON_TRUE:
        return mem_strdup("yes");
    case JSON_FALSE:
        return mem_strdup("no");
    case JSON_NULL:
        return mem_strdup("-");
    default:
        return NULL;
    }
}

/* Any value on one line: scalars as above, the rest as compact JSON. */
static char *cell_text(const json_t *v)
{
    char *s = scalar_text(v);
    return s ? s : json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
}

static bool is_table(const json_t *v)
{
    size_t i;
    json_t *row;
    if (!json_is_array(v) || json_array_size(v) == 0) {
        return false;
    }
    json_array_foreach(v, i, row) {
        if (!json_is_object(row)) {
            return false;
        }
    }
    return true;
}

static void flatten(struct lines *l, const char *path, const json_t *v)
{
    char *scalar = scalar_text(v);
    if (scalar) {
        lines_add(l, mem_strdup(path), scalar);
        return;
    }
    if (json_is_array(v)) {
        /* A list of scalars on one line. */
        char *joined = mem_strdup(json_array_size(v) ? "" : "-");
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            _cleanup_free_ char *text = cell_text(item);
            char *more = mem_asprintf("%s%s%s", joined, i ? ", " : "", text);
            free(joined);
            joined = more;
        }
        lines_add(l, mem_strdup(path), joined);
        return;
    }
    if (json_object_size(v) == 0) {
        lines_add(l, mem_strdup(path), mem_strdup("-"));
        return;
    }
    size_t n;
    _cleanup_free_ const char **keys = sorted_keys(v, &n);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *sub = *path ? mem_asprintf("%s.%s", path, keys[i]) : mem_strdup(keys[i]);
        flatten(l, sub, json_object_get(v, keys[i]));
    }
}

/* A list of objects as an aligned table, one column per key. */
static void print_table(FILE *out, const char *title, const json_t *rows)
{
    json_t *all = json_object();
    size_t i, n_cols;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_object_update(all, row);
    }
    _cleanup_free_ const char **cols = sorted_keys(all, &n_cols);
    /* The row's name leads: "port" when there is one. */
    for (size_t c = 1; c < n_cols; c++) {
        if (streq(cols[c], "port")) {
            memmove(cols + 1, cols, c * sizeof *cols);
            cols[0] = "port";
        }
    }
    size_t n_rows = json_array_size(rows);
    _cleanup_free_ char **cells = mem_new0(char *, (n_rows + 1) * n_cols + 1);
    _cleanup_free_ size_t *width = mem_new0(size_t, n_cols + 1);

    for (size_t c = 0; c < n_cols; c++) {
        cells[c] = mem_strdup(cols[c]);
        for (char *p = cells[c]; *p; p++) {
            *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        }
        width[c] = strlen(cells[c]);
        for (size_t r = 0; r < n_rows; r++) {
            const json_t *v = json_object_get(json_array_get(rows, r), cols[c]);
            char *text = v ? cell_text(v) : mem_strdup("-");
            cells[(r + 1) * n_cols + c] = text;
            width[c] = strlen(text) > width[c] ? strlen(text) : width[c];
        }
    }
    fprintf(out, "%s:\n", title);
    for (size_t r = 0; r <= n_rows; r++) {
        fputs(" ", out);
        for (size_t c = 0; c < n_cols; c++) {
            char *text = cells[r * n_cols + c];
            if (c + 1 < n_cols) {
                fprintf(out, " %-*s", (int) width[c], text);
            } else {
                fprintf(out, " %s\n", text);
            }
            free(text);
        }
    }
    json_decref(all);
}

void output_text_generic(FILE *out, const json_t *result)
{
    struct lines l = {0};
    size_t width = 0, n;
    _cleanup_free_ const char **keys = sorted_keys(result, &n);

    /* Scalars and small things first, aligned; then each list of
     * objects as a table. */
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(result, keys[i]);
        if (!is_table(v)) {
            flatten(&l, keys[i], v);
        }
    }
    for (size_t i = 0; i < l.n; i++) {
        size_t len = strlen(l.items[i].key);
        width = len > width ? len : width;
    }
    for (size_t i = 0; i < l.n; i++) {
        fprintf(out, "%-*s  %s\n", (int) width, l.items[i].key, l.items[i].value);
    }
    lines_clear(&l);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(result, keys[i]);
        if (is_table(v)) {
            print_table(out, keys[i], v);
        }
    }
}

static int output_json(FILE *out, const struct envelope *env)
{
    json_t *warnings = env->warnings ? json_incref((json_t *) env->warnings) : json_array();
    json_auto_t *doc = json_pack("{s:b, s:o, s:o}",
                                 "ok", env->error == NULL,
                                 "verb", env->verb ? json_string(env->verb) : json_null(),
                                 "warnings", warnings);
    if (!doc) {
        return -1;
    }
    if (env->error) {
        json_object_set_new(doc, "error", error_json(env->error));
    } else {
        json_object_set(doc, "result", (json_t *) env->result);
    }
    if (json_dumpf(doc, out, JSON_SORT_KEYS | JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF) {
        return -1;
    }
    return 0;
}

static void output_text(FILE *out, const struct envelope *env, verb_text_fn *text)
{
    if (env->error) {
        fprintf(out, "error: %s: %s\n", err_code_name(env->error->code), env->error->message);
        if (env->error->field) {
            fprintf(out, "field: %s\n", env->error->field);
        }
    } else if (text) {
        text(out, env->result, env->verbose);
    } else {
        output_text_generic(out, env->result);
    }

    size_t i;
    json_t *w;
    json_array_foreach(env->warnings, i, w) {
        output_wrapped(out, "warning: ", 4, json_string_value(w));
    }
}

/* Metrics: the verb's, after csdpdk_up 1; on an error csdpdk_up 0 and the
 * error as a comment (the textfile collector then still reads a valid
 * file, and an alert on csdpdk_up fires). */
static void output_prometheus(FILE *out, const struct envelope *env, verb_text_fn *metrics)
{
    fprintf(out, "# HELP csdpdk_up Whether csdpdk %s could read its sources (1) or not (0).\n"
                 "# TYPE csdpdk_up gauge\ncsdpdk_up %d\n",
            env->verb ? env->verb : "", env->error ? 0 : 1);
    if (env->error) {
        _cleanup_free_ char *message = mem_strdup(env->error->message);
        for (char *c = message; *c; c++) {
            *c = *c == '\n' ? ' ' : *c;
        }
        fprintf(out, "# error: %s: %s\n", err_code_name(env->error->code), message);
    } else if (metrics) {
        metrics(out, env->result, env->verbose);
    }
}

int output_envelope(FILE *out, enum output_format format, const struct envelope *env,
                    verb_text_fn *text)
{
    if (format == FORMAT_PROMETHEUS) {
        output_prometheus(out, env, text);
    } else if (format == FORMAT_JSON) {
        if (output_json(out, env) < 0) {
            return -1;
        }
    } else {
        output_text(out, env, text);
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

const char *output_text_or_dash(const json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "-";
}

void output_widen(int *width, const char *const *cells, const int *cap, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        int len = (int) strlen(cells[c]);
        len = cap[c] && len > cap[c] ? cap[c] : len;
        width[c] = len > width[c] ? len : width[c];
    }
}

/* 'len' bytes of 'text', a control character (a newline in a tag another
 * tool wrote, say; C0, DEL, or C1 as UTF-8 writes it, U+0080 to U+009F) as
 * '?': one value, one line, nothing a terminal acts on. The bytes read. */
static int put_text(FILE *out, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) text[i];
        if (c == 0xc2 && i + 1 < len && ((unsigned char) text[i + 1] & 0xe0) == 0x80) {
            fputc('?', out);
            i++;
            continue;
        }
        fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
    return (int) len;
}

void output_row(FILE *out, const char *const *cells, const int *width, size_t n)
{
    int column = 0; /* where the next cell starts */
    for (size_t c = 0; c < n; c++) {
        int len = (int) strlen(cells[c]);
        put_text(out, cells[c], (size_t) len);
        if (c + 1 == n) {
            fputc('\n', out);
            break;
        }
        column += width[c] + 2;
        if (len > width[c]) {
            fprintf(out, "\n%*s", column, "");
        } else {
            fprintf(out, "%*s", width[c] - len + 2, "");
        }
    }
}

void output_wrapped(FILE *out, const char *lead, int indent, const char *text)
{
    const int width = 100;
    int column = lead ? fprintf(out, "%s", lead) : fprintf(out, "%*s", indent, "");
    bool line_empty = true; /* no word on this line yet */
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ') {
            p++;
        }
        size_t len = strcspn(p, " ");
        if (!len) {
            break;
        }
        if (!line_empty && column + 1 + (int) len > width) {
            column = fprintf(out, "\n%*s", indent, "") - 1;
            line_empty = true;
        }
        /* A word longer than a line (a socket path) is cut where the line
         * ends, never inside a UTF-8 character. */
        while (line_empty && column + (int) len > width && width - column > 8) {
            size_t cut = (size_t) (width - column);
            while (cut > 1 && ((unsigned char) p[cut] & 0xC0) == 0x80) {
                cut--;
            }
            put_text(out, p, cut);
            fprintf(out, "\n%*s", indent, "");
            column = indent;
            p += cut;
            len -= cut;
        }
        column += (line_empty ? 0 : fprintf(out, " ")) + put_text(out, p, len);
        line_empty = false;
        p += len;
    }
    fputc('\n', out);
}
