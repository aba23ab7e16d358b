#!/usr/bin/env bash
# capabilities against a private ovsdb-server whose Open_vSwitch row the
# test sets by hand, fabricated sysfs trees (tests/data/sysfs) and libvirt's
# test driver. The real switch is in capabilities-dpdk.sh.
. "$(dirname "$0")/../lib/harness.sh"

DATA=$(realpath "$(dirname "$0")/../data")
ovsdb_start "$T/ovs" || { fail "start ovsdb-server"; done_testing; exit; }
SOCK=$T/ovs/vhost
mkdir -p "$SOCK" && chmod 0777 "$SOCK"
agent_properties "$T/agent.properties" "$SOCK"
C=(--ovsdb "$DB" --libvirt test:///default --agent-properties "$T/agent.properties"
   --sysfs "$DATA/sysfs/one-node" --proc "$DATA/proc/hugetlbfs" --qemu-conf "$DATA/qemu.conf/daemon.conf")
reasons() { jqo '[.result.reasons[].code] | join(" ")'; }

run "${C[@]}" capabilities
check "a fresh OVSDB: not capable, exit 1, ok stays true" test "$status $(jqo .ok) $(jqo .result.capability)" = "1 true "
check "... because ovs-vswitchd is not running, DPDK is not initialised (the vhost-user types, which OVS lists once it is, not judged), no netdev bridge, and the socket directory is not OVS's" \
    test "$(reasons)" = "ovs_vswitchd_not_running dpdk_not_initialized no_netdev_bridge socket_dir_mismatch"

# What a running DPDK switch writes, and a live pid in its pidfile (this
# shell's: the check is about the pidfile).
vsctl set Open_vSwitch . dpdk_initialized=true 'iface_types=[dpdk,dpdkvhostuser,dpdkvhostuserclient,internal,system]' \
    'datapath_types=[netdev,system]' dpdk_version='"DPDK 22.11.11"' ovs_version='"3.1.0"' \
    other_config:dpdk-init=true other_config:vhost-sock-dir=vhost other_config:pmd-cpu-mask=0x2
echo $$ >"$T/ovs/ovs-vswitchd.pid"
add_bridge br0
run "${C[@]}" capabilities
check "everything holds: capability dpdk, exit 0" test "$status $(jqo .result.capability) $(jqo .result.dpdk)" = "0 dpdk true"
check "the facts: OVS, DPDK and the netdev bridge" \
    test "$(jqo '.result.ovs | "\(.version) \(.dpdk_version) \(.netdev_bridges) \(.other_config["vhost-sock-dir"])"')" \
    = '3.1.0 DPDK 22.11.11 ["br0"] vhost'
check "OVS's server-mode socket directory is its run directory plus vhost-sock-dir" \
    test "$(jqo .result.socket_dir.ovs_server_mode_dir)" = "$SOCK"
check "hugepages per node and size, and the mounts" \
    test "$(jqo '[.result.hugepages[] | "\(.node):\(.size_kib):\(.total)"] | join(" ")') $(jqo '.result.hugetlbfs | length')" \
    = "0:2048:512 0:1048576:0 2"
check "libvirt's facts (the test driver's)" test "$(jqo '.result.libvirt.hypervisor')" = "TEST 0.0.2"

vsctl set Open_vSwitch . other_config:vhost-sock-dir=elsewhere
run "${C[@]}" capabilities
check "vhost-sock-dir elsewhere: socket_dir_mismatch, and how to fix it" \
    test "$(reasons) $(jqo '.result.checks[] | select(.code == "socket_dir_mismatch") | .fix' | grep -c "openvswitch.dpdk.ovs.path=$T/ovs/elsewhere")" \
    = "socket_dir_mismatch 1"
vsctl set Open_vSwitch . other_config:vhost-sock-dir=vhost
# The same directory by another path (on Debian, /var/run is /run): no mismatch.
ln -s "$T/ovs" "$T/run-alias"
agent_properties "$T/alias.properties" "$T/run-alias/vhost"
ALIAS=("${C[@]}")
ALIAS[5]=$T/alias.properties
run "${ALIAS[@]}" capabilities
check "agent.properties naming OVS's socket directory by another path: the same directory, capability dpdk" \
    test "$status $(jqo .result.capability) $(reasons)" = "0 dpdk "
