/* libvirt: the only file that knows it. Loaded on first use (helper/dl.h),
 * so that the verbs that never talk to libvirt do not pay for it. */
#ifndef CSDPDK_LIBVIRT_H
#define CSDPDK_LIBVIRT_H

#include "helper/error.h"

/* The version of the libvirt library that would be loaded ("9.0.0"). */
struct err *libvirt_library_version(char **out) _warn_unused_;

#endif
