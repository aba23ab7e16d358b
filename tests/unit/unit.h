/* What every cmocka unit test includes. */
#ifndef CSDPDK_TESTS_UNIT_H
#define CSDPDK_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "helper/error.h"

static inline void assert_err_at(struct err *e, enum err_code code, const char *field,
                                 const char *part, const char *file, int line)
{
    if (!e) {
        print_error("expected error %s, got success\n", err_code_name(code));
        _fail(file, line);
    }
    if (e->code != code) {
        print_error("expected %s, got %s: %s\n", err_code_name(code), err_code_name(e->code),
                       e->message);
        _fail(file, line);
    }
    if (field && (!e->field || strcmp(e->field, field))) {
        print_error("expected field '%s', got '%s'\n", field, e->field ? e->field : "(none)");
        _fail(file, line);
    }
    if (part && !strstr(e->message, part)) {
        print_error("message '%s' lacks '%s'\n", e->message, part);
        _fail(file, line);
    }
    err_free(e);
}

static inline void assert_ok_at(struct err *e, const char *file, int line)
{
    if (e) {
        print_error("unexpected %s: %s\n", err_code_name(e->code), e->message);
        _fail(file, line);
    }
}

/* Asserts that 'e' is an error with 'code', with 'field' unless that is
 * NULL, whose message holds 'part' unless that is NULL; frees it. */
#define assert_err(e, code, field, part) assert_err_at((e), (code), (field), (part), __FILE__, __LINE__)
/* Asserts success, showing the error otherwise. */
#define assert_ok(e) assert_ok_at((e), __FILE__, __LINE__)

#endif
