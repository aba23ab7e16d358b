#!/usr/bin/env bash
# A live migration's csdpdk steps between two hosts on this machine: each
# host a private ovsdb-server, the destination's facts fabricated (sysfs
# tree, its Open_vSwitch row as a running DPDK switch writes it), libvirt's
# test driver standing in for the destination's libvirtd: the unit-level
# cases. The real thing, a guest moved between two real hosts, is
# live-migration.sh.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/invariants.sh"

DATA=$(realpath "$(dirname "$0")/../data")
VM=$(uuid_for 7)
MAC1=$(mac_for 7 1) MAC2=$(mac_for 7 2)

dpdk_host "$T/src" || { fail "start the source's ovsdb-server"; done_testing; exit; }
SRC=(--ovsdb "$DB" --agent-properties "$T/src/agent.properties")
SRCDB=$DB
dpdk_host "$T/dst" || { fail "start the destination's ovsdb-server"; done_testing; exit; }
DST=("${HOST_ARGS[@]}")
DSTDB=$DB

request() { # request OP_ID: the VM's plug request, with op_id when given
    dpdk_request "$VM" client "${1:-}" "$(nic "$MAC1" cloudbr0 100)" "$(nic "$MAC2" cloudbr0)"
}

# The VM runs on the source.
DB=$SRCDB run "${SRC[@]}" plug <<<"$(request)"
check "the VM is plugged on the source" expect_ok
jqo .result.domain_xml >"$T/source.xml"
SRCPORTS=$(jqo '[.result.ports[].port] | join(" ")')
for p in $SRCPORTS; do DB=$SRCDB vsctl set Interface "$p" status:status=connected; done

# 1. The destination prepares.
DB=$DSTDB
run "${DST[@]}" --sysfs "$DATA/sysfs/none-configured" migrate-prepare <<<"$(request op-1)"
check "a destination without hugepages is not eligible: exit 1, ok true" \
    test "$status $(jqo .ok) $(jqo .result.eligible)" = "1 true false"
check "... it says why" test "$(jqo '[.result.checks[] | select(.ok | not) | .id] | join(" ")')" = "capability hugepages"
check "... and created nothing" test "$(vsctl list-ports cloudbr0 | wc -l)" = 0

run "${DST[@]}" migrate-prepare <<<"$(request op-1)"
check "a capable destination is eligible" test "$status $(jqo .result.eligible)" = "0 true"
check "... its ports are tagged with the operation" \
    test "$(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-1 | grep -c csdpdk)" = 2
check "... the mapping is CloudStack's DpdkTO, by MAC" \
    test "$(jqo '.result.mapping["'"$MAC1"'"] | "\(.path) \(.mode)"')" = "$T/dst/vhost server"
PREPARED=$out
run "${DST[@]}" migrate-prepare <<<"$(request op-1)"
check "preparing again finds the same ports" test "$(jqo '[.result.ports[].created] | any')" = false
run "${DST[@]}" migrate-prepare --format text <<<"$(request op-1)"
check "migrate-prepare --format text: the verdict, aligned checks, the mapping line by line" \
    bash -c '[[ $(head -1 <<<"$1") == "eligible: yes" ]] && grep -qE "^  ok +destination +hugepages +" <<<"$1" &&
             grep -qE "^  $2  csdpdk-[0-9]+ +server  $3$" <<<"$1"' _ "$out" "$MAC1" "$T/dst/vhost"

# 2. The source checks both ends.
check_request() { jq -n --rawfile d "$T/source.xml" --argjson r "$1" '{domain_xml: $d, destination_report: $r.result}'; }
DB=$SRCDB run "${SRC[@]}" migrate-check <<<"$(check_request "$PREPARED")"
check "migrate-check with the destination's report: eligible" test "$status $(jqo .result.eligible)" = "0 true"
check "... it checked the VM, its ports, the report, the mapping, and the VM's NUMA placement with the report's host facts" \
    test "$(jqo '[.result.checks[] | "\(.side):\(.id)"] | unique | join(" ")')" \
    = "destination:mapping destination:numa destination:report source:dpdk_enabled source:port"
