/* libopenvswitch's config.h must come first in every file that uses it. */
#include <config.h>

#include "helper/ovsdb.h"

const char *ovsdb_library_version(void)
{
    return VERSION;
}
