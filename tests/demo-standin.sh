#!/usr/bin/env bash
# make demo on a machine where no guest can boot (tests/demo.sh says why):
# csdpdk's main job, narrated, with a stand-in VM. A private Open vSwitch
# with DPDK (ovsdb-server and the DPDK build of ovs-vswitchd in userspace),
# a stand-in VM (dpdk-testpmd), then: capability, deploy, the VM's link, an
# OVS crash and restart, the migration checks (not the migration: a
# stand-in cannot move), cleanup. Nothing touches the host's own Open
# vSwitch, libvirt or hugepages.
set -u
cd "$(dirname "$0")/.."
. tests/lib/harness.sh
. tests/lib/dpdk.sh

DATA=$(realpath tests/data)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$@"; }
show() { printf '   $ csdpdk %s\n' "$*"; }
indent() { sed 's/^/     /'; }
die() { printf '\ndemo stopped: %s\n' "$*"; exit 1; }

if ! vswitchd_available; then
    die "$DPDK_UNAVAILABLE"
fi

say "1. A private Open vSwitch with DPDK"
ovsdb_start "$T/ovs" >/dev/null || die "ovsdb-server did not start"
vswitchd_start "$T/ovs" || die "ovs-vswitchd-dpdk did not start (see $T/ovs/vswitchd.log)"
add_bridge cloudbr0
vsctl set Open_vSwitch . other_config:vhost-sock-dir=vhost
mkdir -p "$T/ovs/vhost" && chmod 0777 "$T/ovs/vhost"
agent_properties "$T/agent.properties" "$T/ovs/vhost"
note "ovsdb-server on $DB, ovs-vswitchd-dpdk (pid $VSWITCHD_PID) in userspace with --no-huge," \
     "a netdev bridge cloudbr0, the vhost-user socket directory $T/ovs/vhost."
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default
   --sysfs "$DATA/sysfs/one-node" --qemu-conf "$DATA/qemu.conf/daemon.conf")
note "This machine reserves no hugepages, so the hugepage facts come from a fabricated sysfs" \
     "(tests/data/sysfs/one-node) and libvirt is its test driver; the rest is real."
show "capabilities --format text"
"$CSDPDK" "${C[@]}" capabilities --format text | indent

say "2. Deploy: the offering's details, decoded; the VM's port, plugged"
VM=6695eb01-f6a4-8304-79aa-97f2502e193f
MAC=02:00:4c:5f:00:01
note "The offering carries CloudStack's documented URL-encoded NUMA and hugepages snippets;" \
     "the VM asks for DPDK-VHOSTUSER=client: QEMU owns the socket and OVS reconnects to it."
jq -n --arg vm "$VM" --arg mac "$MAC" --rawfile offering tests/golden/decode/cloudstack-docs.in '
    ($offering | fromjson) as $o
    | {vm: {uuid: $vm, name: "i-2-10-VM", vcpus: 1, memory_kib: 9437184},
       nics: [{mac: $mac, bridge: "cloudbr0", vlan: 100}],
       details: {offering: $o.offering, vm: {"DPDK-VHOSTUSER": "client"}}}' >"$T/plug.json"
show "plug --format text < plug.json"
"$CSDPDK" "${C[@]}" plug --format text --request "$T/plug.json" | indent
PORT=$(vsctl --bare --columns=name find Interface "external_ids:vm-id=\"$VM\"")
SOCKET=$(vsctl get Interface "$PORT" options:vhost-server-path | tr -d '"')
note "OVS now has $PORT (dpdkvhostuserclient, VLAN 100) and will connect to $SOCKET."

say "3. The VM starts"
note "dpdk-testpmd with a net_virtio_user device stands in for QEMU: it owns the socket (server=1)."
testpmd_start vm1 "$SOCKET" server >/dev/null || die "dpdk-testpmd did not start"
vswitchd_sync
link_up "$PORT" 20 || die "the link of $PORT did not come up"
note "Link up: a frame sent by the switch out of $PORT reached the VM."
show "status --format text"
echo "{\"vm\": {\"uuid\": \"$VM\"}}" | "$CSDPDK" "${C[@]}" status --format text | indent

