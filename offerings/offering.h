/* Service-offering details for an admin: the snippets of a DPDK offering
 * built from a few numbers, the encodings CloudStack's API wants, and the
 * reading of a CloudMonkey command line. Pure functions over plain data. */
#ifndef CSDPDK_OFFERINGS_OFFERING_H
#define CSDPDK_OFFERINGS_OFFERING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"

#define OFFERING_MAX_CELLS 64

struct offering_cell {
    const char *cpus;    /* libvirt cpuset: "0-3", "4,6" */
    uint64_t memory_mib;
};

struct offering_params {
    unsigned vcpus;
    uint64_t memory_mib;
    uint64_t page_size_kib; /* 2048 or 1048576 */
    const struct offering_cell *cells; /* none: one cell with every vCPU and all memory */
    size_t n_cells;
};

/* The extraconfig-dpdk-numa and extraconfig-dpdk-hugepages snippets of
 * 'p', built with libxml2. Refuses, naming the request field ("memory_mib",
 * "cells[1].memory_mib", "cells"), memory that is not a whole number of
 * pages and cells whose memory does not add up; the CPU checks are
 * domxml_check()'s, on the result. */
struct err *offering_snippets(const struct offering_params *p, char **numa, char **hugepages)
    _warn_unused_;

/* 's' as Java's URLEncoder.encode(s, "UTF-8") writes it: A-Z a-z 0-9 and
 * . - * _ stay, a space is '+', every other byte is %XX (upper case). */
char *offering_url_encode(const char *s);

/* 's' as one word for a POSIX shell: as is when made only of characters
 * that no shell treats specially, otherwise in single quotes. */
char *offering_shell_word(const char *s);

/* CloudStack's management-server settings that extraconfig given as VM
 * details needs, and offering details do not (docs/offerings.md, "The
 * management server's settings"): both account-scoped. */
#define OFFERING_SETTING_ENABLE "enable.additional.vm.configuration"
#define OFFERING_SETTING_KVM_ALLOW_LIST "allow.additional.vm.configuration.list.kvm"
/* Stands for the account's UUID in the commands printed. */
#define OFFERING_ACCOUNT_PLACEHOLDER "ACCOUNT_UUID"

/* 'n' strings joined by 'separator', in a new string ("" when n is 0). */
char *offering_join(const char *const *strings, size_t n, const char *separator);

/* The CloudMonkey line that sets setting 'name' to 'value' for the account
 * OFFERING_ACCOUNT_PLACEHOLDER: "update configuration name=N value=V
 * accountid=ACCOUNT_UUID", each of the first two arguments quoted for a
 * POSIX shell when it needs to be. */
char *offering_setting_cloudmonkey(const char *name, const char *value);

/* The same as an API query string, before signing:
 * "command=updateConfiguration&name=N&value=V&accountid=ACCOUNT_UUID", the
 * value URL-encoded once as offering_url_encode() does (the servlet takes
 * that layer off; CloudStack stores the setting as it then is). */
char *offering_setting_query(const char *name, const char *value);

/* A CloudMonkey command line ("[cmk] create serviceoffering k=v ..."),
 * split into words as a POSIX shell would (single and double quotes, '\'),
 * and read into its key=value arguments. */
struct offering_arg {
    char *key;
    char *value;
};

struct offering_command {
    struct offering_arg *args;
    size_t n_args;
};

void offering_command_clear(struct offering_command *c);

/* ERR_INVALID_REQUEST naming 'field' when the line is not "create
 * serviceoffering" followed by key=value words, or a quote is open. */
struct err *offering_command_parse(const char *line, const char *field, struct offering_command *out)
    _warn_unused_;

#endif
