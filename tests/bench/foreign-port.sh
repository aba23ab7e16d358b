#!/usr/bin/env bash
# The benchmark's other writer (CloudStack's own code, an operator with
# ovs-vsctl): takes the name csdpdk's hint holds next, so that the next plug
# clashes. Arguments: DB BRIDGE SOCKET_DIR [PREFIX]: with PREFIX the port is
# PREFIX-N instead, the same write that takes no name of csdpdk's (the
# baseline).
db=$1 br=$2 dir=$3 prefix=${4:-csdpdk}
n=$(ovs-vsctl --db="$db" get Open_vSwitch . external_ids:csdpdk-next-port | tr -d '"')
ovs-vsctl --db="$db" --no-wait add-port "$br" "$prefix-$n" \
    -- set Interface "$prefix-$n" type=dpdkvhostuserclient options:vhost-server-path="$dir/$prefix-$n" \
    external_ids:bench-foreign=1