# Through libvirt as well (the test driver's free-page numbers are made up:
# only that the checks ran is asserted, not their verdict).
DB=$SRCDB run "${SRC[@]}" migrate-check \
    <<<"$(jq -c '.destination = "test:///default"' <<<"$(check_request "$PREPARED")")"
check "... and through the destination's libvirt: libvirt and its free pages are checked" \
    test "$(jqo '[.result.checks[] | select(.side == "destination") | .id] | unique | join(" ")')" \
    = "hugepages libvirt mapping numa report"
DB=$SRCDB vsctl set Interface "${SRCPORTS%% *}" status:status=disconnected
DB=$SRCDB run "${SRC[@]}" migrate-check <<<"$(check_request "$PREPARED")"
check "a disconnected port on the source: not eligible" test "$status $(jqo .result.eligible)" = "1 false"
DB=$SRCDB vsctl set Interface "${SRCPORTS%% *}" status:status=connected
NOT=$(jq -c '.result.eligible = false' <<<"$PREPARED")
DB=$SRCDB run "${SRC[@]}" migrate-check <<<"$(check_request "$NOT")"
check "a destination report that is not eligible: not eligible" test "$(jqo .result.eligible)" = false
DB=$SRCDB run "${SRC[@]}" migrate-check --format text <<<"$(check_request "$NOT")"
check "migrate-check --format text: eligible: NO, and the failing check on its own line" \
    bash -c '[[ $(head -1 <<<"$1") == "eligible: NO" ]] && grep -qE "^  FAIL  destination  report +" <<<"$1" &&
             grep -qE "^  ok    source       port +" <<<"$1"' _ "$out"

# 3. The source rewrites the domain for the destination.
rewrite_request() { jq -n --rawfile d "$T/source.xml" --argjson m "$1" '{domain_xml: $d, mapping: $m}'; }
MAPPING=$(jq -c .result.mapping <<<"$PREPARED")
run migrate-rewrite <<<"$(rewrite_request "$MAPPING")"
check "migrate-rewrite succeeds" expect_ok
DSTPORT1=$(jq -r --arg m "$MAC1" '.result.mapping[$m].port' <<<"$PREPARED")
check "... the interface of $MAC1 now uses the destination's port, socket and mode" \
    bash -c 'grep -q "<source type=\"unix\" path=\"$1/vhost/$2\" mode=\"server\"/>" <<<"$3" && grep -q "<target dev=\"$2\"/>" <<<"$3"' \
    _ "$T/dst" "$DSTPORT1" "$(jqo .result.domain_xml)"
run migrate-rewrite <<<"$(rewrite_request "$(jq -c --arg m "$MAC2" 'del(.[$m])' <<<"$MAPPING")")"
check "a MAC missing from the mapping: missing_interface, exit 65" expect_error missing_interface 65

# 4a. Success: the destination's ports become ordinary; gc keeps them while the VM runs.
# No VM runs here (live-migration.sh has the real one): verifying finds no link.
DB=$DSTDB
run "${DST[@]}" --timeout 1 migrate-finish <<<'{"op_id": "op-1"}'
check "migrate-finish verifies the ports first: no VM's NIC on them, timeout, exit 75" expect_error timeout 75
check "... and changes nothing" \
    test "$(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-1 | grep -c csdpdk)" = 2
# A port of the operation removed while migrate-finish waits for it (the
# libvirt hook's release end, when the VM's QEMU here ended): port_broken
# at once, not a success of ports that are gone, nor the whole timeout.
VM=$(uuid_for 12) MAC1=$(mac_for 12 1) MAC2=$(mac_for 12 2)
run "${DST[@]}" migrate-prepare <<<"$(request op-12)"
gone=$(jq -r --arg m "$MAC1" '.result.mapping[$m].port' <<<"$out")
"$CSDPDK" "${DST[@]}" --timeout 10 migrate-finish <<<'{"op_id": "op-12"}' >"$T/finish.out" 2>&1 &
pid=$!
sleep 1.5 # into its wait (ASan's start included)
vsctl del-port "$gone"
t=$(date +%s%N)
wait "$pid"
status=$? out=$(cat "$T/finish.out")
ms=$((($(date +%s%N) - t) / 1000000))
check "a port of op-12 removed while migrate-finish waits on it: port_broken (exit 70) at once ($ms ms; its timeout is 10 s), naming it" \
    test "$(expect_error port_broken 70 && echo y)|$((ms < 3000))|$(jqo .error.message | grep -c "port '$gone' of op_id 'op-12' was removed")" = "y|1|1"
