#!/usr/bin/env bash
# 32 processes plugging 32 different VMs at once on one bridge, 20 rounds:
# no name is ever given twice, every plug succeeds, ports = NICs. Each round
# also unplugs half of the VMs at once, so ports accumulate (up to 640).
# Then the same request twice at once, gc --apply during a plug/unplug
# storm, and plug and migrate-prepare of the same MACs at once (AT_ONCE
# times, default 10).
. "$(dirname "$0")/../lib/harness.sh"

PROCS=${PROCS:-32}
ROUNDS=${ROUNDS:-20}
NICS=2

ovsdb_start "$T/ovs" || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge br0
printf 'openvswitch.dpdk.ovs.path=%s\n' "$T/sock" >"$T/agent.properties"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --timeout 60)

expected=0
for round in $(seq "$ROUNDS"); do
    dir=$T/round$round
    mkdir -p "$dir"
    for p in $(seq "$PROCS"); do
        vm=$((round * 1000 + p))
        plug_request "$(uuid_for $vm)" client "$(nic "$(mac_for $vm 1)" br0)" \
            "$(nic "$(mac_for $vm 2)" br0 $((p % 4094 + 1)))" >"$dir/req$p.json"
    done
    for p in $(seq "$PROCS"); do
        "$CSDPDK" "${C[@]}" plug --request "$dir/req$p.json" >"$dir/out$p.json" 2>"$dir/err$p" &
    done
    failures=0
    for job in $(jobs -p); do wait "$job" || failures=$((failures + 1)); done
    expected=$((expected + PROCS * NICS))

    names=$(cat "$dir"/out*.json | jq -r '.result.ports[]?.port' | sort)
    n_names=$(wc -l <<<"$names")
    n_unique=$(sort -u <<<"$names" | wc -l)
    n_ports=$(vsctl list-ports br0 | grep -c '^csdpdk-')
    if ((failures == 0 && n_names == PROCS * NICS && n_unique == n_names && n_ports == expected)); then
        ok "round $round: $PROCS plugs at once, all succeed, $n_unique distinct names, $n_ports ports"
    else
        fail "round $round" "failed plugs: $failures" "names: $n_names, distinct: $n_unique" \
            "ports: $n_ports, expected $expected" "$(cat "$dir"/err* "$dir"/out*.json | grep -m5 -E 'error|code|message')"
    fi

    # Unplug the odd VMs of the round, at once too.
    for p in $(seq 1 2 "$PROCS"); do
        echo "{\"vm\": {\"uuid\": \"$(uuid_for $((round * 1000 + p)))\"}}" |
            "$CSDPDK" "${C[@]}" unplug >"$dir/unplug$p.json" 2>&1 &
    done
    failures=0
    for job in $(jobs -p); do wait "$job" || failures=$((failures + 1)); done
    expected=$((expected - (PROCS + 1) / 2 * NICS))
    n_ports=$(vsctl list-ports br0 | grep -c '^csdpdk-')
    if ((failures == 0 && n_ports == expected)); then
        ok "round $round: $(((PROCS + 1) / 2)) unplugs at once, $n_ports ports left"
    else
        fail "round $round: unplug" "failed: $failures" "ports: $n_ports, expected $expected"
    fi
done

dups=$(vsctl --bare --columns=name list Interface | grep -v '^$' | sort | uniq -d | wc -l)
check "no Interface name appears twice" test "$dups" = 0
owned=$(vsctl --bare --columns=external_ids list Interface | grep -c 'vm-id=')
check "every port carries its owner ($owned)" test "$owned" = "$expected"

# The same request twice at once: one set of ports, both answers the same.
for k in $(seq "${TWICE:-10}"); do
    vm=$((900000 + k))
    plug_request "$(uuid_for $vm)" client "$(nic "$(mac_for $vm 1)" br0)" "$(nic "$(mac_for $vm 2)" br0)" >"$T/twice$k.json"
    "$CSDPDK" "${C[@]}" plug --request "$T/twice$k.json" >"$T/twice$k.a" 2>&1 &
    "$CSDPDK" "${C[@]}" plug --request "$T/twice$k.json" >"$T/twice$k.b" 2>&1 &
    wait
