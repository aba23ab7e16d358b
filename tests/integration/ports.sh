#!/usr/bin/env bash
# plug, unplug, status and gc against a private ovsdb-server (docs/design.md
# section 8); results read back with ovs-vsctl.
. "$(dirname "$0")/../lib/harness.sh"

ovsdb_start "$T/ovs" || { fail "start ovsdb-server" "$(cat "$T/ovs/stderr.log")"; done_testing; exit; }
add_bridge br0
add_bridge br1
SOCKDIR=$T/sock
mkdir -p "$SOCKDIR"
agent_properties "$T/agent.properties" "$SOCKDIR//"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default)
VM1=$(uuid_for 1) VM2=$(uuid_for 2) VM3=$(uuid_for 3)

# ---- numbering continues after CloudStack's own ports ----
vsctl add-port br0 csdpdk-7 -- set Interface csdpdk-7 type=dpdkvhostuser
run "${C[@]}" plug <<<"$(plug_request "$VM1" client "$(nic "$(mac_for 1 1)" br0 100)")"
check "plug in client mode succeeds" expect_ok
check "numbers continue after CloudStack's csdpdk-7" test "$(jqo '.result.ports[0].port')" = csdpdk-8
check "client mode: dpdkvhostuserclient" test "$(vsctl get Interface csdpdk-8 type)" = dpdkvhostuserclient
check "client mode: vhost-server-path in the socket directory, no doubled /" \
    test "$(vsctl get Interface csdpdk-8 options:vhost-server-path)" = "\"$SOCKDIR/csdpdk-8\""
check "result names the socket and libvirt's mode" \
    test "$(jqo '.result.ports[0] | "\(.socket) \(.guest_mode) \(.created)"')" = "$SOCKDIR/csdpdk-8 server true"
check "VLAN 100: an access port" \
    test "$(vsctl get Port csdpdk-8 tag) $(vsctl get Port csdpdk-8 vlan_mode)" = "100 access"
check "external_ids name the VM and the MAC" \
    test "$(vsctl get Interface csdpdk-8 external_ids:vm-id external_ids:attached-mac | tr '\n' ' ')" \
    = "\"$VM1\" \"$(mac_for 1 1)\" "
check "external_ids:iface-id is the MAC when the NIC has no UUID, on Interface and Port" \
    test "$(vsctl get Interface csdpdk-8 external_ids:iface-id) $(vsctl get Port csdpdk-8 external_ids:vm-id external_ids:iface-id | tr '\n' ' ')" \
    = "\"$(mac_for 1 1)\" \"$VM1\" \"$(mac_for 1 1)\" "
check "the hint is stored" test "$(vsctl get Open_vSwitch . external_ids:csdpdk-next-port)" = '"9"'

# ---- idempotent ----
before=$(db_size)
run "${C[@]}" plug <<<"$(plug_request "$VM1" client "$(nic "$(mac_for 1 1)" br0 100)")"
check "re-plug returns the same port, created: false" \
    test "$(jqo '.result.ports[0] | "\(.port) \(.created)"')" = "csdpdk-8 false"
check "re-plug writes nothing (database file unchanged)" test "$(db_size)" = "$before"

# ---- server mode, no VLAN, several NICs at once ----
NIC_UUID=$(uuid_for 201)
run "${C[@]}" plug <<<"$(plug_request "$VM2" server "$(nic "$(mac_for 2 1)" br0)" \
    "$(nic "$(mac_for 2 2)" br1 200 | jq -c --arg u "$NIC_UUID" '.uuid = $u')" "$(nic "$(mac_for 2 3)" br1)")"
check "a three-NIC plug in server mode succeeds" expect_ok
check "external_ids:iface-id is the NIC's UUID when given" \
    test "$(vsctl get Interface csdpdk-10 external_ids:iface-id)" = "\"$NIC_UUID\""
check "three NICs, three consecutive names" \
    test "$(jqo '[.result.ports[].port] | join(" ")')" = "csdpdk-9 csdpdk-10 csdpdk-11"
check "server mode: dpdkvhostuser, no vhost-server-path" \
    test "$(vsctl get Interface csdpdk-9 type) $(vsctl get Interface csdpdk-9 options)" = "dpdkvhostuser {}"
check "no VLAN: no tag" test "$(vsctl get Port csdpdk-9 tag)" = "[]"
check "each NIC on its bridge" test "$(ports_of br1 | tr '\n' ' ')" = "csdpdk-10 csdpdk-11 "
# plug's XML is render's (the goldens): libvirt must take it too. Written as a
# render golden for tests/libvirt-accept.c.
mkdir -p "$T/accept"
jqo '"mode: \(.result.mode)\nnuma: \(.result.numa)\nhugepages: \(.result.hugepages)\n"
     + ([.result.interfaces[] | "interface: \(.)\n"] | join("")) + "--- exit 0"' >"$T/accept/plug-three-nics.out"
