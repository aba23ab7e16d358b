#!/usr/bin/env bash
# make bench: plug and unplug of one client-mode NIC with csdpdk, and the
# same job done CloudStack's way, on private ovsdb-servers holding 0, 1000
# and 4000 ports; capabilities and migrate-check too. Prints a table of
# medians and ratios; BENCH_OUT=FILE also writes it there.
#
# The machine's speed drifts by tens of percent over minutes, more than the
# differences measured here. So every database stays up for the whole run
# and the sizes are measured in interleaved rounds (0, 1000, 4000, 0, ...);
# a median is over every sample of every round. hyperfine times each run
# (after warm-up); peak RSS comes from wait4(). Then, on a real DPDK
# ovs-vswitchd: plug with and without its wait for the switch, next to
# ovs-vsctl add-port (which waits too unless told --no-wait).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/harness.sh
. tests/lib/dpdk.sh
B=$(realpath tests/bench)
SIZES=${SIZES:-0 1000 4000}
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-40}       # csdpdk runs per round and size
CS_RUNS=${CS_RUNS:-8}  # CloudStack's way is slower: fewer
VM=11111111-2222-4333-8444-555555555555
MAC=02:00:aa:bb:cc:01

printf 'openvswitch.dpdk.ovs.path=%s\n' "$T/sock" >"$T/agent.properties"
plug_request "$VM" client "$(nic $MAC br0 100)" >"$T/plug.json"
echo "{\"vm\": {\"uuid\": \"$VM\"}}" >"$T/unplug.json"
echo "{\"vm\": {\"uuid\": \"$VM\"}, \"macs\": [\"$MAC\"]}" >"$T/unplug-macs.json"

# existing N: N ports of other VMs, csdpdk-1 .. csdpdk-N, as CloudStack makes them.
existing() {
    local n=$1 chunk=500 args=()
    for ((i = 1; i <= n; i++)); do
        args+=(-- add-port br0 "csdpdk-$i" -- set Interface "csdpdk-$i" type=dpdkvhostuserclient
            "options:vhost-server-path=$T/sock/csdpdk-$i" "external_ids:vm-id=$(uuid_for $i)")
        if ((i % chunk == 0 || i == n)); then
            vsctl "${args[@]:1}"
            args=()
        fi
    done
}

# measure KEY RUNS [hyperfine options] COMMAND: appends the run times (ms) to KEY's samples.
measure() {
    local key=$1 runs=$2
    shift 2
    hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$T/last.json" "$@" >&2
    jq -r '.results[0].times[] * 1000' "$T/last.json" >>"$T/samples-$key"
}

median() {
    sort -g "$T/samples-$1" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'
}

declare -A DBS CMD NEXT
for n in $SIZES; do
    echo "== a database with $n ports" >&2
    ovsdb_start "$T/ovs$n" >/dev/null
    add_bridge br0
    existing "$n"
    DBS[$n]=$DB
    CMD[$n]="$CSDPDK --ovsdb $DB --agent-properties $T/agent.properties"
    NEXT[$n]=$((n + 1))
    C=${CMD[$n]}
    # migrate-check needs the VM's interface in a domain.
    $C plug --request "$T/plug.json" >/dev/null
    jq -n --arg d "$($C render --request <(jq '.nics[0].port = "csdpdk-'"$((n + 1))"'"' "$T/plug.json") | jq -r '.result.interfaces[0]')" \
        '{domain_xml: ("<domain><name>bench</name><memory>1048576</memory><devices>" + $d + "</devices></domain>"),
          destination_report: {eligible: true}}' >"$T/check$n.json"
    $C unplug --request "$T/unplug.json" >/dev/null
done

for round in $(seq "$ROUNDS"); do
    for n in $SIZES; do
        echo "== round $round, $n ports" >&2
        DB=${DBS[$n]} C=${CMD[$n]} next=${NEXT[$n]}
        measure "plug$n" "$RUNS" --prepare "$C unplug --request $T/unplug.json" "$C plug --request $T/plug.json"
        measure "unplug$n" "$RUNS" --prepare "$C plug --request $T/plug.json" "$C unplug --request $T/unplug.json"
        measure "unplugmac$n" "$RUNS" --prepare "$C plug --request $T/plug.json" "$C unplug --request $T/unplug-macs.json"
        $C unplug --request "$T/unplug.json" >/dev/null
        # Another writer has taken the next name: one clash, one more
        # commit. The baseline: the same write by ovs-vsctl just before,
        # under another name (ovsdb-server is busy after it either way).
        measure "foreign$n" "$((RUNS / 2))" \
            --prepare "bash -c '$C unplug --request $T/unplug.json >/dev/null; bash $B/foreign-port.sh $DB br0 $T/sock'" \
            "$C plug --request $T/plug.json"
        measure "foreignbase$n" "$((RUNS / 2))" \
            --prepare "bash -c '$C unplug --request $T/unplug.json >/dev/null; bash $B/foreign-port.sh $DB br0 $T/sock other'" \
            "$C plug --request $T/plug.json"
        $C unplug --request "$T/unplug.json" >/dev/null
        for p in $(vsctl --bare --columns=name find Interface external_ids:bench-foreign=1); do
            vsctl del-port br0 "$p"
        done
        measure "csplug$n" "$CS_RUNS" --prepare "ovs-vsctl --db=$DB --no-wait --if-exists del-port br0 csdpdk-$next" \
            "bash $B/cloudstack-plug.sh $DB br0 $T/sock"
        vsctl --if-exists del-port br0 "csdpdk-$next"
        measure "csunplug$n" "$CS_RUNS" --prepare "bash $B/cloudstack-plug.sh $DB br0 $T/sock" \
            "ovs-vsctl --db=$DB --no-wait del-port br0 csdpdk-$next"
        # Read-only verbs, as they are (no ovs-vswitchd runs, so their
        # verdicts are negative: -i).
        $C plug --request "$T/plug.json" >/dev/null
        measure "capabilities$n" "$((RUNS / 2))" -i "$C --libvirt test:///default --sysfs tests/data/sysfs/one-node capabilities"
        measure "migrate-check$n" "$((RUNS / 2))" -i "$C migrate-check --request $T/check$n.json"
        $C unplug --request "$T/unplug.json" >/dev/null
    done
