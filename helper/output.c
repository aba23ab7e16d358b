#include "helper/output.h"

#include <stdint.h>

#include "helper/mem.h"
#include "offerings/text.h"

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

static void flatten(struct lines *l, const char *path, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (json_object_size(v) == 0) {
            lines_add(l, mem_strdup(path), mem_strdup("-"));
            return;
        }
        /* Sorted, as in the JSON form. */
        size_t n = json_object_size(v), i = 0;
        _cleanup_free_ const char **keys = mem_new0(const char *, n);
        const char *key;
        json_t *child;
        json_object_foreach((json_t *) v, key, child) {
            keys[i++] = key;
        }
        for (size_t a = 1; a < n; a++) {
            for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
                const char *t = keys[b];
                keys[b] = keys[b - 1];
                keys[b - 1] = t;
            }
        }
        for (i = 0; i < n; i++) {
            _cleanup_free_ char *sub = *path ? mem_asprintf("%s.%s", path, keys[i])
                                             : mem_strdup(keys[i]);
            flatten(l, sub, json_object_get(v, keys[i]));
        }
        return;
    }
    case JSON_ARRAY: {
        if (json_array_size(v) == 0) {
            lines_add(l, mem_strdup(path), mem_strdup("-"));
            return;
        }
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) {
            _cleanup_free_ char *sub = mem_asprintf("%s[%zu]", path, i);
            flatten(l, sub, child);
        }
        return;
    }
    case JSON_STRING:
        lines_add(l, mem_strdup(path), mem_strdup(json_string_value(v)));
        return;
    case JSON_INTEGER:
        lines_add(l, mem_strdup(path), mem_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v)));
        return;
    case JSON_REAL:
        lines_add(l, mem_strdup(path), mem_asprintf("%g", json_real_value(v)));
        return;
    case JSON_TRUE:
        lines_add(l, mem_strdup(path), mem_strdup("yes"));
        return;
    case JSON_FALSE:
        lines_add(l, mem_strdup(path), mem_strdup("no"));
        return;
    case JSON_NULL:
        lines_add(l, mem_strdup(path), mem_strdup("-"));
        return;
    }
}

void output_text_generic(FILE *out, const json_t *result)
{
    struct lines l = {0};
    size_t width = 0;

    flatten(&l, "", result);
    for (size_t i = 0; i < l.n; i++) {
        size_t len = strlen(l.items[i].key);
        width = len > width ? len : width;
    }
    for (size_t i = 0; i < l.n; i++) {
        fprintf(out, "%-*s  %s\n", (int) width + 1, l.items[i].key, l.items[i].value);
        free(l.items[i].key);
        free(l.items[i].value);
    }
    free(l.items);
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
        text(out, env->result);
    } else {
        output_text_generic(out, env->result);
    }

    size_t i;
    json_t *w;
    json_array_foreach(env->warnings, i, w) {
        fprintf(out, "warning: %s\n", json_string_value(w));
    }
}

int output_envelope(FILE *out, enum output_format format, const struct envelope *env,
                    verb_text_fn *text)
{
    if (format == FORMAT_JSON) {
        if (output_json(out, env) < 0) {
            return -1;
        }
    } else {
        output_text(out, env, text);
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