say "4. Open vSwitch crashes and comes back"
note "kill -9 of ovs-vswitchd, then a new one, as the init system would do."
vswitchd_restart KILL >/dev/null || die "ovs-vswitchd did not restart"
start=$(now_us)
link_up "$PORT" 20 || die "the VM's link did not come back"
note "The VM's link is back $(( ($(now_us) - start) / 1000 )) ms after the new ovs-vswitchd was ready:" \
     "in client mode OVS reconnects to QEMU's socket; the VM never noticed more than a pause."
note "(In server mode QEMU would reconnect instead: csdpdk renders <reconnect enabled='yes'/> for it.)"

say "5. Before a live migration: the destination prepares, the source checks"
note "A second host: its own OVSDB, with the facts its DPDK switch would write (no second switch is" \
     "started here, to spare the machine's two cores)."
DSTDIR=$T/dst
SRCDB=$DB
ovsdb_start "$DSTDIR" >/dev/null || die "the destination's ovsdb-server did not start"
add_bridge cloudbr0
vsctl set Open_vSwitch . dpdk_initialized=true 'iface_types=[dpdkvhostuser,dpdkvhostuserclient]' \
    dpdk_version='"DPDK 22.11.11"' other_config:vhost-sock-dir=vhost
echo $$ >"$DSTDIR/ovs-vswitchd.pid"
mkdir -p "$DSTDIR/vhost" && chmod 0777 "$DSTDIR/vhost"
agent_properties "$T/dst.properties" "$DSTDIR/vhost"
DST=(--ovsdb "$DB" --agent-properties "$T/dst.properties" --libvirt test:///default
     --sysfs "$DATA/sysfs/one-node" --qemu-conf "$DATA/qemu.conf/daemon.conf")
jq '.op_id = "migration-42" | .vm.memory_kib = 1048576
    | .details.vm["extraconfig-dpdk-numa"] = "<cpu><numa><cell id=\u00270\u0027 cpus=\u00270\u0027 memory=\u00271048576\u0027 memAccess=\u0027shared\u0027/></numa></cpu>"' \
    "$T/plug.json" >"$T/prepare.json"
show "migrate-prepare < prepare.json   (on the destination)"
"$CSDPDK" "${DST[@]}" migrate-prepare --request "$T/prepare.json" >"$T/prepared.json"
jq -r '.result | "eligible: \(.eligible)", (.checks[] | "\(if .ok then "✓" else "✗" end) \(.id): \(.detail)"), "mapping: \(.mapping | tojson)"' \
    "$T/prepared.json" | indent
DB=$SRCDB
"$CSDPDK" "${C[@]}" render --request <(jq --arg p "$PORT" '.nics[0].port = $p | .domain_xml = "<domain type=\"kvm\"><name>i-2-10-VM</name><memory unit=\"KiB\">9437184</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices/></domain>"' "$T/plug.json") |
    jq -r .result.domain_xml >"$T/domain.xml"
jq -n --rawfile d "$T/domain.xml" --slurpfile r "$T/prepared.json" \
    '{domain_xml: $d, destination_report: $r[0].result}' >"$T/check.json"
show "migrate-check < check.json   (on the source)"
"$CSDPDK" "${C[@]}" migrate-check --request "$T/check.json" |
    jq -r '.result | "eligible: \(.eligible)", (.checks[] | "\(if .ok then "✓" else "✗" end) \(.side) \(.id): \(.detail)")' | indent
jq -n --rawfile d "$T/domain.xml" --slurpfile r "$T/prepared.json" '{domain_xml: $d, mapping: $r[0].result.mapping}' >"$T/rewrite.json"
show "migrate-rewrite < rewrite.json"
"$CSDPDK" migrate-rewrite --request "$T/rewrite.json" | jq -r .result.domain_xml | grep -o '<interface.*</interface>' | indent
note "The domain XML now points at the destination's port; libvirt would migrate with it."
note "Here the migration is not carried out, so the destination rolls back:"
show "migrate-abort   (on the destination)"
echo '{"op_id": "migration-42"}' | "$CSDPDK" "${DST[@]}" migrate-abort --format text | indent

say "6. The VM stops: its port goes, and nothing is left behind"
testpmd_stop vm1
show "unplug --format text"
echo "{\"vm\": {\"uuid\": \"$VM\"}}" | "$CSDPDK" "${C[@]}" unplug --format text | indent
note "Ports left on the source's bridge: $(vsctl list-ports cloudbr0 | wc -l)."
show "gc --format text"
"$CSDPDK" "${C[@]}" gc --format text | indent
note "The daemons stop now; their files go with $T."
echo