done
same=0
for k in $(seq "${TWICE:-10}"); do
    a=$(jq -c '[.result.ports[] | .port]' "$T/twice$k.a") b=$(jq -c '[.result.ports[] | .port]' "$T/twice$k.b")
    n=$(vsctl --bare --columns=name find Interface external_ids:vm-id="\"$(uuid_for $((900000 + k)))\"" | grep -c .)
    [[ -n $a && $a == "$b" && $n == 2 ]] && same=$((same + 1))
done
check "the same plug twice at once, ${TWICE:-10} times: each time both succeed with the same two ports, and only those" \
    test "$same" = "${TWICE:-10}"

# gc --apply every second during a plug/unplug storm: the VMs of the storm
# run (a libvirt test driver whose node runs them), orphans of VMs that do
# not are planted (plugged two hours ago, past gc's grace for a start);
# gc removes orphans only, never a running VM's port.
LIVE_VMS=8
{ echo "<node>"
  for v in $(seq "$LIVE_VMS"); do
      printf "<domain type='test'><name>live%d</name><uuid>%s</uuid><memory>1048576</memory><os><type>hvm</type></os></domain>\n" "$v" "$(uuid_for $((800000 + v)))"
  done
  echo "</node>"; } >"$T/node.xml"
G=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt "test://$T/node.xml")
storm() {
    local v=$1 end=$2
    plug_request "$(uuid_for $((800000 + v)))" client "$(nic "$(mac_for $((800000 + v)) 1)" br0)" >"$T/storm$v.json"
    while (($(date +%s) < end)); do
        "$CSDPDK" "${C[@]}" plug --request "$T/storm$v.json" >/dev/null 2>&1
        echo "{\"vm\": {\"uuid\": \"$(uuid_for $((800000 + v)))\"}}" | "$CSDPDK" "${C[@]}" unplug >/dev/null 2>&1
    done
}
end=$(($(date +%s) + ${STORM_SECONDS:-8}))
for v in $(seq "$LIVE_VMS"); do storm "$v" "$end" & done
gc_runs=0 wrong=0 orphans_removed=0
while (($(date +%s) < end)); do
    o=$((700000 + gc_runs))
    plug_request "$(uuid_for $o)" client "$(nic "$(mac_for $o 1)" br0)" | "$CSDPDK" "${C[@]}" plug >"$T/plant.json" 2>&1
    plugged_long_ago "$(jq -r '.result.ports[0].port // empty' "$T/plant.json")" # past gc's grace for its start
    "$CSDPDK" "${G[@]}" gc --apply >"$T/gc$gc_runs.json" 2>&1
    gc_runs=$((gc_runs + 1))
    sleep 1
done
wait
for f in "$T"/gc*.json; do
    wrong=$((wrong + $(jq -r '[.result.orphans[]? | select(.vm | startswith("00000000-0000-4000-8000-0000008"))] | length' "$f")))
    orphans_removed=$((orphans_removed + $(jq -r '[.result.orphans[]? | select(.vm | startswith("00000000-0000-4000-8000-0000007"))] | length' "$f")))
done
check "gc --apply $gc_runs times during a plug/unplug storm of $LIVE_VMS running VMs: it removed $orphans_removed planted orphans and no running VM's port" \
    bash -c '(($1 == 0 && $2 >= $3 - 1 && $3 >= 2))' _ "$wrong" "$orphans_removed" "$gc_runs"
gc_wrong=$wrong