run "${DST[@]}" migrate-abort <<<'{"op_id": "op-12"}'
check "... migrate-abort removes the other" test "$status $(jqo '.result.removed | length')" = "0 1"
VM=$(uuid_for 7) MAC1=$(mac_for 7 1) MAC2=$(mac_for 7 2)
run "${DST[@]}" migrate-finish <<<'{"op_id": "op-1", "verify": false}'
check "migrate-finish with verify false clears the tags" \
    test "$(jqo '.result.ports | length') $(jqo .result.verified) $(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-1 | grep -c csdpdk)" = "2 false 0"
run "${DST[@]}" plug <<<"$(request)"
check "... and the VM's ports are its own: a plug of it finds them (created false) and stamps them for its start" \
    test "$status $(jqo '[.result.ports[].created] | map(tostring) | join(" ")') $(for p in $(jqo '.result.ports[].port'); do
        plug_stamp "$p" Port | grep -cE '^[0-9]{10}$'; done | sort -u)" = '0 false false 1'
plugged_long_ago $(jqo '.result.ports[].port') # that start never came (gc, below)

# 4b. Abort of another migration: exactly its ports go.
VM=$(uuid_for 8) MAC1=$(mac_for 8 1) MAC2=$(mac_for 8 2)
run "${DST[@]}" migrate-prepare <<<"$(request op-2)"
before=$(invariants_snapshot)
run "${DST[@]}" plug <<<"$(request)"
conflict=$(expect_error port_conflict 75 && echo "$(jqo .error.field) $(jqo .error.message | grep -ow 'migration op-2 of')")
check "a plug of the VM while its ports wait for migration op-2: port_conflict, exit 75, naming op-2 (its abort would remove them)" \
    test "$conflict" = "nics[0].mac migration op-2 of"
run "${DST[@]}" migrate-prepare <<<"$(request op-2b)"
conflict=$(expect_error port_conflict 75 && echo "$(jqo .error.message | grep -ow 'migration op-2 of')")
check "... so is a prepare of another migration of the VM" test "$conflict" = "migration op-2 of"
check "... and neither changed OVSDB" test "$before" = "$(invariants_snapshot)"
run "${DST[@]}" migrate-abort <<<'{"op_id": "op-2"}'
check "migrate-abort removes exactly the ports of op-2" \
    test "$(jqo '.result.removed | length') $(vsctl list-ports cloudbr0 | wc -l)" = "2 2"
run "${DST[@]}" migrate-abort <<<'{"op_id": "op-2"}'
check "... and again: nothing left, a warning, success" \
    test "$status $(jqo '.result.removed | length') $(jqo '.warnings | length')" = "0 0 1"

# 4d. PrepareForMigration from a VIF driver inside the stock agent: NICs
# without their VM (docs/ports.md, NICs' ports), each with its UUID.
VM=$(uuid_for 9) MAC1=$(mac_for 9 1) MAC2=$(mac_for 9 2)
run "${DST[@]}" migrate-prepare <<<"$(request op-5 | jq -c 'del(.vm) | .nics[0].uuid = "00000000-0000-4000-8000-0000000009a1"
    | .nics[1].uuid = "00000000-0000-4000-8000-0000000009a2"')"
check "migrate-prepare by NIC (no VM): eligible, two ports, each the NIC's with the migration's tag" \
    test "$status $(jqo .result.eligible) $(jqo '.result.ports | length') $(for p in $(jqo '.result.ports[].port'); do
        vsctl get Interface "$p" external_ids:iface-id external_ids:csdpdk-op-id | tr -d '"\n'; echo -n ' '; done)" = \
    "0 true 2 00000000-0000-4000-8000-0000000009a1op-5 00000000-0000-4000-8000-0000000009a2op-5 "
