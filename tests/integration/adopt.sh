#!/usr/bin/env bash
# adopt (docs/existing-hosts.md): a host that already runs CloudStack's
# DPDK VMs brings their ports under csdpdk's care without a restart.
#
# First against fabricated domains (libvirt's test driver with a node file
# of domains whose interfaces are chosen for each verdict) and a private
# ovsdb-server: adopted, bound, csdpdk's, orphan, ambiguous (two domains, a
# MAC that does not match, a mode the port does not serve), ignored; dry
# run by default, --apply idempotent, the naming hint, a port of another
# name; gc --foreign.
#
# Then for real: a guest (QEMU under TCG, a Linux kernel) runs on two ports
# made exactly as CloudStack's agent makes them (tests/bench/cloudstack-plug.sh),
# one per mode, on a host without csdpdk's hook; adopt --apply runs while
# the guest sends a frame every 0.1 s on each NIC: no frame lost, no carrier
# change, no restart; then status, gc, a live migration with csdpdk's verbs
# (whose unplug by VM removes the adopted ports) all work on the adopted VM.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/hosts.sh"
. "$(dirname "$0")/../lib/migrate.sh"
. "$(dirname "$0")/../lib/invariants.sh"

CS_PLUG=$(dirname "$0")/../bench/cloudstack-plug.sh
# ---- fabricated domains ----

ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge cloudbr0
vsctl add-br br-kernel # a bridge of the kernel datapath: not a netdev bridge
SOCK=$T/vhost
mkdir -p "$SOCK"
ln -s "$SOCK" "$T/vhost-link"
agent_properties "$T/agent.properties" "$SOCK"

# Ports as CloudStack makes them: csdpdk-1 .. csdpdk-6.
for t in dpdkvhostuserclient dpdkvhostuser dpdkvhostuserclient dpdkvhostuserclient dpdkvhostuser; do
    bash "$CS_PLUG" "$DB" cloudbr0 "$SOCK" "$t" >/dev/null
done
vsctl add-port br-kernel csdpdk-6 -- set Interface csdpdk-6 type=dpdkvhostuser
# A port of another name, its socket named otherwise too.
vsctl add-port cloudbr0 vhu-9 -- set Interface vhu-9 type=dpdkvhostuserclient "options:vhost-server-path=$SOCK/sock-9"
# A NIC's port (csdpdk's, not bound), and a VM's.
nic_req() {
    jq -nc --arg mac "$1" --arg nic "$2" --arg vm "${3:-}" --arg numa "$NUMA" --arg huge "$HUGEPAGES" \
        '{nics: [{mac: $mac, bridge: "cloudbr0", uuid: $nic}],
          details: {encoding: "none", vm: {"DPDK-VHOSTUSER": "client", "extraconfig-dpdk-numa": $numa,
                                           "extraconfig-dpdk-hugepages": $huge}}}
         | if $vm != "" then .vm = {uuid: $vm} else . end'
}
A=(--ovsdb "$DB" --agent-properties "$T/agent.properties")
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:07:01 00000000-0000-4000-8000-0000000007a1)"
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:08:01 00000000-0000-4000-8000-0000000008a1 00000000-0000-4000-8000-000000000008)"
check "plug by NIC and by VM: csdpdk-7 (the NIC's) and csdpdk-8 (a VM's), after CloudStack's six" \
    test "$(ports_of cloudbr0 | tr '\n' ' ')" = "csdpdk-1 csdpdk-2 csdpdk-3 csdpdk-4 csdpdk-5 csdpdk-7 csdpdk-8 vhu-9 "
