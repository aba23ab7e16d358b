/* What plug and render both return: the interfaces, the checked details
 * and, when given a domain, the merged domain XML. */
#ifndef CSDPDK_VM_RENDER_H
#define CSDPDK_VM_RENDER_H

#include <jansson.h>

#include "helper/vm_request.h"

/* Renders 'req' (every NIC with its port set) with sockets in 'socket_dir'
 * into the members interfaces, numa, hugepages and (when req has a domain)
 * domain_xml of 'result'; adds warnings for checks that could not run. */
struct err *vm_render(const struct vm_request *req, const char *socket_dir, json_t *result,
                      json_t *warnings) _warn_unused_;

/* <socket dir>/<port>. */
char *vm_socket_path(const char *socket_dir, const char *port);

#endif
