/* The grammar of the XML a DPDK detail may hold.
 *
 * A detail's snippet is a small subset of libvirt's domain XML. Every element,
 * attribute and value must appear in these tables; anything else is refused
 * (docs/grammar.md lists them for operators). Names are case-sensitive, as in
 * libvirt: <hugePages/> is not <hugepages/>. */
#ifndef CSDPDK_OFFERINGS_GRAMMAR_H
#define CSDPDK_OFFERINGS_GRAMMAR_H

#include <stdbool.h>

enum value_kind {
    VALUE_UINT,   /* decimal digits only, within [min, max] */
    VALUE_HEX,    /* '0x' and 1 to 8 hex digits, at most max */
    VALUE_ENUM,   /* one of 'choices', case-sensitive */
    VALUE_CPUSET, /* libvirt's "0-3,^2,8": ids at most max, at least one set */
    VALUE_TOKEN,  /* 1 to 64 of [A-Za-z0-9_.+-] */
};

struct attr_rule {
    const char *name;
    enum value_kind kind;
    bool required;
    bool unique;                /* distinct among same-named siblings */
    unsigned long long min, max;
    const char *const *choices; /* VALUE_ENUM: NULL-terminated */
    const char *why;            /* why the rule exists, for the message */
};

struct child_rule;

struct elem_rule {
    const char *name;
    const struct attr_rule *attrs;     /* terminated by an entry with no name */
    const struct child_rule *children; /* terminated by an entry with no elem */
    bool has_text;                     /* holds a VALUE_TOKEN as text */
};

struct child_rule {
    const struct elem_rule *elem;
    unsigned min, max;
};

struct grammar {
    const char *holds;               /* "one <cpu>", for messages */
    const struct child_rule *roots;  /* the top-level elements */
    unsigned min_roots;              /* elements required in all */
};

extern const struct grammar grammar_numa;
extern const struct grammar grammar_hugepages;
extern const struct grammar grammar_interface;

#endif