# Three more of CloudStack's, past csdpdk's naming hint (csdpdk-9): adopt
# must move the hint past csdpdk-11. csdpdk-9 and csdpdk-10 carry a MAC;
# csdpdk-11 its MAC in upper case and an iface-id of another controller's
# (OVN keys its flows on it).
for _ in 9 10 11; do bash "$CS_PLUG" "$DB" cloudbr0 "$SOCK" dpdkvhostuserclient >/dev/null; done
vsctl set Interface csdpdk-9 external_ids:attached-mac=02:00:00:00:09:01 \
    -- set Interface csdpdk-10 external_ids:attached-mac=02:00:00:00:10:01 \
    -- set Interface csdpdk-11 external_ids:attached-mac=02:00:00:00:11:0A external_ids:iface-id=lsp-11
check "CloudStack's add-port leaves csdpdk's naming hint at 9" \
    test "$(vsctl get Open_vSwitch . external_ids:csdpdk-next-port | tr -d '"')" = 9

# dom NAME UUID "MAC PATH MODE"...: a running domain of the test driver.
dom() {
    local name=$1 uuid=$2 i mac path mode
    shift 2
    printf "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>" "$name" "$uuid"
    for i in "$@"; do
        read -r mac path mode <<<"$i"
        printf "<interface type='vhostuser'><mac address='%s'/><source type='unix' path='%s' mode='%s'/><model type='virtio'/></interface>" "$mac" "$path" "$mode"
    done
    printf '</devices></domain>\n'
}
{
    echo "<node>"
    # csdpdk-1: CloudStack's client-mode port, used by i-1 through the '//'
    # of CloudStack's rewrite: adopted. csdpdk-2 (server mode), used through
    # a symlink to the socket directory (one directory, two paths): adopted.
    dom i-1 00000000-0000-4000-8000-000000000001 "02:00:00:00:01:01 $SOCK//csdpdk-1 server" \
        "02:00:00:00:02:01 $T/vhost-link/csdpdk-2 client"
    # csdpdk-3: two domains use its socket: ambiguous.
    dom i-3 00000000-0000-4000-8000-000000000003 "02:00:00:00:03:01 $SOCK/csdpdk-3 server"
    dom i-33 00000000-0000-4000-8000-000000000033 "02:00:00:00:03:03 $SOCK/csdpdk-3 server"
    # csdpdk-4: used in the mode it does not serve: ambiguous.
    dom i-4 00000000-0000-4000-8000-000000000004 "02:00:00:00:04:01 $SOCK/csdpdk-4 client"
    # csdpdk-5: no domain. csdpdk-6: not on a netdev bridge.
    # csdpdk-7, the NIC's port: its MAC and socket: bound.
    dom i-7 00000000-0000-4000-8000-000000000007 "02:00:00:00:07:01 $SOCK/csdpdk-7 server"
    # csdpdk-9: the domain has the port's MAC on another socket: ambiguous.
    dom i-90 00000000-0000-4000-8000-000000000090 "02:00:00:00:09:01 $SOCK/elsewhere-9 server"
    # csdpdk-10: its socket used with another MAC than the port's: ambiguous.
    dom i-10 00000000-0000-4000-8000-000000000010 "02:00:00:00:10:99 $SOCK/csdpdk-10 server"
    # csdpdk-11: adopted (the highest csdpdk-N; its MAC matches whatever the case).
    dom i-11 00000000-0000-4000-8000-000000000011 "02:00:00:00:11:0a $SOCK/csdpdk-11 server"
    # vhu-9: not csdpdk-N, used through its socket: adopted.
    dom i-9 00000000-0000-4000-8000-000000000009 "02:00:00:00:09:09 $SOCK/sock-9 server"
    echo "</node>"
} >"$T/node.xml"
A+=(--libvirt "test://$T/node.xml")

ids_before=$(vsctl --columns=name,external_ids list Interface; vsctl get Open_vSwitch . external_ids)
run "${A[@]}" adopt
check "adopt (a dry run): exit 0, nothing applied" test "$status $(jqo .result.applied) $(jqo .result.tagged)" = "0 false 0"
verdicts=$(jqo '[.result.ports[] | "\(.port):\(.verdict)"] | join(" ")')
check "... the verdict of each port: $verdicts" test "$verdicts" = \
    "csdpdk-1:adopted csdpdk-2:adopted csdpdk-3:ambiguous csdpdk-4:ambiguous csdpdk-5:orphan csdpdk-6:ignored csdpdk-7:bound csdpdk-8:csdpdk csdpdk-9:ambiguous csdpdk-10:ambiguous csdpdk-11:adopted vhu-9:adopted"
