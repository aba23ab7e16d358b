#include "helper/failpoint.h"

#ifdef CSDPDK_FAILPOINTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void failpoint(const char *name)
{
    static unsigned hits;
    const char *spec = getenv("CSDPDK_FAILPOINT");
    size_t len = strlen(name);
    if (!spec || strncmp(spec, name, len) || !strchr("@:", spec[len] ? spec[len] : ':')) {
        return;
    }
    unsigned nth = spec[len] == '@' ? (unsigned) strtoul(spec + len + 1, NULL, 10) : 1;
    if (++hits != (nth ? nth : 1)) {
        return;
    }
    if (strstr(spec + len, ":stop")) {
        raise(SIGSTOP);
        return;
    }
    if (strstr(spec + len, ":kill")) {
        raise(SIGKILL);
    }
    _exit(99);
}
#else
/* Nothing: the shipped binary has no failpoints. */
typedef int failpoint_translation_unit_is_not_empty;
#endif