ACCEPT=${LIBVIRT_ACCEPT:-$(dirname "$0")/../../build/tests/libvirt-accept}
accepted() { "$ACCEPT" "$T/accept" >"$T/accept.tap" 2>&1 || { grep -A3 '^not ok' "$T/accept.tap" | sed 's/^/# /'; false; }; }
check "libvirt (test:///default) defines plug's three interfaces, with and without its schema, unchanged" \
    accepted

# ---- nothing half-done ----
before=$(db_size)
run "${C[@]}" plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 1)" br0)" "$(nic "$(mac_for 3 2)" nobr)")"
check "a missing second bridge is unknown_bridge (exit 65)" expect_error unknown_bridge 65
check "unknown_bridge names the NIC's field" test "$(jqo .error.field)" = "nics[1].bridge"
check "... and nothing was created" test "$(db_size)" = "$before"

# ---- conflicts ----
before=$(db_size)
run "${C[@]}" plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 1 1)" br0 100)")"
check "a MAC on another VM's port is port_conflict (exit 75)" expect_error port_conflict 75
run "${C[@]}" plug <<<"$(plug_request "$VM1" client "$(nic "$(mac_for 1 1)" br0 200)")"
check "the same VM and MAC on another VLAN is port_mismatch (exit 65)" expect_error port_mismatch 65
run "${C[@]}" plug <<<"$(plug_request "$VM1" server "$(nic "$(mac_for 1 1)" br0 100)")"
check "the same VM and MAC in the other mode is port_mismatch" expect_error port_mismatch 65
check "... and nothing changed" test "$(db_size)" = "$before"

# ---- a name taken behind the hint's back ----
vsctl add-port br0 csdpdk-12 -- set Interface csdpdk-12 type=dpdkvhostuser
run "${C[@]}" plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 1)" br0)")"
check "a clash with an unknown csdpdk-12 moves on to csdpdk-13" \
    test "$(jqo '.result.ports[0].port')" = csdpdk-13

# ---- dry run ----
before=$(db_size)
run "${C[@]}" --dry-run plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 9)" br0)")"
check "--dry-run reports, and changes nothing" \
    test "$status $(jqo '.result.ports[0].port') $(db_size)" = "0 csdpdk-14 $before"

# ---- socket path too long ----
long=$T/$(printf 'd%.0s' $(seq 100))
printf 'openvswitch.dpdk.ovs.path=%s\n' "$long" >"$T/long.properties"
run --ovsdb "$DB" --agent-properties "$T/long.properties" plug \
    <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 5)" br0)")"
check "a socket path over 107 bytes is path_too_long (exit 65)" expect_error path_too_long 65
check "... and nothing changed" test "$(db_size)" = "$before"

# ---- status ----
run "${C[@]}" status <<<"{\"vm\": {\"uuid\": \"$VM2\"}}"
check "status of a VM lists its three ports" test "$(jqo '[.result.ports[].port] | join(" ")')" \
    = "csdpdk-9 csdpdk-10 csdpdk-11"
check "status gives owner, MAC and mode" \
    test "$(jqo '.result.ports[1] | "\(.owner) \(.mac) \(.mode) \(.bridge)"')" = "$VM2 $(mac_for 2 2) server br1"
run "${C[@]}" status </dev/null
check "status without a request lists every vhost-user port" \
    test "$(jqo '[.result.ports[].port] | join(" ")')" = "csdpdk-7 csdpdk-8 csdpdk-9 csdpdk-10 csdpdk-11 csdpdk-12 csdpdk-13"
check "CloudStack's own port shows no owner" test "$(jqo '.result.ports[0].owner')" = null
run "${C[@]}" status --format text </dev/null
check "status --format text: a header and one line per port, none wider than 100 columns" \
    bash -c '[[ $(head -1 <<<"$1" | tr -s " ") == "PORT VM MAC MODE CONN QUEUES POLL" ]] &&
             (($(wc -l <<<"$1") == 8)) && (($(awk "{ print length }" <<<"$1" | sort -n | tail -1) <= 100))' _ "$out"
check "... a VM's port: its full UUID, MAC, mode" \
    bash -c 'grep -qE "^csdpdk-10 +$2 +$3 +server " <<<"$1"' _ "$out" "$VM2" "$(mac_for 2 2)"
run "${C[@]}" status --format text --verbose </dev/null
check "... with --verbose, the bridge and socket under each line" \
    bash -c '(($(grep -c "^    bridge br[0-9]*, link .*, ofport .*, socket " <<<"$1") == 7))' _ "$out"