jqt() { jq -e "$1" <<<"$out" >/dev/null; }
check "... with reasons: two domains, a mode, no domain, not netdev, the VM's already, a MAC on another socket, a socket with another MAC" \
    jqt '[.result.ports[] | {key: .port, value: .reason}] | from_entries as $r
    | ($r["csdpdk-3"] | test("two running domains use it: i-3 and i-33"))
    and ($r["csdpdk-4"] | test("in mode client, which a port of type dpdkvhostuserclient does not serve"))
    and ($r["csdpdk-5"] | test("no domain uses it")) and ($r["csdpdk-6"] | test("bridge br-kernel"))
    and ($r["csdpdk-7"] | test("domain i-7 uses it")) and ($r["csdpdk-8"] | test("already"))
    and ($r["csdpdk-9"] | test("domain i-90 has its MAC 02:00:00:00:09:01 on another socket"))
    and ($r["csdpdk-10"] | test("domain i-10 uses its socket with MAC 02:00:00:00:10:99, not the port.s 02:00:00:00:10:01"))'
check "... each ambiguous port is a warning too, and the dry run says so" \
    test "$(jqo '.warnings | length') $(jqo '.warnings[-1]' | grep -c 'dry run')" = "5 1"
run "${A[@]}" --format text adopt
check "... --format text: a line per port and its reason, none wider than 100 columns, warnings included" \
    test "$(grep -c '^csdpdk-\|^vhu-' <<<"$out") $(awk 'length > 100' <<<"$out" | wc -l)" = "12 0"
echo "# adopt --format text (docs/existing-hosts.md):"
sed 's/^/#   /' <<<"$out"
check "... and OVSDB is as it was" test "$(vsctl --columns=name,external_ids list Interface; vsctl get Open_vSwitch . external_ids)" = "$ids_before"

run "${A[@]}" adopt --apply
check "adopt --apply tags 5 ports in one transaction (four adopted, one bound)" \
    test "$status $(jqo .result.applied) $(jqo .result.tagged)" = "0 true 5"
check "... the naming hint moves from csdpdk-9 past the highest csdpdk-N, CloudStack's csdpdk-11: $(jqo .result.next_port)" \
    test "$(jqo .result.next_port) $(vsctl get Open_vSwitch . external_ids:csdpdk-next-port 2>/dev/null | tr -d '"')" = "csdpdk-12 12"
check "... csdpdk-1 is i-1's, with the MAC the domain uses and csdpdk-adopted" \
    test "$(vsctl get Interface csdpdk-1 external_ids:vm-id external_ids:attached-mac external_ids:iface-id | tr -d '"\n')$(vsctl get Port csdpdk-1 external_ids:csdpdk-adopted >/dev/null && echo +)" = \
    "00000000-0000-4000-8000-00000000000102:00:00:00:01:0102:00:00:00:01:01+"
check "... csdpdk-11 is i-11's, its MAC now in lower case, the other controller's iface-id kept" \
    test "$(vsctl get Interface csdpdk-11 external_ids:vm-id external_ids:attached-mac external_ids:iface-id | tr -d '"' | tr '\n' ' ')" = \
    "00000000-0000-4000-8000-000000000011 02:00:00:00:11:0a lsp-11 "
check "... csdpdk-7 is bound: i-7's, still NIC 7a1's, no csdpdk-plug-time" \
    test "$(vsctl get Interface csdpdk-7 external_ids:vm-id external_ids:iface-id | tr -d '"\n')$(vsctl --if-exists get Interface csdpdk-7 external_ids:csdpdk-plug-time)" = \
    "00000000-0000-4000-8000-00000000000700000000-0000-4000-8000-0000000007a1"
