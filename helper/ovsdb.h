/* OVSDB, through Open vSwitch's own library: the only module that talks to
 * it. This file is compiled with libopenvswitch's headers, which nothing
 * else includes. */
#ifndef CSDPDK_OVSDB_H
#define CSDPDK_OVSDB_H

/* The version of the libopenvswitch csdpdk is linked with ("3.1.0"). */
const char *ovsdb_library_version(void);

#endif