check "... no VM owns them yet (no vm-id)" \
    test "$(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-5 external_ids:vm-id!=x | grep -c .)" = 0
run "${DST[@]}" migrate-abort <<<'{"op_id": "op-5"}'
check "migrate-abort removes the NICs' ports of op-5, and only them" \
    test "$(jqo '.result.removed | length') $(vsctl list-ports cloudbr0 | wc -l)" = "2 2"

# 4c. A migration abandoned long ago (its tags over an hour old, as gc
# judges them): plug takes its ports back for the VM, and its abort
# can no longer remove them.
run "${DST[@]}" migrate-prepare <<<"$(request op-4)"
for p in $(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-4); do
    vsctl set Interface "$p" external_ids:csdpdk-op-time=$(($(date +%s) - 3700))
done
run "${DST[@]}" plug <<<"$(request)"
check "a plug of the VM whose ports wait for a migration abandoned over an hour ago: its ports (created false), the tags cleared" \
    test "$status $(jqo '[.result.ports[].created] | any') $(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-4 | grep -c .)" = "0 false 0"
run "${DST[@]}" migrate-abort <<<'{"op_id": "op-4"}'
check "... and that migration's abort removes nothing" \
    test "$status $(jqo '.result.removed | length') $(vsctl --bare --columns=name find Interface "external_ids:vm-id=\"$VM\"" | grep -c .)" = "0 0 2"
run "${DST[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"

# gc: a fresh migration's ports stay, an old one's go.
VM=$(uuid_for 9) MAC1=$(mac_for 9 1) MAC2=$(mac_for 9 2)
run "${DST[@]}" migrate-prepare <<<"$(request op-3)"
run "${DST[@]}" gc
check "gc keeps the ports of a migration in flight" \
    test "$(jqo '[.result.kept[].port] | length') $(jqo '[.result.orphans[] | .vm] | unique | length')" = "2 1"
for p in $(vsctl --bare --columns=name find Interface external_ids:csdpdk-op-id=op-3); do
    vsctl set Interface "$p" external_ids:csdpdk-op-time=1000000000
done
run "${DST[@]}" gc --apply
check "gc removes the ports of a migration abandoned long ago, and the finished VM's (it does not run here)" \
    test "$(jqo '.result.removed | length') $(vsctl list-ports cloudbr0 | wc -l)" = "4 0"

# A migration back to a host that still has the VM's ports (the VM left it
# without the hook; their stamp over an hour old): migrate-prepare finds
# them (created false, no tag of its operation) and stamps them, so gc
# keeps them until the VM's domain is here.
VM=$(uuid_for 13) MAC1=$(mac_for 13 1) MAC2=$(mac_for 13 2)
run "${DST[@]}" plug <<<"$(request)"
plugged_long_ago $(jqo '.result.ports[].port')
run "${DST[@]}" migrate-prepare <<<"$(request op-13)"
check "migrate-prepare finding the VM's ports (stamped two hours ago): created false, stamped anew" \
    test "$status $(jqo '[.result.ports[].created] | any') $(for p in $(jqo '.result.ports[].port'); do
        plug_stamp "$p" Port | awk -v now="$(date +%s)" '{print ($1 > now - 60)}'; done | sort -u)" = "0 false 1"
run "${DST[@]}" gc --apply
check "... gc --apply before the VM's domain is here keeps them (the stamp's grace)" \
    test "$status $(jqo '.result.removed | length') $(vsctl list-ports cloudbr0 | wc -l)" = "0 0 2"
run "${DST[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"

run migrate-rewrite <<<'{"domain_xml": "<domain/>", "mapping": {"02:00:00:00:00:01": {"path": "relative", "port": "csdpdk-1", "mode": "server"}}}'
check "a mapping with a relative path is refused" expect_error invalid_request 65
run migrate-check <<<"{\"domain_xml\": \"<domain/>\"}"
check "migrate-check without a destination or a report is refused" expect_error invalid_request 65

done_testing