check "... csdpdk-1 (adopted) and csdpdk-7 (bound) are marked as their domains' runs, as the libvirt hook marks a start" \
    test "$(for p in csdpdk-1 csdpdk-7; do vsctl get Port $p external_ids:csdpdk-instance | cut -c2-9; done | tr '\n' ' ')" = "running: running: "
check "... the adopted ports' index in their bridge's row names their Interfaces (their lookup by MAC stays an indexed one)" \
    test "$(vsctl get Bridge cloudbr0 'external_ids:"csdpdk-adopted-02:00:00:00:01:01"' 'external_ids:"csdpdk-adopted-02:00:00:00:09:09"' | tr -d '"\n')" = \
    "$( (vsctl get Interface csdpdk-1 _uuid; vsctl get Interface vhu-9 _uuid) | tr -d '\n')"
# The VMs whose ports csdpdk holds: the domains' and VM 8's (plugged, no domain).
vms_of() { for n in "$@"; do printf '00000000-0000-4000-8000-0000000000%s ' "$n"; done; }
check "... OVSDB holds its invariants (VMs 1, 7, 8, 9, 11)" test "$(invariants_check "$(vms_of 01 07 08 09 11)" "" | tr '\n' ' ')" = ""
check "... nothing else changed: csdpdk-3, -4, -5, -6 have no tags, csdpdk-9 and -10 only their MAC" \
    test "$(for p in 3 4 5 6 9 10; do vsctl get Interface csdpdk-$p external_ids; done | tr '\n' ' ')" = \
    "{} {} {} {} {attached-mac=\"02:00:00:00:09:01\"} {attached-mac=\"02:00:00:00:10:01\"} "
run "${A[@]}" status <<<'{"vm": {"uuid": "00000000-0000-4000-8000-000000000001"}}'
check "status by VM finds the adopted ports: $(jqo '[.result.ports[] | "\(.port):\(.owned_by):\(.adopted)"] | join(" ")')" \
    test "$(jqo '[.result.ports[] | "\(.port):\(.owned_by):\(.adopted)"] | join(" ")')" = "csdpdk-1:vm:true csdpdk-2:vm:true"
run "${A[@]}" adopt --apply
check "adopt --apply again: nothing to tag, csdpdk's now (vhu-9 too)" \
    test "$(jqo .result.tagged) $(jqo '[.result.ports[] | select(.verdict == "csdpdk")] | length')" = "0 6"
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:01:01 00000000-0000-4000-8000-0000000001a1 00000000-0000-4000-8000-000000000001 | jq -c '.nics[0].vlan = 100 | del(.nics[0].uuid)')"
check "plug of the adopted VM's MAC finds its adopted port (created false), not a second one" \
    test "$status $(jqo '.result.ports[0] | "\(.port):\(.created)"')" = "0 csdpdk-1:false"
# A plug by NIC (the stock agent's VIF driver) of a port bound to a VM:
# refused while that VM's domain runs (a start of a running VM, whose
# failure path would unplug the port), handed out when it does not.
ids_before=$(vsctl --columns=name,external_ids list Interface)
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:07:01 00000000-0000-4000-8000-0000000007a1)"
check "plug by NIC of csdpdk-7, bound to i-7, which runs: port_conflict, naming the VM, and nothing written" \
    test "$status $(jqo .error.code) $(jqo .error.message | grep -c 'csdpdk-7.*of VM 00000000-0000-4000-8000-000000000007, which runs on this host')|$(vsctl --columns=name,external_ids list Interface)" = \
    "75 port_conflict 1|$ids_before"
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:08:01 00000000-0000-4000-8000-0000000008a1)"
check "plug by NIC of csdpdk-8, bound to a VM libvirt does not run: handed out (created false)" \
    test "$status $(jqo '.result.ports[0] | "\(.port):\(.created)"')" = "0 csdpdk-8:false"
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:09:09 00000000-0000-4000-8000-0000000009a9 00000000-0000-4000-8000-000000000009 | jq -c "del(.nics[0].uuid)")"
check "plug of vhu-9's MAC finds the adopted port too: port_mismatch, its socket is not the one plug would render for it, no second port" \
    test "$status $(jqo .error.code) $(jqo .error.message | grep -c "port 'vhu-9'.*vhost-server-path") $(vsctl --bare --columns=name find Interface 'external_ids:attached-mac="02:00:00:00:09:09"' | grep -c .)" = "65 port_mismatch 1 1"
