#!/usr/bin/env bash
# What CloudStack's agent runs today to plug one DPDK NIC (OvsVifDriver /
# DpdkDriverImpl): the highest csdpdk-N from 'ovs-vsctl show', then add-port.
# Used by the benchmark only. Arguments: DB BRIDGE SOCKET_DIR.
db=$1 br=$2 dir=$3
last=$(bash -c "ovs-vsctl --db=$db show | grep Port | grep csdpdk- | awk '{ print \$2 }' | sort -rV | head -1")
n=$((${last#csdpdk-} + 1))
ovs-vsctl --db="$db" --no-wait add-port "$br" "csdpdk-$n" vlan_mode=access tag=100 \
    -- set Interface "csdpdk-$n" type=dpdkvhostuserclient options:vhost-server-path="$dir/csdpdk-$n"
