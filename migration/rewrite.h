/* Pointing a domain's vhost-user interfaces at the destination's ports
 * (docs/design.md section 7, step 3): what CloudStack's MigrateCommand does,
 * without its null-pointer crash on a MAC missing from the mapping. */
#ifndef CSDPDK_MIGRATION_REWRITE_H
#define CSDPDK_MIGRATION_REWRITE_H

#include <stddef.h>

#include "helper/error.h"
#include "migration/mapping.h"

/* Rewrites each <interface type='vhostuser'> of 'xml', matched by MAC:
 * <target dev> = port, <source path> = path/port, <source mode> = mode;
 * <reconnect> (timeout 'reconnect' seconds, none if 0) when QEMU becomes
 * the socket client, none when it becomes the server. A vhost-user MAC
 * missing from 'map' is ERR_MISSING_INTERFACE; nothing else changes.
 * '*unused' counts mapping entries no interface used. */
struct err *mig_rewrite(const char *xml, size_t size, const struct mig_mapping *map, int reconnect,
                        char **out, size_t *unused) _warn_unused_;

#endif
