#!/usr/bin/env bash
# 32 processes plugging 32 different VMs at once on one bridge, 20 rounds:
# no name is ever given twice, every plug succeeds, ports = NICs. Each round
# also unplugs half of the VMs at once, so ports accumulate (up to 640).
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

done_testing