run "${A[@]}" plug <<<"$(nic_req 02:00:00:00:09:01 00000000-0000-4000-8000-0000000009a1)"
check "the next port csdpdk makes is csdpdk-12" test "$(jqo '.result.ports[0].port')" = csdpdk-12
plugged_long_ago csdpdk-8
run "${A[@]}" gc
check "gc: the running domains' ports stay; csdpdk-8's VM is gone (plugged two hours ago, never started); csdpdk-12, a NIC's port not bound, is kept for its grace" \
    test "$(jqo '[.result.orphans[].port] | join(" ")')|$(jqo '[.result.kept[].port] | join(" ")')" = "csdpdk-8|csdpdk-12"
run "${A[@]}" gc --foreign --apply
check "gc --apply with foreign removes the orphans: CloudStack's unused port, and the VM's whose domain is gone" \
    test "$(jqo '.result.removed | join(" ")')" = "csdpdk-5 csdpdk-8"
check "... and keeps the ports in use, and the ambiguous ones" \
    test "$(ports_of cloudbr0 | tr '\n' ' ')" = "csdpdk-1 csdpdk-2 csdpdk-3 csdpdk-4 csdpdk-7 csdpdk-9 csdpdk-10 csdpdk-11 csdpdk-12 vhu-9 "
check "... OVSDB holds its invariants (VMs 1, 7, 9, 11)" test "$(invariants_check "$(vms_of 01 07 09 11)" "" | tr '\n' ' ')" = ""
run "${A[@]}" unplug <<<'{"vm": {"uuid": "00000000-0000-4000-8000-000000000009"}}'
check "unplug by VM removes the adopted vhu-9, and its entry in the index" \
    test "$(jqo '.result.removed | join(" ")')|$(vsctl --if-exists get Bridge cloudbr0 'external_ids:"csdpdk-adopted-02:00:00:00:09:09"')" = "vhu-9|"

# ---- a real guest on CloudStack's ports ----

NAME=vm81
VM=$(uuid_for 81)
MACS=(52:54:00:81:00:01 52:54:00:81:00:02) VLANS=(100 100)
MAC1=${MACS[0]} MAC2=${MACS[1]}
KIB=$((GUEST_MEMORY_MIB * 1024))
PAGES=$((KIB / 2048))
trap 'libvirtd_cleanup_all; pages_restore; cleanup' EXIT
hosts_ready_or_skip "adopt a running guest's ports" $((PAGES + 32))
for h in h1 h2; do
    host_up "$h" 2>"$T/$h.err" || { fail "start host $h" "$(cat "$T/$h.err")"; done_testing; exit; }
done
ok "two hosts, without csdpdk's hook (the VM started before csdpdk came)"

host_use h1
P1=$(bash "$CS_PLUG" "$DB" "$HOST_BRIDGE" "$(host_sockdir h1)" dpdkvhostuser)
P2=$(bash "$CS_PLUG" "$DB" "$HOST_BRIDGE" "$(host_sockdir h1)" dpdkvhostuserclient)
P3=$(bash "$CS_PLUG" "$DB" "$HOST_BRIDGE" "$(host_sockdir h1)" dpdkvhostuserclient)
vswitchd_sync
# The domain as CloudStack's agent writes it: no <reconnect>, memory
# shared for vhost-user.
# One ping6 per NIC, numbered (csdpdk.seq): a frame lost is a hole.
mig_guest_xml csdpdk.seq=0.1 >"$T/base.xml"
python3 - "$T/base.xml" "$T/$NAME.xml" "$MAC1" "$(host_sockdir h1)/$P1" "$MAC2" "$(host_sockdir h1)/$P2" <<'PY'
import sys
import xml.etree.ElementTree as ET
src, dst, mac1, sock1, mac2, sock2 = sys.argv[1:]
tree = ET.parse(src)
devices = tree.getroot().find("devices")
for old in devices.findall("interface"):
    devices.remove(old)
