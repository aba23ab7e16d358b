/* The envelope: the one document csdpdk writes on stdout.
 *
 *   {"ok": true,  "verb": V, "result": {...}, "warnings": [...]}
 *   {"ok": false, "verb": V, "error": {"code", "message", "field"}, "warnings": [...]}
 *
 * JSON has sorted keys, two-space indents and a final newline; text is the
 * same content laid out for a person. */
#ifndef CSDPDK_OUTPUT_H
#define CSDPDK_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "helper/error.h"
#include "helper/verb.h"

struct envelope {
    const char *verb;        /* NULL when no verb was recognised */
    const json_t *result;    /* on success */
    const struct err *error; /* on failure */
    const json_t *warnings;  /* array of strings, or NULL */
    bool verbose;            /* text: the details that do not fit at a glance too */
};

/* Writes 'env' to 'out' in 'format'; 'text' renders a result for a person
 * (NULL: the generic key: value lines), or, for FORMAT_PROMETHEUS, its
 * metrics (after csdpdk_up). Returns 0, or -1 if writing failed. */
int output_envelope(FILE *out, enum output_format format, const struct envelope *env,
                    verb_text_fn *text);

/* The generic text form of a result: one aligned 'key: value' line per
 * scalar, nested keys joined with '.', list items with [i]. */
void output_text_generic(FILE *out, const json_t *result);

/* json_string() that never fails on invalid UTF-8: bad bytes become \xNN. */
json_t *output_json_string(const char *s);

/* json_string(s), or JSON null for NULL: a fact that may be unknown. */
json_t *output_json_string_or_null(const char *s);

/* For a verb's text form: the string 'v' is, or "-" for anything else. */
const char *output_text_or_dash(const json_t *v);

/* A table for a person, kept within 100 columns: column c is as wide as
 * its widest cell, at most cap[c] (0: no cap), widened by output_widen();
 * output_row() writes one row, its cells two spaces apart. A cell wider
 * than its column is written whole and ends the line; the row goes on on
 * the next one, under the next column. The last cell is not padded. */
void output_widen(int *width, const char *const *cells, const int *cap, size_t n);
void output_row(FILE *out, const char *const *cells, const int *width, size_t n);

/* 'text' after 'lead' (NULL: 'indent' spaces), broken at spaces into
 * lines of at most 100 columns, each next line indented by 'indent' spaces
 * (a word longer than a line has a line of its own). */
void output_wrapped(FILE *out, const char *lead, int indent, const char *text);

#endif