# ---- unplug ----
before=$(db_size)
for bad in ';touch X' '$(id)' '-x' '../x' 'csdpdk-' 'csdpdk-1a' 'csdpdk-01234567890' 'eth0' ' csdpdk-8'; do
    run "${C[@]}" unplug <<<"$(jq -nc --arg p "$bad" '{ports: ["csdpdk-8", $p]}')"
    check "unplug of '$bad' is invalid_port_name, nothing runs" expect_error invalid_port_name 65
done
check "... no file X appeared and nothing changed" test ! -e X -a ! -e "$T/X" -a "$(db_size)" = "$before"
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}, \"ports\": [\"csdpdk-9\"]}"
check "unplug of another VM's named port is port_conflict" expect_error port_conflict 75
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM2\"}}"
check "unplug by VM removes exactly its ports" \
    test "$(jqo '.result.removed | join(" ")')" = "csdpdk-9 csdpdk-10 csdpdk-11"
check "... from OVSDB" test "$(ports_of br1 | wc -l)" = 0
check "... and leaves the others" test "$(ports_of br0 | tr '\n' ' ')" = "csdpdk-7 csdpdk-8 csdpdk-12 csdpdk-13 "
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM2\"}}"
check "unplug again succeeds with a warning" \
    test "$status $(jqo '.result.removed | length') $(jqo '.warnings | length')" = "0 0 1"
run "${C[@]}" unplug <<<'{"ports": ["csdpdk-7", "csdpdk-99"]}'
check "unplug by name removes CloudStack's own port, absent ones are warnings" \
    test "$(jqo '"\(.result.removed) \(.result.absent)"')" = '["csdpdk-7"] ["csdpdk-99"]'

# ---- gc (libvirt's test driver: domain 6695eb01-... runs) ----
RUNNING=6695eb01-f6a4-8304-79aa-97f2502e193f
run "${C[@]}" plug <<<"$(plug_request "$RUNNING" client "$(nic "$(mac_for 9 1)" br0)")"
vsctl set Interface csdpdk-13 external_ids:csdpdk-op-id=op-1
run "${C[@]}" gc
check "gc keeps the port of a VM libvirt does not know while its start may still come (plugged less than an hour ago)" \
    test "$(jqo '.result.orphans | length')|$(jqo '.result.kept[] | select(.port == "csdpdk-8") | .reason')|$(plug_stamp csdpdk-8 Port | grep -cE '^[0-9]{10}$')" = \
    '0|plugged less than 60 minutes ago, its VM not started yet (domain missing)|1'
plugged_long_ago csdpdk-8
run "${C[@]}" gc
check "... and lists it once the plug is over an hour old" \
    test "$(jqo '[.result.orphans[] | "\(.port):\(.domain)"] | join(" ")')" = "csdpdk-8:missing"
check "gc keeps a port of a migration in flight" test "$(jqo '.result.kept[0].port')" = csdpdk-13
check "gc without --apply removes nothing" test "$(vsctl list-ports br0 | grep -c csdpdk-8)" = 1
run "${C[@]}" plug <<<"$(plug_request "$VM1" client "$(nic "$(mac_for 1 1)" br0 100)")"
stamp=$(plug_stamp csdpdk-8 Port)
replug="$status $(jqo '.result.ports[0] | "\(.port):\(.created)"') $(($(date +%s) - ${stamp:-0} < 60))"
run "${C[@]}" gc
check "a plug of it again after that hour (created false) stamps it anew, and gc keeps it again" \
    test "$replug $(jqo '[.result.kept[].port] | index("csdpdk-8") != null')" = "0 csdpdk-8:false 1 true"
plugged_long_ago csdpdk-8
# gc --apply as the package's hourly csdpdk-gc.service runs it: its
# ExecStart's arguments, after the test's daemons.
read -ra unit_args <<<"$(sed -n 's|^ExecStart=/usr/bin/csdpdk ||p' "$(dirname "$0")/../../packaging/systemd/csdpdk-gc.service")"
run "${C[@]}" "${unit_args[@]}"
check "gc --apply (as csdpdk-gc.service runs it: ${unit_args[*]}) removes the orphans only" \
    test "$(jqo '.result.removed | join(" ")') $(ports_of br0 | tr '\n' ' ')" = "csdpdk-8 csdpdk-12 csdpdk-13 csdpdk-14 "

# ---- OVSDB unavailable, and a bounded wait ----
run --ovsdb "unix:$T/nothing.sock" status </dev/null
check "no OVSDB: ovsdb_unavailable (exit 69)" expect_error ovsdb_unavailable 69
ovsdb_kill STOP
start=$(date +%s%N)
run "${C[@]}" --timeout 1 plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 7)" br0)")"
elapsed=$((($(date +%s%N) - start) / 1000000))
ovsdb_kill CONT
check "a stopped OVSDB is a timeout (exit 75)" expect_error timeout 75
check "... after about --timeout (${elapsed} ms)" test "$elapsed" -lt 3000
run "${C[@]}" plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 7)" br0)")"
check "the same plug retried succeeds once OVSDB answers" expect_ok
run "${C[@]}" plug <<<"$(plug_request "$VM3" client "$(nic "$(mac_for 3 7)" br0)")"
check "... and once more changes nothing" test "$(jqo '.result.ports[0].created')" = false
check "each port once" test "$(vsctl --columns=name find Interface external_ids:attached-mac="\"$(mac_for 3 7)\"" | grep -c name)" = 1