for mac, sock, mode in ((mac1, sock1, "client"), (mac2, sock2, "server")):
    i = ET.SubElement(devices, "interface", type="vhostuser")
    ET.SubElement(i, "source", type="unix", path=sock, mode=mode)
    ET.SubElement(i, "mac", address=mac)
    ET.SubElement(i, "model", type="virtio")
tree.write(dst)
PY
BOOT=$(lv_now)
lvsh h1 define "$T/$NAME.xml" >/dev/null && lvsh h1 start "$NAME" >/dev/null
if frames_wait h1 "$MAC1" 5 "$BOOT" 180 && frames_wait h1 "$MAC2" 5 "$BOOT" 30; then
    ok "h1: the guest runs on CloudStack's ports $P1 (server mode) and $P2 (client mode); its frames cross the switch"
else
    fail "h1: the guest runs on CloudStack's ports" "$(tail -n 5 "$(mig_console h1)")"
    done_testing
    exit
fi
hrun h1 status <<<'{}'
check "status before: csdpdk owns none of them" test "$(jqo '[.result.ports[].owned_by] | join(" ")')" = "none none none"

ofports() { host_use h1; vsctl get Interface "$P1" ofport; vsctl get Interface "$P2" ofport; }
before_ofports=$(ofports)
carrier0=$(grep -c 'carrier 0' "$(mig_console h1)")
vlog=$(wc -l <"$T/h1/ovs/vswitchd.log")
sleep 4
T0=$(lv_now)
hrun h1 adopt --apply
T1=$(lv_now)
check "h1: adopt --apply while the guest's traffic flows: $P1 and $P2 adopted, $P3 an orphan, csdpdk's next port after it ($(jqo .result.next_port))" \
    test "$status $(jqo '[.result.ports[] | "\(.port):\(.verdict)"] | join(" ")') $(jqo .result.next_port)" = \
    "0 $P1:adopted $P2:adopted $P3:orphan csdpdk-$((${P3#csdpdk-} + 1))"
sleep 3
# The guest's pace under TCG is uneven: the frames of the window around
# adopt (1 s before, 3 s after)
# are held against the 4 s before it by their rate, which may sag by a
# fifth and more when the guest is slow, and by their longest gap. A
# vhost-user device the switch set up again would cut the link for a
# second or more (a gap), and show as a carrier change in the guest and a
# removed device in the switch's log (checked next).
span=$(awk -v t0="$T0" -v t1="$T1" 'BEGIN { printf "%.2f", t1 + 3 - (t0 - 1) }')
for m in "$MAC1" "$MAC2"; do
    read -r n0 g0 <<<"$(frames_window h1 "$m" "$(lv_plus "$T0" -5)" "$(lv_plus "$T0" -1)")"
    read -r n1 g1 <<<"$(frames_window h1 "$m" "$(lv_plus "$T0" -1)" "$(lv_plus "$T1" 3)")"
    check "... $m: $n1 frames in the $span s around it (longest gap $g1 s), $n0 in the 4 s before (longest gap $g0 s)" \
        awk -v n0="$n0" -v n1="$n1" -v g1="$g1" -v span="$span" \
        'BEGIN { exit !(g1 < 1 && n1 >= 20 && n1 / span >= 0.6 * n0 / 4) }'
