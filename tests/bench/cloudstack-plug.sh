#!/usr/bin/env bash
# What CloudStack's agent runs today to plug one DPDK NIC (OvsVifDriver /
# DpdkDriverImpl): the highest csdpdk-N from 'ovs-vsctl show', then add-port.
# Used by the benchmark, and by the tests that need ports made exactly as
# CloudStack makes them (adopt.sh, hook.sh). Arguments: DB BRIDGE SOCKET_DIR
# [TYPE [VLAN]]: TYPE dpdkvhostuserclient (DPDK-VHOSTUSER client, the
# default: with options:vhost-server-path) or dpdkvhostuser (server); VLAN
# 100 unless given ("" for none). Prints the port's name.
db=$1 br=$2 dir=$3 type=${4:-dpdkvhostuserclient} vlan=${5-100}
last=$(bash -c "ovs-vsctl --db=$db show | grep Port | grep csdpdk- | awk '{ print \$2 }' | sort -rV | head -1")
n=$((${last#csdpdk-} + 1))
tag=()
[[ -n $vlan ]] && tag=(vlan_mode=access "tag=$vlan")
path=()
[[ $type == dpdkvhostuserclient ]] && path=("options:vhost-server-path=$dir/csdpdk-$n")
ovs-vsctl --db="$db" --no-wait add-port "$br" "csdpdk-$n" "${tag[@]}" \
    -- set Interface "csdpdk-$n" "type=$type" "${path[@]}" && echo "csdpdk-$n"
