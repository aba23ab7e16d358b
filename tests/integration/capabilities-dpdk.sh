#!/usr/bin/env bash
# capabilities against the real thing: the DPDK build of ovs-vswitchd in
# userspace (tests/lib/dpdk.sh) and this machine's own /sys, with a few
# hugepages reserved for the test and given back at the end.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"

DATA=$(realpath "$(dirname "$0")/../data")
if ! vswitchd_available; then
    skip "capabilities with a real OVS-DPDK" "$DPDK_UNAVAILABLE"
    done_testing
    exit
fi

# Reserve 16 x 2 MiB pages if the machine has fewer, and give them back.
POOL=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
SAVED=$(cat "$POOL" 2>/dev/null)
restore_pages() { [[ -n $SAVED ]] && echo "$SAVED" >"$POOL" 2>/dev/null; }
trap 'restore_pages; cleanup' EXIT
SYSFS=/sys
if [[ -z $SAVED ]] || { ((SAVED < 16)) && ! echo 16 >"$POOL" 2>/dev/null; } ||
   (($(cat "$POOL") < 16)); then
    SYSFS=$DATA/sysfs/one-node
    echo "# no hugepages can be reserved on this machine: sysfs facts from $SYSFS"
fi

# OVSDB and ovs-vswitchd share their run directory, as on a real host.
ovsdb_start "$T/ovs" || { fail "start ovsdb-server"; done_testing; exit; }
vswitchd_start "$T/ovs" || { fail "start ovs-vswitchd-dpdk" "$(tail -5 "$T/ovs/vswitchd.log")"; done_testing; exit; }
add_bridge br0
vsctl set Open_vSwitch . other_config:vhost-sock-dir=vhost
mkdir -p "$T/ovs/vhost" && chmod 0777 "$T/ovs/vhost"
agent_properties "$T/agent.properties" "$T/ovs/vhost"
C=(--ovsdb "$DB" --libvirt test:///default --agent-properties "$T/agent.properties"
   --sysfs "$SYSFS" --qemu-conf "$DATA/qemu.conf/daemon.conf")

run "${C[@]}" capabilities
check "with the real OVS-DPDK running: capability dpdk, exit 0" \
    test "$status $(jqo .result.capability)" = "0 dpdk"
check "dpdk_initialized and the DPDK version come from the switch" \
    test "$(jqo .result.ovs.dpdk_initialized) $(jqo .result.ovs.dpdk_version | cut -d' ' -f1)" = "true DPDK"
check "the switch's iface_types have both vhost-user types" \
    test "$(jqo '[.result.ovs.iface_types[] | select(startswith("dpdkvhostuser"))] | sort | join(" ")')" \
    = "dpdkvhostuser dpdkvhostuserclient"
check "the switch's pid, from its pidfile" test "$(jqo .result.ovs.vswitchd_pid)" = "$VSWITCHD_PID"
check "hugepages are seen on this machine's NUMA nodes" \
    test "$(jqo '[.result.hugepages[] | .total] | add > 0')" = true
run "${C[@]}" capabilities --format text
echo "$out" | sed 's/^/# /'
check "every fact explained: no check unknown" test "$(grep -c '^?' <<<"$out")" = 0

vswitchd_stop TERM
run "${C[@]}" capabilities
check "with ovs-vswitchd stopped: not capable, exit 1" test "$status $(jqo .result.capability)" = "1 "
check "... and it says why: ovs_vswitchd_not_running" \
    test "$(jqo '[.result.reasons[].code] | join(" ")')" = "ovs_vswitchd_not_running"

done_testing