# ---- a run of names taken behind the hint's back ----
hint=$(vsctl get Open_vSwitch . external_ids:csdpdk-next-port | tr -d '"')
args=()
for ((i = hint; i < hint + 40; i++)); do
    args+=(-- add-port br0 "csdpdk-$i" -- set Interface "csdpdk-$i" type=dpdkvhostuser)
done
vsctl "${args[@]:1}"
run "${C[@]}" plug <<<"$(plug_request "$(uuid_for 4)" client "$(nic "$(mac_for 4 1)" br0)" "$(nic "$(mac_for 4 2)" br0)")"
got=$(jqo '[.result.ports[].port | ltrimstr("csdpdk-") | tonumber] | "\(.[0]) \(.[1])"')
check "40 foreign names from the hint on (csdpdk-$hint..csdpdk-$((hint + 39))): plug gets two free ones past them ($got)" \
    bash -c '(($1 >= $3 + 40 && $2 == $1 + 1 && $1 < $3 + 40 + 64))' _ $got "$hint"
run "${C[@]}" plug <<<"$(plug_request "$(uuid_for 5)" client "$(nic "$(mac_for 5 1)" br0)")"
check "... and the next plug goes on from there: the hint moved past them" \
    test "$(jqo '.result.ports[0].port')" = "csdpdk-$((${got#* } + 1))"

# ---- unplug by the VM's MACs: lookups by row UUID, no scan ----
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 4)\"}, \"macs\": [\"$(mac_for 5 1)\"]}"
check "unplug with a MAC of another VM: port_conflict, nothing removed" \
    test "$status $(jqo .error.code) $(jqo .error.field) $(vsctl list-ports br0 | grep -c "csdpdk-$((${got#* } + 1))")" = "75 port_conflict macs 1"
run "${C[@]}" unplug <<<"{\"macs\": [\"$(mac_for 4 1)\"]}"
check "macs without vm.uuid: invalid_request" expect_error invalid_request 65
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 4)\"}, \"macs\": [\"$(mac_for 4 1)\", \"$(mac_for 4 2)\", \"$(mac_for 4 3)\"]}"
check "unplug by the VM and its MACs removes its two ports; a MAC without a port is a warning" \
    test "$status $(jqo '.result.removed | join(" ")') $(jqo '.warnings | length')" = "0 csdpdk-${got% *} csdpdk-${got#* } 1"

# ---- the last names ----
# csdpdk-N has at most 10 digits: a hint at the last one gives it out, and
# a VM with two NICs there gets no name past it.
vsctl set Open_vSwitch . external_ids:csdpdk-next-port=9999999999
before=$(vsctl list-ports br0 | wc -l)
run "${C[@]}" plug <<<"$(plug_request "$(uuid_for 6)" client "$(nic "$(mac_for 6 1)" br0)" "$(nic "$(mac_for 6 2)" br0)")"
check "two NICs from the hint csdpdk-9999999999 on: no name past 10 digits, ovsdb_error, nothing made ($(jqo .error.message))" \
    test "$(expect_error ovsdb_error 70 && echo y)|$(jqo .error.message | grep -c 'no free csdpdk-N name up to csdpdk-9999999999')|$(($(vsctl list-ports br0 | wc -l) - before))" = "y|1|0"
run "${C[@]}" --dry-run plug <<<"$(plug_request "$(uuid_for 6)" client "$(nic "$(mac_for 6 1)" br0)" "$(nic "$(mac_for 6 2)" br0)")"
check "... a dry run says the same (it names no csdpdk-10000000000)" \
    test "$(expect_error ovsdb_error 70 && echo y)|$(jqo .error.message | grep -c 'no free csdpdk-N name')" = "y|1"
run "${C[@]}" plug <<<"$(plug_request "$(uuid_for 6)" client "$(nic "$(mac_for 6 1)" br0)")"
check "... one NIC gets csdpdk-9999999999" test "$status $(jqo '.result.ports[0].port')" = "0 csdpdk-9999999999"
run "${C[@]}" unplug <<<"{\"ports\": [\"csdpdk-9999999999\"]}"
check "... which unplug by name removes" test "$status $(jqo '.result.removed | join(" ")')" = "0 csdpdk-9999999999"

done_testing