run "${ALIAS[@]}" agent-config
check "... and agent-config calls that key ok, compared with OVS's directory" \
    test "$(jqo '.result.keys[] | select(.key == "openvswitch.dpdk.ovs.path") | .state')" = ok

chmod 0700 "$SOCK"
run "${C[@]}" capabilities
check "a socket directory QEMU cannot write to: socket_dir_not_writable" test "$(reasons)" = "socket_dir_not_writable"
chmod 0777 "$SOCK"
rmdir "$SOCK"
run "${C[@]}" capabilities
check "a missing socket directory: socket_dir_missing" test "$(reasons)" = "socket_dir_missing"
touch "$SOCK"
run "${C[@]}" capabilities
check "a file instead: socket_dir_not_directory" test "$(reasons)" = "socket_dir_not_directory"
rm "$SOCK" && mkdir -p "$T/real" && chmod 0777 "$T/real" && ln -s "$T/real" "$SOCK"
run "${C[@]}" capabilities
check "a symlink to a directory: socket_dir_symlink" test "$(reasons)" = "socket_dir_symlink"
rm "$SOCK" && mkdir "$SOCK" && chmod 0777 "$SOCK"

vsctl set Open_vSwitch . dpdk_initialized=false
run "${C[@]}" capabilities
check "dpdk_initialized=false: dpdk_not_initialized" test "$(reasons)" = "dpdk_not_initialized"
vsctl set Open_vSwitch . dpdk_initialized=true 'iface_types=[internal,system]'
run "${C[@]}" capabilities
check "no vhost-user types (the plain build of ovs-vswitchd): no_vhostuser_iface_types" \
    test "$(reasons)" = "no_vhostuser_iface_types"
vsctl set Open_vSwitch . 'iface_types=[dpdkvhostuser,dpdkvhostuserclient]' -- set bridge br0 datapath_type=system
run "${C[@]}" capabilities
check "no netdev bridge: no_netdev_bridge" test "$(reasons)" = "no_netdev_bridge"
vsctl set bridge br0 datapath_type=netdev
rm "$T/ovs/ovs-vswitchd.pid"
run "${C[@]}" capabilities
check "no live ovs-vswitchd although OVSDB still says DPDK is up: ovs_vswitchd_not_running" \
    test "$(reasons)" = "ovs_vswitchd_not_running"
echo $$ >"$T/ovs/ovs-vswitchd.pid"

run "${C[@]}" --sysfs "$DATA/sysfs/none-configured" capabilities
check "no hugepages: no_hugepages" test "$(reasons)" = "no_hugepages"
run "${C[@]}" --sysfs "$DATA/sysfs/two-nodes" capabilities
check "two NUMA nodes" test "$status $(jqo .result.numa_nodes)" = "0 2"

# A libvirtd that takes the connection and never answers (a stand-in that
# only accepts: no real libvirtd can be made to hang on cue).
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    held.append(s.accept())
' "$T/mute-libvirt.sock" &
MUTE=$!
for _ in $(seq 50); do [[ -S $T/mute-libvirt.sock ]] && break; sleep 0.1; done
started=$(date +%s%N)
run "${C[@]}" --libvirt "qemu+unix:///system?socket=$T/mute-libvirt.sock" --timeout 2 capabilities
took=$(( ($(date +%s%N) - started) / 1000000 ))
kill "$MUTE"
check "a libvirtd that never answers: libvirt_unavailable, the other facts still there" \
    test "$status $(jqo '.ok') $(reasons) $(jqo '.result.libvirt') $(jqo '.result.ovs.dpdk_initialized')" \
    = "1 true libvirt_unavailable null true"
echo "# capabilities answered in $took ms with --timeout 2 (the watchdog would have cut it off at 3 s)"

ovsdb_kill TERM
run "${C[@]}" capabilities
check "OVSDB gone: ovsdb_unavailable alone, its checks unknown, the other facts still there" \
    test "$(reasons) $(jqo '[.result.checks[] | select(.status == "unknown")] | length') $(jqo '.result.hugepages | length')" \
    = "ovsdb_unavailable 5 2"
run "${C[@]}" capabilities --format text
check "the doctor's report says what to do" bash -c "grep -q '✗ OVSDB answers' <<<\"\$1\" && grep -q -- '-> start Open vSwitch' <<<\"\$1\"" _ "$out"

done_testing