# migrate-prepare and plug of the same MACs at once, on a host that looks
# like a DPDK host (for migrate-prepare's checks). The same VM: both may
# succeed with one set of untagged ports (plug first; prepare finds them)
# or plug is port_conflict and the ports are the migration's (prepare
# first: its abort would remove them). Two VMs: one wins, the other is
# port_conflict. Each time the invariants hold and cleaning up leaves
# nothing.
. "$(dirname "$0")/../lib/invariants.sh"
dpdk_host "$T/mig" || { fail "start a second ovsdb-server"; done_testing; exit; }
M=("${HOST_ARGS[@]}" --timeout 60)
both_at_once() { # VM-PLUG VM-PREPARE MAC-VM OP: the plug's and the prepare's answers in $T/at.*
    local n1 n2
    n1=$(nic "$(mac_for "$3" 1)" cloudbr0) n2=$(nic "$(mac_for "$3" 2)" cloudbr0)
    dpdk_request "$(uuid_for "$1")" client "" "$n1" "$n2" >"$T/at.plug.json"
    dpdk_request "$(uuid_for "$2")" client "$4" "$n1" "$n2" >"$T/at.prep.json"
    # plug takes about a third of migrate-prepare's time (its checks): a
    # random head start for the prepare lets either create the ports first.
    (sleep "$(printf '0.%03d' $((RANDOM % 40)))"; exec "$CSDPDK" "${M[@]}" plug --request "$T/at.plug.json") >"$T/at.plug" 2>&1 &
    "$CSDPDK" "${M[@]}" migrate-prepare --request "$T/at.prep.json" >"$T/at.prep" 2>&1 &
    wait
}
outcome() { # the answers as "plug-code prepare-code", ok for success
    echo "$(jq -r 'if .ok then "ok" else .error.code end' "$T/at.plug") $(jq -r 'if .ok then "ok" else .error.code end' "$T/at.prep")"
}
owners() { # MAC-VM: the owner and operation of each of its ports
    vsctl --format=csv --data=bare --no-headings --columns=external_ids find Interface \
        "external_ids:attached-mac=\"$(mac_for "$1" 1)\"" "external_ids:attached-mac!=\"\"" | grep -o 'vm-id=[^ ,"]*\|csdpdk-op-id=[^ ,"]*' | sort | tr '\n' ' '
    vsctl --bare --columns=name find Interface "external_ids:attached-mac=\"$(mac_for "$1" 2)\"" | grep -c .
}
declare -A seen=()
bad=0
# settle KIND JUDGED VM...: counts round $k's outcome $o under KIND; the
# round fails unless JUDGED is 0 and the invariants hold for the VMs; then
# removes what it made (the migration's ports, the first VM's).
settle() {
    local kind=$1 judged=$2 v vms=()
    shift 2
    ((judged == 0)) || { bad=$((bad + 1)); echo "# $kind, round $k: $o; owners $own" >&2; }
    seen["$kind: $o"]=$((${seen["$kind: $o"]:-0} + 1))
    for v; do vms+=("$(uuid_for "$v")"); done
    invariants_check "${vms[*]}" "$op" >&2 || bad=$((bad + 1))
    "$CSDPDK" "${M[@]}" migrate-abort <<<"{\"op_id\": \"$op\"}" >/dev/null
    "$CSDPDK" "${M[@]}" unplug <<<"{\"vm\": {\"uuid\": \"${vms[0]}\"}}" >/dev/null
}
for k in $(seq "${AT_ONCE:-10}"); do
    v=$((600000 + k)) op=at-$k
    both_at_once "$v" "$v" "$v" "$op"
    o=$(outcome) own=$(owners "$v")
    case $o in
    "ok ok") [[ $own == "vm-id=$(uuid_for $v) 1" && $(jq -r '[.result.ports[].created] | any' "$T/at.prep") == false ]] ;;
    "port_conflict ok") [[ $own == "csdpdk-op-id=$op vm-id=$(uuid_for $v) 1" ]] ;;
    *) false ;;
    esac
    settle "same VM" $? "$v"
    a=$((610000 + k)) b=$((620000 + k))
    both_at_once "$a" "$b" "$a" "$op"
    o=$(outcome) own=$(owners "$a")
    case $o in
    "ok port_conflict") [[ $own == "vm-id=$(uuid_for $a) 1" ]] ;;
    "port_conflict ok") [[ $own == "csdpdk-op-id=$op vm-id=$(uuid_for $b) 1" ]] ;;
    *) false ;;
    esac
    settle "two VMs" $? "$a" "$b"
done
tally=$(for key in "${!seen[@]}"; do echo "$key x${seen[$key]}"; done | sort | paste -sd ';' | sed 's/;/; /g')
check "plug and migrate-prepare of the same MACs at once, ${AT_ONCE:-10} times for one VM and for two: one port per MAC, owned as the answers say, the invariants hold ($tally)" \
    test "$bad" = 0
check "... and after migrate-abort and unplug nothing is left" \
    test "$(vsctl --bare --columns=name list Interface | grep -c csdpdk)" = 0
echo "# reliability: faults=$((gc_runs + 2 * ${AT_ONCE:-10})) violations=$((gc_wrong + bad))"
done_testing