done
# Every echo request of each NIC in the window around adopt (1 s before,
# 3 s after; its ping6 has run for 4 s by then): one ping6 numbers them,
# so a frame the switch did not pass is a hole (and one at either end of
# the window, a late first or an early last frame).
for m in "$MAC1" "$MAC2"; do
    from=$(lv_plus "$T0" -1) to=$(lv_plus "$T1" 3)
    read -r n distinct first last ids lead trail <<<"$(awk -v mac="${m,,}" -v from="$from" -v to="$to" \
        '$2 == mac && $1 + 0 >= from + 0 && $1 + 0 <= to + 0 && $4 != "-" {
             split($4, a, "/"); if (!(a[1] in id)) { id[a[1]] = 1; ids++ }
             if (!(a[2] in seq)) { seq[a[2]] = 1; distinct++ }
             if (!n) { first = a[2]; t0 = $1 } last = a[2]; t1 = $1; n++ }
         END { printf "%d %d %d %d %d %.2f %.2f\n", n, distinct, first, last, ids, t0 - from, to - t1 }' "$T/h1/frames.log")"
    check "... $m: no frame lost: echo requests $first to $last of one ping6, each once ($n frames), the first $lead s after the window's start, the last $trail s before its end" \
        test "$ids|$((last - first + 1))|$distinct|$(awk -v a="$lead" -v b="$trail" 'BEGIN { print (a < 0.5 && b < 0.5) }')" = "1|$n|$n|1"
done
check "... the guest saw no carrier change; the switch kept both devices (same ofports, none removed in its log)" \
    test "$(grep -c 'carrier 0' "$(mig_console h1)")|$(ofports)|$(tail -n +"$vlog" "$T/h1/ovs/vswitchd.log" | grep -c 'has been removed')" = \
    "$carrier0|$before_ofports|0"
hrun h1 status <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
check "status by VM: both adopted ports, connected" \
    test "$(jqo '[.result.ports[] | "\(.port):\(.adopted):\(.connected)"] | join(" ")')" = "$P1:true:true $P2:true:true"
hrun h1 gc
check "gc keeps them: the VM runs" test "$status $(jqo '.result.orphans | length')" = "0 0"

# ---- a live migration with csdpdk's verbs ----

GUEST_MEMFD=1
if mig_prepare h1 h2 client op-81; then
    ok "h1 -> h2: migrate-prepare on h2, migrate-check of the adopted VM on h1 (its ports found by socket, connected), migrate-rewrite"
else
    fail "h1 -> h2: migrate-prepare, migrate-check, migrate-rewrite" "$MIG_FAILED"
fi
mig_migrate h1 h2
if [[ $MIGRATE_STATUS == 0 ]] && frames_wait h2 "$MAC1" 5 "$MIGRATE_T0" 60 && frames_wait h2 "$MAC2" 5 "$MIGRATE_T0" 30; then
    ok "h1 -> h2: the adopted VM moves live; its frames cross h2's switch on both NICs"
else
    fail "h1 -> h2: the adopted VM moves live" "$MIGRATE_OUT" "$(mig_diag h2)"
fi
hrun h1 unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
check "h1: unplug by VM removes the adopted ports" test "$status $(jqo '.result.removed | join(" ")')" = "0 $P1 $P2"
hrun h2 migrate-finish <<<'{"op_id": "op-81"}'
check "h2: migrate-finish verifies both new ports" test "$status $(jqo .result.verified)" = "0 true"
hrun h1 gc --foreign --apply
check "h1: gc with foreign removes CloudStack's unused port; nothing else is left" \
    test "$(jqo '.result.removed | join(" ")')|$(host_use h1; vsctl list-ports "$HOST_BRIDGE" | tr '\n' ' ')" = "$P3|"
check "... h1's OVSDB holds its invariants (no VM), h2's with the VM there" \
    test "$(host_use h1; invariants_check "" "" | tr '\n' ' ')|$(host_use h2; invariants_check "$VM" "" | tr '\n' ' ')" = "|"

done_testing
