/* XML snippets of the DPDK details: hardened parsing, the grammar, and a
 * normalised form.
 *
 * The parser reads the snippet as an XML fragment: there is no prolog, so no
 * DTD, no entity declarations and nothing to expand or fetch; entity
 * references other than the five predefined ones fail. Size and depth are
 * bounded. The checked snippet is rebuilt element by element from what the
 * grammar allows and serialised by libxml2, so callers never see the admin's
 * whitespace, quoting or attribute order, and nothing unchecked survives. */
#ifndef CSDPDK_OFFERINGS_SNIPPET_H
#define CSDPDK_OFFERINGS_SNIPPET_H

#include <stddef.h>

#include "helper/error.h"
#include "offerings/grammar.h"

#define SNIPPET_MAX_SIZE (64 * 1024)
#define SNIPPET_MAX_DEPTH 16

struct snippet {
    char *xml;    /* normalised XML: the top-level elements, serialised */
    char **roots; /* names of the top-level elements, in document order */
    size_t n_roots;
    char **elements; /* names of every element at any depth, sorted (strcmp), each once:
                      * what CloudStack's KVM allow-list check matches (docs/offerings.md) */
    size_t n_elements;
};

void snippet_free(struct snippet *s);
DEFINE_CLEANUP_FUNC(struct snippet, snippet_free)

/* Parses 'xml' ('size' bytes of valid UTF-8, NUL-terminated) and checks it
 * against 'grammar'.
 * Errors name 'field' and, in the message, the path of the offending element:
 * ERR_INVALID_XML for what is not well-formed, too large, too deep, or breaks
 * a rule on a value or a count; ERR_FORBIDDEN_XML for an element, attribute,
 * namespace, text or processing instruction outside the grammar;
 * ERR_INVALID_ENCODING for text that is still URL-encoded. */
struct err *snippet_parse(const struct grammar *grammar, const char *xml, size_t size,
                          const char *field, struct snippet **out) _warn_unused_;

#endif