done

# ---- on a real switch ----
declare -A result
if vswitchd_available; then
    echo "== a real ovs-vswitchd" >&2
    ovsdb_start "$T/real" >/dev/null
    add_bridge br0
    vswitchd_start "$T/real" >&2
    R="$CSDPDK --ovsdb $DB --agent-properties $T/agent.properties"
    jq '.wait = false' "$T/plug.json" >"$T/plug-nowait.json"
    measure wait "$RUNS" --prepare "$R unplug --request $T/unplug.json" "$R plug --request $T/plug.json"
    measure nowait "$RUNS" --prepare "$R unplug --request $T/unplug.json" "$R plug --request $T/plug-nowait.json"
    $R unplug --request "$T/unplug.json" >/dev/null
    measure vsctlwait "$RUNS" --prepare "ovs-vsctl --db=$DB --no-wait --if-exists del-port br0 vsctl-1" \
        "ovs-vsctl --db=$DB add-port br0 vsctl-1 vlan_mode=access tag=100 -- set Interface vsctl-1 type=dpdkvhostuserclient options:vhost-server-path=$T/sock/vsctl-1"
    for op in wait nowait vsctlwait; do result[$op]=$(median "$op"); done
    vswitchd_stop
else
    echo "== no real ovs-vswitchd: $DPDK_UNAVAILABLE" >&2
fi

for n in $SIZES; do
    DB=${DBS[$n]}
    result[rss$n]=$(python3 "$B/peak-rss.py" 20 "$T/plug.json" ${CMD[$n]} plug)
    ${CMD[$n]} unplug --request "$T/unplug.json" >/dev/null
    for op in plug unplug unplugmac csplug csunplug foreign foreignbase capabilities migrate-check; do
        result[$op$n]=$(median "$op$n")
    done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f×", a / b }'; }
{
    echo "| operation | ports on the host | csdpdk median | CloudStack's way median | csdpdk faster by |"
    echo "|---|---:|---:|---:|---:|"
    for op in plug unplug; do
        for n in $SIZES; do
            echo "| $op, 1 client-mode NIC | $n | ${result[$op$n]} ms | ${result[cs$op$n]} ms | $(ratio "${result[cs$op$n]}" "${result[$op$n]}") |"
        done
    done
    for n in $SIZES; do
        echo "| unplug by the VM and its MAC | $n | ${result[unplugmac$n]} ms | ${result[csunplug$n]} ms | $(ratio "${result[csunplug$n]}" "${result[unplugmac$n]}") |"
    done
    for n in $SIZES; do
        echo "| plug after another writer took the next name | $n | ${result[foreign$n]} ms | — | — |"
        echo "| plug after another writer added a port of another name (the baseline) | $n | ${result[foreignbase$n]} ms | — | — |"
    done
    for op in capabilities migrate-check; do
        for n in $SIZES; do
            echo "| $op | $n | ${result[$op$n]} ms | — | — |"
        done
    done
    echo
    first=${SIZES%% *} last=${SIZES##* }
    echo "| check | measured | target |"
    echo "|---|---:|---:|"
    echo "| plug median at $last ports | ${result[plug$last]} ms | ≤ 5 ms |"
    echo "| plug at $last ports vs CloudStack's way | $(ratio "${result[csplug$last]}" "${result[plug$last]}") faster | ≥ 50× |"
    echo "| plug at $last ports / plug at $first ports | $(awk -v a="${result[plug$last]}" -v b="${result[plug$first]}" 'BEGIN { printf "%.2f", a / b }') | ≤ 1.3 |"
    echo "| peak RSS of plug at $last ports | $((result[rss$last] / 1024)).$((result[rss$last] % 1024 * 10 / 1024)) MiB | ≤ 16 MiB |"
    echo "| unplug by VM and MAC at $last ports / at $first ports | $(awk -v a="${result[unplugmac$last]}" -v b="${result[unplugmac$first]}" 'BEGIN { printf "%.2f", a / b }') | ≤ 1.3 |"
    echo "| plug at $last ports, next name taken / its baseline | $(awk -v a="${result[foreign$last]}" -v b="${result[foreignbase$last]}" 'BEGIN { printf "%.2f", a / b }') | ≈ 1: a few commits, no scan |"
    if [[ -n ${result[wait]:-} ]]; then
        echo
        echo "On a real ovs-vswitchd (DPDK, userspace), 1 client-mode NIC, $RUNS runs each:"
        echo
        echo "| operation | median |"
        echo "|---|---:|"
        echo "| csdpdk plug, waiting until the switch has the port (the default) | ${result[wait]} ms |"
        echo "| csdpdk plug, \"wait\": false (returns at the OVSDB commit) | ${result[nowait]} ms |"
        echo "| ovs-vsctl add-port (waits for the switch too) | ${result[vsctlwait]} ms |"
    fi
    echo
    echo "Medians over $ROUNDS interleaved rounds of $RUNS runs (CloudStack's way: $CS_RUNS) per size."
} | tee "${BENCH_OUT:-/dev/null}"
